import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DeleteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ServiceConfig } from '#config';
import { tracer } from '#observability';
import type { Page, PagePosition } from '#ports/page';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function documentClient(config: ServiceConfig): DynamoDBDocumentClient {
  const client = tracer.captureAWSv3Client(
    new DynamoDBClient({ region: config.region, endpoint: config.endpoints.dynamodb, base64Decoder: decodeBase64 }),
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * The SDK's own decoder first matches the whole string against a regular expression, a twentieth of the embedded
 * stack's main thread under load (a session's speech stream is tens of kilobytes). What it would catch cannot
 * reach us unnoticed: DynamoDB sends well-formed base64, and every binary attribute here is sealed, so any damage
 * fails its authentication tag when it is opened.
 */
function decodeBase64(input: string): Uint8Array {
  const bytes = Buffer.from(input, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Up to `limit` items of one partition (whose sort key starts with `prefix`, when given), after `startKey`. DynamoDB may stop a
 * page early (1 MB); reading on keeps pages full, so that only the last page is short.
 */
export async function queryPrefix(
  client: DynamoDBDocumentClient,
  query: {
    TableName: string;
    partition: { name: string; value: string };
    sortKey: string;
    prefix?: string;
    /** Keeps only items whose attribute `name` equals `value`. */
    filter?: { name: string; value: string };
  },
  limit: number,
  startKey?: PagePosition,
): Promise<Page<Record<string, unknown>>> {
  const items: Record<string, unknown>[] = [];
  let lastKey = startKey;
  const names: Record<string, string> = { '#pk': query.partition.name };
  const values: Record<string, unknown> = { ':pk': query.partition.value };
  if (query.prefix) {
    names['#sk'] = query.sortKey;
    values[':prefix'] = query.prefix;
  }
  if (query.filter) {
    names['#filter'] = query.filter.name;
    values[':filter'] = query.filter.value;
  }
  do {
    const input: QueryCommandInput = {
      TableName: query.TableName,
      KeyConditionExpression: query.prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      FilterExpression: query.filter ? '#filter = :filter' : undefined,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      // A filter drops items after the limit is applied: the loop reads on until the page is full.
      Limit: limit - items.length,
      ExclusiveStartKey: lastKey,
      ConsistentRead: true,
    };
    const page = await client.send(new QueryCommand(input));
    items.push(...(page.Items ?? []));
    lastKey = page.LastEvaluatedKey;
  } while (lastKey && items.length < limit);
  return { items, lastKey };
}

/**
 * Every page of items of a Query or Scan, following LastEvaluatedKey to the end: for reads that must see a whole
 * partition or table (sweeps, audits), not for a List operation's page (queryPrefix).
 */
export async function* everyPage(
  client: DynamoDBDocumentClient,
  read: { query: Omit<QueryCommandInput, 'ExclusiveStartKey'> } | { scan: Omit<ScanCommandInput, 'ExclusiveStartKey'> },
): AsyncGenerator<Record<string, unknown>[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page =
      'query' in read
        ? await client.send(new QueryCommand({ ...read.query, ExclusiveStartKey: startKey }))
        : await client.send(new ScanCommand({ ...read.scan, ExclusiveStartKey: startKey }));
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** DynamoDB's limit of keys per BatchGetItem request. */
const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 8;

type BatchGetRequest = Record<
  string,
  {
    Keys: Record<string, unknown>[];
    ConsistentRead: true;
    ProjectionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
  }
>;

/** The attributes to read of each item (`#name` placeholders in `expression`, resolved by `names`). */
export interface Projection {
  expression: string;
  names?: Record<string, string>;
}

/**
 * The items of many keys of one table, in batches of 100, read consistently; see readBatch for unprocessed keys.
 * With a projection, only those attributes of each item travel.
 */
export async function batchGet(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, unknown>[],
  projection?: Projection,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const attributes = projection && { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names };
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    const found = await readBatch(client, {
      [tableName]: { Keys: keys.slice(start, start + BATCH_GET_LIMIT), ConsistentRead: true, ...attributes },
    });
    items.push(...(found[tableName] ?? []));
  }
  return items;
}

/**
 * One item by key from each of a few tables (at most 100 reads), read consistently in one BatchGetItem: one
 * round trip, where a GetItem apiece takes one each and costs the same. Undefined where there is no item.
 */
export async function getTogether(
  client: DynamoDBDocumentClient,
  reads: { TableName: string; Key: Record<string, unknown> }[],
): Promise<(Record<string, unknown> | undefined)[]> {
  const request: BatchGetRequest = {};
  for (const { TableName, Key } of reads) (request[TableName] ??= { Keys: [], ConsistentRead: true }).Keys.push(Key);
  const found = await readBatch(client, request);
  return reads.map(({ TableName, Key }) =>
    found[TableName]?.find((item) => Object.entries(Key).every(([name, value]) => item[name] === value)),
  );
}

/**
 * One BatchGetItem, by table. Keys DynamoDB leaves unprocessed (under load) are asked for again with a growing
 * pause, as AWS advises; a table that keeps refusing is an error rather than a silently short answer.
 */
async function readBatch(client: DynamoDBDocumentClient, request: BatchGetRequest): Promise<Record<string, Record<string, unknown>[]>> {
  const items: Record<string, Record<string, unknown>[]> = {};
  let pending: BatchGetRequest = request;
  for (let round = 0; Object.keys(pending).length; round++) {
    if (round === MAX_UNPROCESSED_ROUNDS) {
      const [tableName, { Keys }] = Object.entries(pending)[0];
      throw new Error(`DynamoDB left ${Keys.length} keys of ${tableName} unprocessed ${round} times in a row.`);
    }
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
    const result = await client.send(new BatchGetCommand({ RequestItems: pending }));
    for (const [tableName, found] of Object.entries(result.Responses ?? {})) (items[tableName] ??= []).push(...found);
    pending = (result.UnprocessedKeys ?? {}) as BatchGetRequest;
  }
  return items;
}

/**
 * Speakers and fraudsters share a layout: one partition per domain whose sort key `itemId` is the record's
 * generated id (`id#...`) for records, with other item kinds (aliases, memberships) under other prefixes.
 */
export const RECORD_PREFIX = 'id#';

/** A record of such a partition, without its sort key. */
export function fromPartitionItem<T>(item: Record<string, unknown>): T {
  const { itemId: _itemId, ...record } = item;
  return record as T;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Sends a conditional update or delete; false, not an error, when its condition no longer holds, for writes that
 * another request may rightly have overtaken (a value re-sealed, a batch counted, a domain erased meanwhile).
 */
export async function writeUnlessOvertaken(client: DynamoDBDocumentClient, command: UpdateCommand | DeleteCommand): Promise<boolean> {
  try {
    await client.send(command);
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

export const nowInSeconds = (ms: number) => Math.floor(ms / 1000);
