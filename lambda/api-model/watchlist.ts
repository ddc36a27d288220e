import { toEpochSeconds } from './domain.ts';

export interface WatchlistRecord {
  domainId: string;
  watchlistId: string;
  name: string;
  description?: string;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

export const DEFAULT_WATCHLIST_NAME = 'Default';

/** The Watchlist / WatchlistSummary shape of the API. */
export function presentWatchlist(watchlist: WatchlistRecord) {
  return {
    DomainId: watchlist.domainId,
    WatchlistId: watchlist.watchlistId,
    Name: watchlist.name,
    Description: watchlist.description,
    DefaultWatchlist: watchlist.isDefault,
    CreatedAt: toEpochSeconds(watchlist.createdAt),
    UpdatedAt: toEpochSeconds(watchlist.updatedAt),
  };
}
