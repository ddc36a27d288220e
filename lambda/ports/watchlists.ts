import type { WatchlistRecord } from '#api-model/watchlist';
import type { Page, PagePosition } from './page.ts';
import type { StagedWrite } from './staged-write.ts';

export interface Watchlists {
  /** Creates the watchlist within the domain's watchlist quota. */
  create(watchlist: WatchlistRecord, quota: number, tokenClaim?: StagedWrite): Promise<void>;
  get(domainId: string, watchlistId: string): Promise<WatchlistRecord | undefined>;
  /** The watchlist, or ResourceNotFoundException WATCHLIST. */
  require(domainId: string, watchlistId: string): Promise<WatchlistRecord>;
  replace(expected: WatchlistRecord, next: WatchlistRecord): Promise<void>;
  /** Deletes an empty, non-default watchlist (ConflictException otherwise). */
  delete(watchlist: WatchlistRecord): Promise<void>;
  list(domainId: string, limit: number, startKey?: PagePosition): Promise<Page<WatchlistRecord>>;
}
