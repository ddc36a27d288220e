import { rmSync } from 'node:fs';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EmbeddedStack, Endpoints } from '#lib/local/embedded-stack';

export default async function globalTeardown() {
  const own = globalThis as { voiceIdStack?: EmbeddedStack };
  if (own.voiceIdStack) {
    await own.voiceIdStack.stop();
    own.voiceIdStack = undefined;
    if (process.env.VOICE_ID_TEST_DATA_DIR) rmSync(process.env.VOICE_ID_TEST_DATA_DIR, { recursive: true, force: true });
    return;
  }
  // A stack this run only borrowed (VOICE_ID_TEST_STACK) keeps running; the tables made for the run go.
  const tables = JSON.parse(process.env.VOICE_ID_TEST_RUN_TABLES ?? '[]') as string[];
  if (!tables.length || !process.env.VOICE_ID_TEST_ENDPOINTS) return;
  const endpoints = JSON.parse(process.env.VOICE_ID_TEST_ENDPOINTS) as Endpoints;
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: endpoints.credentials });
  await Promise.all(tables.map((TableName) => dynamodb.send(new DeleteTableCommand({ TableName }))));
  dynamodb.destroy();
  delete process.env.VOICE_ID_TEST_RUN_TABLES;
}
