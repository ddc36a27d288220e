import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictException, ResourceNotFoundException } from '#domain/errors';
import { DELETED_DOMAIN_RETENTION_MS, type DomainRecord, type WatchlistRecord } from '#domain/domain';
import { ClientTokenTaken } from './idempotency-store.ts';
import { failedConditions, isConditionFailure, nowInSeconds, type TransactItem } from './dynamodb.ts';

export interface DomainPage {
  domains: DomainRecord[];
  /** The store's position after this page; absent on the last page. */
  lastKey?: Record<string, unknown>;
}

const domainNotFound = (domainId: string) =>
  new ResourceNotFoundException('DOMAIN', `The domain ${domainId} does not exist. Check the DomainId.`);

/**
 * Domains and their watchlists. A deleted domain keeps its item (with `deletedAt` and a TTL) for the retention
 * period, and every read here treats it as gone.
 */
export class DomainStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { domains: string; watchlists: string },
  ) {}

  /** Writes a new domain with its default watchlist and, when given, the ClientToken claim, all or nothing. */
  async create(domain: DomainRecord, defaultWatchlist: WatchlistRecord, tokenClaim?: TransactItem): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tables.domains,
          Item: domain,
          ConditionExpression: 'attribute_not_exists(domainId)',
        },
      },
      {
        Put: {
          TableName: this.tables.watchlists,
          Item: defaultWatchlist,
          ConditionExpression: 'attribute_not_exists(watchlistId)',
        },
      },
    ];
    if (tokenClaim) items.push(tokenClaim);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (tokenClaim && failedConditions(error).includes(2)) throw new ClientTokenTaken();
      throw error;
    }
  }

  async get(domainId: string): Promise<DomainRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.domains, Key: { domainId }, ConsistentRead: true }),
    );
    return Item && !Item.deletedAt ? toRecord(Item) : undefined;
  }

  async require(domainId: string): Promise<DomainRecord> {
    const domain = await this.get(domainId);
    if (!domain) throw domainNotFound(domainId);
    return domain;
  }

  /**
   * Replaces a domain's attributes. `expected` is the record the caller read: if another request changed the
   * domain since (its updatedAt moved), the write is refused with CONCURRENT_CHANGES rather than lost.
   */
  async replace(expected: DomainRecord, next: DomainRecord): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.domains,
          Key: { domainId: expected.domainId },
          UpdateExpression:
            'SET #name = :name, kmsKeyId = :kmsKeyId, updatedAt = :updatedAt, encryptionUpdate = :encryptionUpdate' +
            (next.description === undefined ? ' REMOVE description' : ', description = :description'),
          ConditionExpression: 'attribute_not_exists(deletedAt) AND updatedAt = :expectedUpdatedAt',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':name': next.name,
            ':kmsKeyId': next.kmsKeyId,
            ':updatedAt': next.updatedAt,
            ':encryptionUpdate': next.encryptionUpdate ?? null,
            ':expectedUpdatedAt': expected.updatedAt,
            ...(next.description === undefined ? {} : { ':description': next.description }),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) await this.refuseLostUpdate(expected.domainId);
      throw error;
    }
  }

  /** Soft delete: the domain disappears from every read now and DynamoDB TTL erases the item after retention. */
  async markDeleted(domainId: string, nowMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.domains,
          Key: { domainId },
          UpdateExpression: 'SET deletedAt = :now, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(domainId) AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: {
            ':now': nowMs,
            ':expiresAt': nowInSeconds(nowMs + DELETED_DOMAIN_RETENTION_MS),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw domainNotFound(domainId);
      throw error;
    }
  }

  /** Up to `limit` live domains after `startKey`, reading on past deleted ones so that a page is not left short. */
  async list(limit: number, startKey?: Record<string, unknown>): Promise<DomainPage> {
    const domains: DomainRecord[] = [];
    let lastKey = startKey;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tables.domains,
          Limit: limit - domains.length,
          ExclusiveStartKey: lastKey,
          FilterExpression: 'attribute_not_exists(deletedAt)',
          ConsistentRead: true,
        }),
      );
      domains.push(...(page.Items ?? []).map(toRecord));
      lastKey = page.LastEvaluatedKey;
    } while (lastKey && domains.length < limit);
    return { domains, lastKey };
  }

  /** Ids of domains whose deletion is older than the retention period: their data may now be erased. */
  async deletedBefore(cutoffMs: number): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tables.domains,
          ExclusiveStartKey: startKey,
          FilterExpression: 'deletedAt < :cutoff',
          ExpressionAttributeValues: { ':cutoff': cutoffMs },
          ProjectionExpression: 'domainId',
        }),
      );
      ids.push(...(page.Items ?? []).map((item) => item.domainId as string));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  /** Erases a deleted domain: its watchlists first, then the domain item, so a crash midway is simply re-run. */
  async erase(domainId: string): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.watchlists,
          KeyConditionExpression: 'domainId = :domainId',
          ExpressionAttributeValues: { ':domainId': domainId },
          ProjectionExpression: 'domainId, watchlistId',
          ExclusiveStartKey: startKey,
          Limit: 25,
        }),
      );
      if (page.Items?.length) {
        await this.client.send(
          new BatchWriteCommand({
            RequestItems: { [this.tables.watchlists]: page.Items.map((Key) => ({ DeleteRequest: { Key } })) },
          }),
        );
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    await this.client.send(
      new DeleteCommand({
        TableName: this.tables.domains,
        Key: { domainId },
        ConditionExpression: 'attribute_exists(deletedAt)',
      }),
    );
  }

  private async refuseLostUpdate(domainId: string): Promise<never> {
    if (!(await this.get(domainId))) throw domainNotFound(domainId);
    throw new ConflictException(
      'CONCURRENT_CHANGES',
      `The domain ${domainId} was changed by another request while this one ran. Describe it and try again.`,
    );
  }
}

function toRecord(item: Record<string, unknown>): DomainRecord {
  const { deletedAt: _deletedAt, expiresAt: _expiresAt, ...record } = item;
  const domain = record as unknown as DomainRecord;
  // DynamoDB has no undefined: an absent encryption update is stored as null.
  if (domain.encryptionUpdate === null) delete domain.encryptionUpdate;
  return domain;
}
