import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictException, ResourceNotFoundException } from '#api-model/errors';
import type { WatchlistRecord } from '#api-model/watchlist';
import type { Page, PagePosition } from '#ports/page';
import type { Watchlists } from '#ports/watchlists';
import { queryPrefix } from './dynamodb.ts';
import { counterIds, type QuotaCounters } from './quota-counters.ts';
import { concurrentChange, type GuardedWrite, putIfUnchanged, transact } from './transactions.ts';

export const watchlistNotFound = (watchlistId: string) =>
  new ResourceNotFoundException('WATCHLIST', `The watchlist ${watchlistId} does not exist in this domain. Check the WatchlistId.`);

/** Watchlists of a domain. The fraudster counter of a watchlist doubles as its emptiness check. */
export class WatchlistStore implements Watchlists {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { watchlists: string; counters: string },
    private readonly counters: QuotaCounters,
  ) {}

  async create(watchlist: WatchlistRecord, quota: number, tokenClaim?: GuardedWrite): Promise<void> {
    await transact(this.client, [
      { write: { Put: { TableName: this.tables.watchlists, Item: watchlist, ConditionExpression: 'attribute_not_exists(watchlistId)' } } },
      this.counters.increment(counterIds.watchlists(watchlist.domainId), quota, 'watchlists per domain'),
      ...(tokenClaim ? [tokenClaim] : []),
    ]);
  }

  async get(domainId: string, watchlistId: string): Promise<WatchlistRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.watchlists, Key: { domainId, watchlistId }, ConsistentRead: true }),
    );
    return Item as WatchlistRecord | undefined;
  }

  async require(domainId: string, watchlistId: string): Promise<WatchlistRecord> {
    const watchlist = await this.get(domainId, watchlistId);
    if (!watchlist) throw watchlistNotFound(watchlistId);
    return watchlist;
  }

  /** A transaction write that fails with WATCHLIST not found unless the watchlist exists. */
  mustExist(domainId: string, watchlistId: string): GuardedWrite {
    return {
      write: {
        ConditionCheck: {
          TableName: this.tables.watchlists,
          Key: { domainId, watchlistId },
          ConditionExpression: 'attribute_exists(watchlistId)',
        },
      },
      onConditionFailed: () => watchlistNotFound(watchlistId),
    };
  }

  /** Saves new attributes unless another request changed the watchlist since `expected` was read. */
  async replace(expected: WatchlistRecord, next: WatchlistRecord): Promise<void> {
    await transact(this.client, [
      putIfUnchanged(this.tables.watchlists, { ...next }, expected.updatedAt, () => concurrentChange('watchlist', expected.watchlistId)),
    ]);
  }

  /** Deletes an empty watchlist; the emptiness check and the delete are one transaction. */
  async delete(watchlist: WatchlistRecord): Promise<void> {
    const { domainId, watchlistId } = watchlist;
    await transact(this.client, [
      {
        write: {
          Delete: {
            TableName: this.tables.watchlists,
            Key: { domainId, watchlistId },
            ConditionExpression: 'attribute_exists(watchlistId)',
          },
        },
        onConditionFailed: () => watchlistNotFound(watchlistId),
      },
      {
        write: {
          Delete: {
            TableName: this.tables.counters,
            Key: { counterId: counterIds.fraudsters(domainId, watchlistId) },
            ConditionExpression: 'attribute_not_exists(#count) OR #count = :zero',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':zero': 0 },
          },
        },
        onConditionFailed: () =>
          new ConflictException(
            'CANNOT_DELETE_NON_EMPTY_WATCHLIST',
            `The watchlist ${watchlistId} still has fraudsters. Disassociate or delete them first.`,
          ),
      },
      this.counters.decrement(counterIds.watchlists(domainId)),
    ]);
  }

  async list(domainId: string, limit: number, startKey?: PagePosition): Promise<Page<WatchlistRecord>> {
    const page = await queryPrefix(
      this.client,
      { TableName: this.tables.watchlists, partition: { name: 'domainId', value: domainId }, sortKey: 'watchlistId' },
      limit,
      startKey,
    );
    return { items: page.items as unknown as WatchlistRecord[], lastKey: page.lastKey };
  }
}
