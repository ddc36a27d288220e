#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { connectorsConfig } from '#connectors/routes';
import { startEmbeddedStack } from '#lib/local/embedded-stack';

/**
 * `npm start`: the embedded stack on 127.0.0.1, until Ctrl-C. `npm start -- --bundles` (or VOICE_ID_RUN_BUNDLES=1)
 * runs the functions from their deployment bundles, each in a Lambda-like process, instead of from the sources.
 */
async function main() {
  const started = Date.now();
  const dataDir = path.resolve(process.env.VOICE_ID_DATA_DIR ?? path.join(__dirname, '..', '.data'));
  const port = Number(process.env.PORT ?? 9010);
  const bundles = process.argv.includes('--bundles') || process.env.VOICE_ID_RUN_BUNDLES === '1';
  const timeToLive = {
    intervalMs: 1000 * seconds('VOICE_ID_TTL_SWEEP_SECONDS', 60, 1),
    lagMs: 1000 * seconds('VOICE_ID_TTL_LAG_SECONDS', 0, 0),
  };
  const connectorsFile = process.env.VOICE_ID_CONNECTORS_FILE;
  const connectors = connectorsFile ? connectorsConfig.parse(JSON.parse(readFileSync(connectorsFile, 'utf8'))) : undefined;
  const twilioAuthToken = process.env.TWILIO_AUTH_TOKEN || undefined;
  const streamToken = process.env.VOICE_ID_STREAM_TOKEN || undefined;
  const webhookSecret = process.env.VOICE_ID_WEBHOOK_SECRET || undefined;
  const audiohookApiKey = process.env.AUDIOHOOK_API_KEY || undefined;
  const audiohookClientSecret = process.env.AUDIOHOOK_CLIENT_SECRET || undefined;
  const stack = await startEmbeddedStack({
    dataDir,
    port,
    bundles,
    timeToLive,
    connectors,
    twilioAuthToken,
    streamToken,
    webhookSecret,
    audiohookApiKey,
    audiohookClientSecret,
  });
  const { endpoints } = stack;
  console.log(`Voice ID is listening on ${endpoints.voiceId} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s${bundles ? ', functions run from their bundles' : ''})

  export AWS_ACCESS_KEY_ID=${endpoints.credentials.accessKeyId}
  export AWS_SECRET_ACCESS_KEY=${endpoints.credentials.secretAccessKey}
  export AWS_REGION=${endpoints.region}
  aws voice-id list-domains --endpoint-url ${endpoints.voiceId}

Default KMS key for domains: ${endpoints.defaultKmsKeyArn}
S3: ${endpoints.s3}   KMS: ${endpoints.kms}   Step Functions: ${endpoints.stepFunctions}
Phone systems: ${Object.entries(endpoints.connectors)
    .map(([name, url]) => `${name} ${url}`)
    .join('   ')}
Data: ${dataDir} (endpoints.json has all of the above). Ctrl-C stops.`);

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** A variable's whole number of seconds, at least `min`, or its default when unset. */
function seconds(name: string, fallback: number, min: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new Error(`${name} must be a whole number of seconds, at least ${min}; it is ${value}.`);
  return parsed;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
