import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type ClientTokens, ClientTokenTaken, type IdempotencyRecord } from '#ports/client-tokens';
import { nowInSeconds } from './dynamodb.ts';
import type { GuardedWrite } from './transactions.ts';

/**
 * ClientToken records. A record is written in the same transaction as the change it guards, so a retried request
 * either sees the whole first result or nothing at all: there is no window where the change exists without its
 * record (which a separate idempotency layer such as Powertools' would leave open).
 */

/** How long a ClientToken is remembered. */
export const CLIENT_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export class IdempotencyStore implements ClientTokens {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(key: string, nowMs: number): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { key }, ConsistentRead: true }));
    // TTL deletion lags (and never runs in DynamoDB Local), so an expired record is treated as absent here.
    if (!Item || (Item as IdempotencyRecord).expiresAt <= nowInSeconds(nowMs)) return undefined;
    return Item as IdempotencyRecord;
  }

  /** The transaction item that claims a token for its lifetime; it fails if a live record for the token exists. */
  claim(claimed: Omit<IdempotencyRecord, 'expiresAt'>, nowMs: number): GuardedWrite {
    const nowSeconds = nowInSeconds(nowMs);
    const record: IdempotencyRecord = { ...claimed, expiresAt: nowSeconds + CLIENT_TOKEN_LIFETIME_SECONDS };
    return {
      write: {
        Put: {
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(#key) OR expiresAt <= :now',
          ExpressionAttributeNames: { '#key': 'key' },
          ExpressionAttributeValues: { ':now': nowSeconds },
        },
      },
      onConditionFailed: () => new ClientTokenTaken(),
    };
  }
}
