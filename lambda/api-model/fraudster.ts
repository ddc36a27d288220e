import { toEpochSeconds } from './domain.ts';

/** A known fraudster. It always belongs to at least one watchlist of its domain. */
export interface FraudsterRecord {
  domainId: string;
  /** The GeneratedFraudsterId, `id#` + 22 alphanumerics. */
  fraudsterId: string;
  watchlistIds: string[];
  createdAt: number;
  updatedAt: number;
}

/** The Fraudster / FraudsterSummary shape of the API. */
export function presentFraudster(fraudster: FraudsterRecord) {
  return {
    DomainId: fraudster.domainId,
    GeneratedFraudsterId: fraudster.fraudsterId,
    WatchlistIds: fraudster.watchlistIds,
    CreatedAt: toEpochSeconds(fraudster.createdAt),
  };
}
