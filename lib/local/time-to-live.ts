import { DeleteItemCommand, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';

/** How the embedded stack runs DynamoDB's Time to Live, which DynamoDB Local does not. */
export interface TimeToLiveOptions {
  /** How often the tables are swept. */
  intervalMs: number;
  /** How long past its TTL an item lives on at least (DynamoDB's own lag is "typically within a few days"). */
  lagMs: number;
}

/** A table with TTL on: its name, key attributes and TTL attribute (epoch seconds). */
export interface TimeToLiveTable {
  name: string;
  keys: string[];
  attribute: string;
}

/** DynamoDB leaves alone an item whose TTL is more than five years in the past (a value in milliseconds, say). */
const IGNORED_AFTER_SECONDS = 5 * 365 * 24 * 3600;

/**
 * DynamoDB's Time to Live for DynamoDB Local: every `intervalMs`, each item whose TTL attribute is a number of
 * epoch seconds at least `lagMs` past is deleted, as DynamoDB's background process would, without any request of
 * the service's. So that the embedded home behaves as AWS does, and a test can catch code that trusted an expired
 * item to still be there (or to be gone). An item written again with a later TTL between the scan and the delete
 * is kept: the delete is conditional on the value read.
 */
export function startTimeToLive(endpoint: string, tables: TimeToLiveTable[], options: TimeToLiveOptions): { stop(): Promise<void> } {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = async () => {
    for (const table of tables) {
      if (stopped) return;
      await expire(client, table, Date.now() - options.lagMs);
    }
  };
  const timer = setInterval(() => {
    // One sweep at a time: a slow one (a big table) is not overlapped by the next.
    running = running.then(sweep).catch(() => undefined);
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      client.destroy();
    },
  };
}

async function expire(client: DynamoDBClient, table: TimeToLiveTable, dueMs: number): Promise<void> {
  const due = Math.floor(dueMs / 1000);
  const pages = paginateScan(
    { client },
    {
      TableName: table.name,
      FilterExpression: '#ttl <= :due AND #ttl > :ignored',
      ExpressionAttributeNames: { '#ttl': table.attribute },
      ExpressionAttributeValues: { ':due': { N: String(due) }, ':ignored': { N: String(due - IGNORED_AFTER_SECONDS) } },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const key = Object.fromEntries(table.keys.map((name) => [name, item[name]]));
      await client
        .send(
          new DeleteItemCommand({
            TableName: table.name,
            Key: key,
            ConditionExpression: '#ttl = :read',
            ExpressionAttributeNames: { '#ttl': table.attribute },
            ExpressionAttributeValues: { ':read': item[table.attribute] },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        });
    }
  }
}
