import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { restRoutes } from '../../lambda/transport/rest-routes';
import { VoiceIdStack } from '../../lib/voice-id-stack';

const ROOT = path.join(__dirname, '..', '..');

function synthesize() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VoiceIdStack(app, 'VoiceId', { env: { account: '123456789012', region: 'eu-west-1' } });
  return { stack, template: Template.fromStack(stack) };
}

describe('VoiceIdStack', () => {
  const { stack, template } = synthesize();

  it('puts SigV4 (IAM) authorization on every API method', () => {
    const methods = template.findResources('AWS::ApiGateway::Method');
    expect(Object.keys(methods)).toHaveLength(restRoutes.length + 1);
    for (const method of Object.values(methods)) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ResourceId: { 'Fn::GetAtt': [Match.anyValue(), 'RootResourceId'] },
    });
  });

  it('keeps tables encrypted with the service key, recoverable, and expiring through TTL', () => {
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    expect(Object.keys(tables).length).toBeGreaterThanOrEqual(3);
    for (const table of Object.values(tables)) {
      expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.DeletionPolicy).toBe('Retain');
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('runs every function on Node 22 with its handler recorded for the embedded stack', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Metadata: { 'voice-id:handler': Match.anyValue() } });
    expect(Object.values(functions).map((f) => f.Metadata['voice-id:handler']).sort()).toEqual([
      'api',
      'batch-job-worker',
      'expiry-sweeper',
    ]);
    for (const fn of Object.values(functions)) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });

  it('grants the API function only its tables, the pagination secret and X-Ray', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ApiFunctionServiceRole') }] },
    });
    const actions = Object.values(policies).flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()),
    );
    expect(actions.every((a: string) => /^(dynamodb|kms|secretsmanager|xray):/.test(a))).toBe(true);
    expect(actions).not.toContain('dynamodb:*');
  });

  it('has the batch job state machine and a daily expiry schedule', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)' });
  });

  it('passes cdk-nag AwsSolutions, every exception acknowledged in code with its reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new VoiceIdStack(app, 'VoiceId', { env: { account: '123456789012', region: 'eu-west-1' } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations.length).toBeGreaterThan(0);
  });
});

describe('cdk synth', () => {
  it('works offline with the pinned CLI, bundling each handler with the local esbuild', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
    try {
      execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '-q', '-o', out], {
        cwd: ROOT,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
        stdio: 'pipe',
      });
      const template = JSON.parse(readFileSync(path.join(out, 'VoiceId.template.json'), 'utf8'));
      const assets = Object.values<any>(template.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:asset:path'])
        .map((r) => path.join(out, r.Metadata['aws:asset:path'], 'index.js'));
      expect(assets).toHaveLength(3);
      for (const bundle of assets) expect(existsSync(bundle)).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
