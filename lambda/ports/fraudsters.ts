import type { FraudsterRecord } from '#api-model/fraudster';
import type { Page, PagePosition } from './page.ts';
import type { StagedWrite } from './staged-write.ts';

/** Fraudsters of a domain and their watchlist memberships (a fraudster is always on at least one). */
export interface Fraudsters {
  get(domainId: string, fraudsterId: string): Promise<FraudsterRecord | undefined>;
  /** The fraudster, or ResourceNotFoundException FRAUDSTER. */
  require(domainId: string, fraudsterId: string): Promise<FraudsterRecord>;
  /** Creates the fraudster on its watchlists, within each one's quota, with its voiceprint and `also`. */
  create(fraudster: FraudsterRecord, quotaPerWatchlist: number, voiceprint?: StagedWrite, ...also: StagedWrite[]): Promise<void>;
  associate(expected: FraudsterRecord, watchlistId: string, nowMs: number, quotaPerWatchlist: number): Promise<FraudsterRecord>;
  disassociate(expected: FraudsterRecord, watchlistId: string, nowMs: number): Promise<FraudsterRecord>;
  /** Deletes the fraudster, its memberships and its voiceprint. */
  delete(fraudster: FraudsterRecord): Promise<void>;
  list(domainId: string, watchlistId: string | undefined, limit: number, startKey?: PagePosition): Promise<Page<FraudsterRecord>>;
  /** The GeneratedFraudsterIds on a watchlist: what a caller is screened against. */
  idsOn(domainId: string, watchlistId: string): Promise<string[]>;
}
