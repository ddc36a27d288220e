import type { DomainRecord } from '#api-model/domain';
import type { WatchlistRecord } from '#api-model/watchlist';
import type { Page, PagePosition } from './page.ts';
import type { StagedWrite } from './staged-write.ts';

/** What a domain's encryption is keyed by: a DomainRecord is one. */
export interface DomainKey {
  domainId: string;
  kmsKeyId: string;
}

/** Domains of the account, with their quota, soft deletion and erasure. */
export interface Domains {
  /** Creates the domain with its default watchlist, within the account's domain quota. */
  create(domain: DomainRecord, defaultWatchlist: WatchlistRecord, domainQuota: number, tokenClaim?: StagedWrite): Promise<void>;
  /** The domain; undefined when it does not exist or was deleted. */
  get(domainId: string): Promise<DomainRecord | undefined>;
  /** The domain, which must exist (ResourceNotFoundException DOMAIN): every domain-scoped operation starts here. */
  require(domainId: string): Promise<DomainRecord>;
  /** Writes `next` if the domain is still `expected`; else ConflictException CONCURRENT_CHANGES. */
  replace(expected: DomainRecord, next: DomainRecord): Promise<void>;
  replaceTags(expected: DomainRecord, tags: Record<string, string>): Promise<void>;
  /** DeleteDomain's soft delete: the domain stops working now and is erased later. */
  markDeleted(domainId: string, nowMs: number): Promise<void>;
  list(limit: number, startKey?: PagePosition): Promise<Page<DomainRecord>>;
  /** Domains deleted before the cutoff: due for erasure. */
  deletedBefore(cutoffMs: number): Promise<string[]>;
  /** Takes the TTL off deleted domains' items that an older version gave one, so that only the erasure removes them. */
  keepDeletedFindable(): Promise<number>;
  reEncryptionsInProgress(): Promise<{ domainId: string; kmsKeyId: string }[]>;
  /** Erases everything of a deleted domain. */
  erase(domainId: string): Promise<void>;
}
