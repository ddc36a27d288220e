import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DomainRecord } from '#api-model/domain';
import { ResourceNotFoundException } from '#api-model/errors';
import type { WatchlistRecord } from '#api-model/watchlist';
import type { Domains } from '#ports/domains';
import type { Page, PagePosition } from '#ports/page';
import { everyPage, isConditionFailure, queryPrefix, writeUnlessOvertaken } from './dynamodb.ts';
import { counterIds, type QuotaCounters } from './quota-counters.ts';
import { concurrentChange, type GuardedWrite, putIfUnchanged, transact } from './transactions.ts';

export interface DomainTables {
  domains: string;
  watchlists: string;
  speakers: string;
  fraudsters: string;
  counters: string;
  voiceprints: string;
  sessions: string;
  jobs: string;
}

const domainNotFound = (domainId: string) =>
  new ResourceNotFoundException('DOMAIN', `The domain ${domainId} does not exist. Check the DomainId.`);

/**
 * Domains. A deleted domain keeps its item (with `deletedAt` and a TTL) for the retention period, and every read
 * here treats it as gone.
 */
export class DomainStore implements Domains {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: DomainTables,
    private readonly counters: QuotaCounters,
  ) {}

  /** Writes a new domain with its default watchlist and, when given, the ClientToken claim, all or nothing. */
  async create(domain: DomainRecord, defaultWatchlist: WatchlistRecord, domainQuota: number, tokenClaim?: GuardedWrite) {
    await transact(this.client, [
      { write: { Put: { TableName: this.tables.domains, Item: domain, ConditionExpression: 'attribute_not_exists(domainId)' } } },
      { write: { Put: { TableName: this.tables.watchlists, Item: defaultWatchlist } } },
      this.counters.increment(counterIds.domains(), domainQuota, 'domains per account'),
      this.counters.start(counterIds.watchlists(domain.domainId), 1),
      ...(tokenClaim ? [tokenClaim] : []),
    ]);
  }

  async get(domainId: string): Promise<DomainRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.domains, Key: { domainId }, ConsistentRead: true }));
    return liveRecord(Item);
  }

  /** The domain, which must exist: every domain-scoped operation starts here. */
  async require(domainId: string): Promise<DomainRecord> {
    const domain = await this.get(domainId);
    if (!domain) throw domainNotFound(domainId);
    return domain;
  }

  /** The read of a domain's item, for a store that fetches it in one request with its own (see getTogether). */
  itemRead(domainId: string) {
    return { TableName: this.tables.domains, Key: { domainId } };
  }

  /** The domain from the item an `itemRead` found, which must exist, as `require` answers. */
  fromItem(domainId: string, item: Record<string, unknown> | undefined): DomainRecord {
    const domain = liveRecord(item);
    if (!domain) throw domainNotFound(domainId);
    return domain;
  }

  /**
   * Replaces a domain's attributes. `expected` is the record the caller read: if another request changed or deleted
   * the domain since, the write is refused with CONCURRENT_CHANGES rather than lost.
   */
  async replace(expected: DomainRecord, next: DomainRecord): Promise<void> {
    await transact(this.client, [
      putIfUnchanged(this.tables.domains, { ...next }, expected.updatedAt, () => concurrentChange('domain', expected.domainId)),
    ]);
  }

  /** Replaces a domain's tags, unless another request changed them since `expected` was read. */
  async replaceTags(expected: DomainRecord, tags: Record<string, string>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.domains,
          Key: { domainId: expected.domainId },
          UpdateExpression: 'SET tags = :tags',
          ConditionExpression: 'attribute_not_exists(deletedAt) AND tags = :expectedTags',
          ExpressionAttributeValues: { ':tags': tags, ':expectedTags': expected.tags },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) await this.refuseLostUpdate(expected.domainId);
      throw error;
    }
  }

  /** Soft delete: the domain disappears from every read now, frees its quota, and is erased after retention. */
  async markDeleted(domainId: string, nowMs: number): Promise<void> {
    await transact(this.client, [
      {
        write: {
          Update: {
            TableName: this.tables.domains,
            Key: { domainId },
            // No TTL: this item is how the sweep finds the domain's data, so only the erasure removes it, last.
            UpdateExpression: 'SET deletedAt = :now',
            ConditionExpression: 'attribute_exists(domainId) AND attribute_not_exists(deletedAt)',
            ExpressionAttributeValues: { ':now': nowMs },
          },
        },
        onConditionFailed: () => domainNotFound(domainId),
      },
      this.counters.decrement(counterIds.domains()),
    ]);
  }

  /** Up to `limit` live domains after `startKey`, reading on past deleted ones so that a page is not left short. */
  async list(limit: number, startKey?: PagePosition): Promise<Page<DomainRecord>> {
    const items: DomainRecord[] = [];
    let lastKey = startKey;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tables.domains,
          Limit: limit - items.length,
          ExclusiveStartKey: lastKey,
          FilterExpression: 'attribute_not_exists(deletedAt)',
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []).map(toRecord));
      lastKey = page.LastEvaluatedKey;
    } while (lastKey && items.length < limit);
    return { items, lastKey };
  }

  /** Ids of domains whose deletion is older than the retention period: their data may now be erased. */
  async deletedBefore(cutoffMs: number): Promise<string[]> {
    const ids: string[] = [];
    const scan = {
      TableName: this.tables.domains,
      FilterExpression: 'deletedAt < :cutoff',
      ExpressionAttributeValues: { ':cutoff': cutoffMs },
      ProjectionExpression: 'domainId',
    };
    for await (const items of everyPage(this.client, { scan })) ids.push(...items.map((item) => item.domainId as string));
    return ids;
  }

  /**
   * Takes the TTL off deleted domains' items that a version before 2026-12 gave one (due when the sweep may erase
   * them): DynamoDB could delete such an item before the erasure and orphan the domain's data for good.
   */
  async keepDeletedFindable(): Promise<number> {
    let kept = 0;
    const scan = {
      TableName: this.tables.domains,
      FilterExpression: 'attribute_exists(deletedAt) AND attribute_exists(expiresAt)',
      ProjectionExpression: 'domainId',
      ConsistentRead: true,
    };
    for await (const items of everyPage(this.client, { scan })) {
      for (const { domainId } of items) {
        const update = new UpdateCommand({
          TableName: this.tables.domains,
          Key: { domainId },
          UpdateExpression: 'REMOVE expiresAt',
          ConditionExpression: 'attribute_exists(domainId)',
        });
        if (await writeUnlessOvertaken(this.client, update)) kept++;
      }
    }
    return kept;
  }

  /** Live domains whose re-encryption under a new key is IN_PROGRESS, with that key: runs a stop may have cut short. */
  async reEncryptionsInProgress(): Promise<{ domainId: string; kmsKeyId: string }[]> {
    const found: { domainId: string; kmsKeyId: string }[] = [];
    const scan = {
      TableName: this.tables.domains,
      FilterExpression: 'attribute_not_exists(deletedAt) AND encryptionUpdate.#status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS' },
      ProjectionExpression: 'domainId, kmsKeyId',
      ConsistentRead: true,
    };
    for await (const items of everyPage(this.client, { scan })) {
      found.push(...items.map((item) => ({ domainId: item.domainId as string, kmsKeyId: item.kmsKeyId as string })));
    }
    return found;
  }

  /**
   * Erases a deleted domain: its biometric data first (voiceprints, sessions with their speech), then jobs,
   * speakers, fraudsters, the quota counters (found through the watchlists, which go after them) and watchlists,
   * and the domain item last. A sweep that stops midway erases the rest next time; a domain another sweep erased
   * meanwhile counts as erased.
   */
  async erase(domainId: string): Promise<void> {
    await this.eraseKeys(this.tables.voiceprints, 'ownerId', domainId);
    await this.eraseKeys(this.tables.sessions, 'itemId', domainId);
    await this.eraseKeys(this.tables.jobs, 'itemId', domainId);
    await this.eraseKeys(this.tables.speakers, 'itemId', domainId);
    await this.eraseKeys(this.tables.fraudsters, 'itemId', domainId);
    const watchlists: string[] = [];
    for (let page: Page<Record<string, unknown>> | undefined; !page || page.lastKey; ) {
      page = await queryPrefix(
        this.client,
        { TableName: this.tables.watchlists, partition: { name: 'domainId', value: domainId }, sortKey: 'watchlistId' },
        100,
        page?.lastKey,
      );
      watchlists.push(...page.items.map((item) => item.watchlistId as string));
    }
    const counters = [
      counterIds.speakers(domainId),
      counterIds.watchlists(domainId),
      ...watchlists.map((watchlistId) => counterIds.fraudsters(domainId, watchlistId)),
    ];
    await this.deleteBatch(
      this.tables.counters,
      counters.map((counterId) => ({ counterId })),
    );
    await this.eraseKeys(this.tables.watchlists, 'watchlistId', domainId);
    await writeUnlessOvertaken(
      this.client,
      new DeleteCommand({ TableName: this.tables.domains, Key: { domainId }, ConditionExpression: 'attribute_exists(deletedAt)' }),
    );
  }

  /** Deletes every item of a domain's partition in a table. */
  private async eraseKeys(tableName: string, sortKey: string, domainId: string): Promise<void> {
    let page: Page<Record<string, unknown>>;
    do {
      // Always the first page: what was read is deleted before the next read.
      page = await queryPrefix(this.client, { TableName: tableName, partition: { name: 'domainId', value: domainId }, sortKey }, 25);
      await this.deleteBatch(
        tableName,
        page.items.map((item) => ({ domainId, [sortKey]: item[sortKey] })),
      );
    } while (page.lastKey);
  }

  private async deleteBatch(tableName: string, keys: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      const chunk = keys.slice(i, i + 25);
      let unprocessed: BatchWriteCommandInput['RequestItems'] = { [tableName]: chunk.map((Key) => ({ DeleteRequest: { Key } })) };
      while (unprocessed && Object.keys(unprocessed).length) {
        ({ UnprocessedItems: unprocessed } = await this.client.send(new BatchWriteCommand({ RequestItems: unprocessed })));
      }
    }
  }

  private async refuseLostUpdate(domainId: string): Promise<never> {
    if (!(await this.get(domainId))) throw domainNotFound(domainId);
    throw concurrentChange('domain', domainId);
  }
}

/** A domain item as the service sees it: none when it is deleted. */
function liveRecord(item: Record<string, unknown> | undefined): DomainRecord | undefined {
  return item && !item.deletedAt ? toRecord(item) : undefined;
}

function toRecord(item: Record<string, unknown>): DomainRecord {
  const { deletedAt: _deletedAt, expiresAt: _expiresAt, ...record } = item;
  return record as unknown as DomainRecord;
}
