/** A Voice ID domain as the service stores it. Timestamps are epoch milliseconds. */
export interface DomainRecord {
  domainId: string;
  name: string;
  description?: string;
  kmsKeyId: string;
  status: 'ACTIVE' | 'PENDING' | 'SUSPENDED';
  defaultWatchlistId: string;
  encryptionUpdate?: {
    oldKmsKeyId: string;
    status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
    message?: string;
  };
  tags: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** After DeleteDomain, a domain's data is kept this long before it is erased (Voice ID's soft delete). */
export const DELETED_DOMAIN_RETENTION_MS = 30 * 24 * 3600 * 1000;

export function domainArn(region: string, accountId: string, domainId: string): string {
  return `arn:aws:voiceid:${region}:${accountId}:domain/${domainId}`;
}

/** The API's timestamps are epoch seconds. */
export const toEpochSeconds = (ms: number) => ms / 1000;

/** The Domain / DomainSummary shape of the API (they have the same members). */
export function presentDomain(domain: DomainRecord, region: string, accountId: string) {
  return {
    Arn: domainArn(region, accountId, domain.domainId),
    DomainId: domain.domainId,
    Name: domain.name,
    Description: domain.description,
    DomainStatus: domain.status,
    ServerSideEncryptionConfiguration: { KmsKeyId: domain.kmsKeyId },
    ServerSideEncryptionUpdateDetails: domain.encryptionUpdate && {
      OldKmsKeyId: domain.encryptionUpdate.oldKmsKeyId,
      UpdateStatus: domain.encryptionUpdate.status,
      Message: domain.encryptionUpdate.message,
    },
    WatchlistDetails: { DefaultWatchlistId: domain.defaultWatchlistId },
    CreatedAt: toEpochSeconds(domain.createdAt),
    UpdatedAt: toEpochSeconds(domain.updatedAt),
  };
}
