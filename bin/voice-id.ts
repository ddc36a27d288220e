#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { VoiceIdStack } from '../lib/voice-id-stack';

const app = new App();
// `cdk deploy -c architecture=x86_64` for a region or account without Graviton Lambda; arm64 otherwise.
const architecture = app.node.tryGetContext('architecture') as unknown;
if (architecture !== undefined && architecture !== 'arm64' && architecture !== 'x86_64') {
  throw new Error(`The context value architecture must be arm64 or x86_64, not ${JSON.stringify(architecture)}.`);
}
new VoiceIdStack(app, 'VoiceId', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  architecture,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
