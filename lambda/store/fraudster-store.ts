import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ResourceNotFoundException } from '#api-model/errors';
import type { FraudsterRecord } from '#api-model/fraudster';
import type { Fraudsters } from '#ports/fraudsters';
import type { Page, PagePosition } from '#ports/page';
import { batchGet, fromPartitionItem, queryPrefix, RECORD_PREFIX } from './dynamodb.ts';
import { counterIds, type QuotaCounters } from './quota-counters.ts';
import { concurrentChange, deleteIfUnchanged, type GuardedWrite, putIfUnchanged, transact } from './transactions.ts';
import type { VoiceprintStore } from './voiceprint-store.ts';
import type { WatchlistStore } from './watchlist-store.ts';

const memberPrefix = (watchlistId: string) => `member#${watchlistId}#`;
/** Membership items are small: a page of them is one DynamoDB read of well under 1 MB. */
const MEMBERS_PER_PAGE = 1000;

export const fraudsterNotFound = (fraudsterId: string) =>
  new ResourceNotFoundException('FRAUDSTER', `The fraudster ${fraudsterId} does not exist in this domain. Check the FraudsterId.`);

/**
 * Fraudsters of a domain, in one partition per domain: each fraudster's record (sort key = GeneratedFraudsterId)
 * and one membership item per watchlist it is on (`member#<WatchlistId>#<FraudsterId>`), so that a watchlist's
 * fraudsters are one query. Every change keeps records, memberships and per-watchlist counters in step.
 */
export class FraudsterStore implements Fraudsters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { fraudsters: string },
    private readonly counters: QuotaCounters,
    private readonly watchlists: WatchlistStore,
    private readonly voiceprints: VoiceprintStore,
  ) {}

  async get(domainId: string, fraudsterId: string): Promise<FraudsterRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.fraudsters, Key: { domainId, itemId: fraudsterId }, ConsistentRead: true }),
    );
    return Item ? fromPartitionItem<FraudsterRecord>(Item) : undefined;
  }

  async require(domainId: string, fraudsterId: string): Promise<FraudsterRecord> {
    const fraudster = await this.get(domainId, fraudsterId);
    if (!fraudster) throw fraudsterNotFound(fraudsterId);
    return fraudster;
  }

  /** Registers a fraudster, with its voiceprint, on its watchlists (which must exist), within each watchlist's quota. */
  async create(fraudster: FraudsterRecord, quotaPerWatchlist: number, voiceprint?: GuardedWrite, ...also: GuardedWrite[]): Promise<void> {
    await transact(this.client, [
      ...(voiceprint ? [voiceprint] : []),
      ...also,
      {
        write: {
          Put: {
            TableName: this.tables.fraudsters,
            Item: { ...fraudster, itemId: fraudster.fraudsterId },
            ConditionExpression: 'attribute_not_exists(itemId)',
          },
        },
      },
      ...fraudster.watchlistIds.flatMap((watchlistId) => this.joinWrites(fraudster, watchlistId, quotaPerWatchlist)),
    ]);
  }

  /** Puts a fraudster on one more watchlist. */
  async associate(expected: FraudsterRecord, watchlistId: string, nowMs: number, quotaPerWatchlist: number) {
    const next = this.revise(expected, [...expected.watchlistIds, watchlistId], nowMs);
    await transact(this.client, [this.saveRecord(expected, next), ...this.joinWrites(expected, watchlistId, quotaPerWatchlist)]);
    return next;
  }

  /** Takes a fraudster off a watchlist; the caller has checked that it stays on at least one other. */
  async disassociate(expected: FraudsterRecord, watchlistId: string, nowMs: number) {
    const next = this.revise(
      expected,
      expected.watchlistIds.filter((id) => id !== watchlistId),
      nowMs,
    );
    await transact(this.client, [this.saveRecord(expected, next), ...this.leaveWrites(expected, watchlistId)]);
    return next;
  }

  /** Removes a fraudster from every watchlist and deletes it with its voiceprint, all or nothing. */
  async delete(fraudster: FraudsterRecord): Promise<void> {
    await transact(this.client, [
      this.voiceprints.remove(fraudster.domainId, { kind: 'fraudster', id: fraudster.fraudsterId }),
      deleteIfUnchanged(this.tables.fraudsters, { domainId: fraudster.domainId, itemId: fraudster.fraudsterId }, fraudster.updatedAt, () =>
        concurrentChange('fraudster', fraudster.fraudsterId),
      ),
      ...fraudster.watchlistIds.flatMap((watchlistId) => this.leaveWrites(fraudster, watchlistId)),
    ]);
  }

  /** All fraudsters of a domain, or only those on one watchlist. */
  async list(domainId: string, watchlistId: string | undefined, limit: number, startKey?: PagePosition): Promise<Page<FraudsterRecord>> {
    const page = await queryPrefix(
      this.client,
      {
        TableName: this.tables.fraudsters,
        partition: { name: 'domainId', value: domainId },
        sortKey: 'itemId',
        prefix: watchlistId ? memberPrefix(watchlistId) : RECORD_PREFIX,
      },
      limit,
      startKey,
    );
    if (!watchlistId) return { items: page.items.map(fromPartitionItem<FraudsterRecord>), lastKey: page.lastKey };
    return {
      items: await this.getMany(
        domainId,
        page.items.map((m) => m.fraudsterId as string),
      ),
      lastKey: page.lastKey,
    };
  }

  /** The ids of every fraudster on a watchlist, from its membership items alone: what screening a caller needs. */
  async idsOn(domainId: string, watchlistId: string): Promise<string[]> {
    const ids: string[] = [];
    let startKey: PagePosition | undefined;
    do {
      const page = await queryPrefix(
        this.client,
        {
          TableName: this.tables.fraudsters,
          partition: { name: 'domainId', value: domainId },
          sortKey: 'itemId',
          prefix: memberPrefix(watchlistId),
        },
        MEMBERS_PER_PAGE,
        startKey,
      );
      ids.push(...page.items.map((member) => member.fraudsterId as string));
      startKey = page.lastKey;
    } while (startKey);
    return ids;
  }

  private async getMany(domainId: string, fraudsterIds: string[]): Promise<FraudsterRecord[]> {
    const items = await batchGet(
      this.client,
      this.tables.fraudsters,
      fraudsterIds.map((itemId) => ({ domainId, itemId })),
    );
    const found = new Map(items.map((item) => [item.itemId as string, fromPartitionItem<FraudsterRecord>(item)]));
    return fraudsterIds.flatMap((id) => found.get(id) ?? []);
  }

  private revise(expected: FraudsterRecord, watchlistIds: string[], nowMs: number): FraudsterRecord {
    return { ...expected, watchlistIds, updatedAt: Math.max(nowMs, expected.updatedAt + 1) };
  }

  private saveRecord(expected: FraudsterRecord, next: FraudsterRecord): GuardedWrite {
    return putIfUnchanged(this.tables.fraudsters, { ...next, itemId: next.fraudsterId }, expected.updatedAt, () =>
      concurrentChange('fraudster', expected.fraudsterId),
    );
  }

  private joinWrites(fraudster: FraudsterRecord, watchlistId: string, quota: number): GuardedWrite[] {
    const { domainId, fraudsterId } = fraudster;
    return [
      this.watchlists.mustExist(domainId, watchlistId),
      {
        write: {
          Put: {
            TableName: this.tables.fraudsters,
            Item: { domainId, itemId: `${memberPrefix(watchlistId)}${fraudsterId}`, fraudsterId, watchlistId },
          },
        },
      },
      this.counters.increment(counterIds.fraudsters(domainId, watchlistId), quota, 'fraudsters per watchlist'),
    ];
  }

  private leaveWrites(fraudster: FraudsterRecord, watchlistId: string): GuardedWrite[] {
    const { domainId, fraudsterId } = fraudster;
    return [
      { write: { Delete: { TableName: this.tables.fraudsters, Key: { domainId, itemId: `${memberPrefix(watchlistId)}${fraudsterId}` } } } },
      this.counters.decrement(counterIds.fraudsters(domainId, watchlistId)),
    ];
  }
}
