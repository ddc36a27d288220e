import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { readTestStack, startTestStack, type TestStackDescription } from './test-stack.ts';

/**
 * One embedded stack, in a fresh data directory, for all integration tests of a run.
 *
 * With VOICE_ID_TEST_STACK (the data directory of a stack started by test/support/run-with-stack.ts) the run uses
 * that stack instead of starting one (about 12 s saved), and gets a fresh copy of the service's tables in it, so
 * that runs sharing the stack (one per mutant in `npm run mutate`, possibly in parallel) never see each other's
 * data and counts stay exact.
 */
export default async function globalSetup() {
  const running = process.env.VOICE_ID_TEST_STACK;
  let description: TestStackDescription;
  if (running) {
    description = await withOwnTables(readTestStack(running));
  } else {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-test-'));
    const started = await startTestStack(dataDir, { withTemplate: process.env.VOICE_ID_TEST_IN_PROCESS === '1' });
    description = started.description;
    (globalThis as { voiceIdStack?: unknown }).voiceIdStack = started.stack;
  }
  process.env.VOICE_ID_TEST_STACK_DESCRIPTION = JSON.stringify(description);
  process.env.VOICE_ID_TEST_ENDPOINTS = JSON.stringify(description.endpoints);
  process.env.VOICE_ID_TEST_DATA_DIR = description.dataDir;
}

/** Creates a copy of every table the handlers use (same keys, empty), and points the handler environment at them. */
async function withOwnTables(description: TestStackDescription): Promise<TestStackDescription> {
  const { endpoints } = description;
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: endpoints.credentials });
  const suffix = `-run${process.pid}x${Date.now().toString(36)}`;
  const TableNames: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName }));
    TableNames.push(...(page.TableNames ?? []));
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  const handlerEnvironment = { ...description.handlerEnvironment };
  const created: string[] = [];
  try {
    for (const [name, value] of Object.entries(handlerEnvironment)) {
      if (!TableNames.includes(value)) continue;
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: value }));
      const TableName = `${value}${suffix}`;
      await dynamodb.send(
        new CreateTableCommand({
          TableName,
          KeySchema: Table!.KeySchema,
          AttributeDefinitions: Table!.AttributeDefinitions,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      created.push(TableName);
      handlerEnvironment[name] = TableName;
    }
  } finally {
    process.env.VOICE_ID_TEST_RUN_TABLES = JSON.stringify(created);
    dynamodb.destroy();
  }
  return { ...description, handlerEnvironment };
}
