import { ServiceQuotaExceededException } from '#api-model/errors';
import type { GuardedWrite } from './transactions.ts';

/**
 * Exact, race-free quotas: each counted thing (domains of the account, speakers or watchlists of a domain,
 * fraudsters of a watchlist) has a counter item changed in the same transaction as the things it counts, and the
 * increment's condition refuses to pass the limit.
 */
export class QuotaCounters {
  constructor(private readonly tableName: string) {}

  increment(counterId: string, limit: number, what: string): GuardedWrite {
    return {
      write: {
        Update: {
          TableName: this.tableName,
          Key: { counterId },
          UpdateExpression: 'ADD #count :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit },
        },
      },
      onConditionFailed: () =>
        new ServiceQuotaExceededException(
          `The quota of ${limit} ${what} is reached. Delete some first, or raise the quota in the service configuration.`,
        ),
    };
  }

  /** A new counter, for a container created with things already in it (a domain with its default watchlist). */
  start(counterId: string, count: number): GuardedWrite {
    return { write: { Put: { TableName: this.tableName, Item: { counterId, count } } } };
  }

  decrement(counterId: string): GuardedWrite {
    return {
      write: {
        Update: {
          TableName: this.tableName,
          Key: { counterId },
          UpdateExpression: 'ADD #count :minusOne',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minusOne': -1 },
        },
      },
    };
  }
}

/** Counter ids, one per kind of quota. */
export const counterIds = {
  domains: () => 'domains',
  speakers: (domainId: string) => `speakers/${domainId}`,
  watchlists: (domainId: string) => `watchlists/${domainId}`,
  fraudsters: (domainId: string, watchlistId: string) => `fraudsters/${domainId}/${watchlistId}`,
};
