import { KMSClient } from '@aws-sdk/client-kms';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { ServiceConfig } from '#config';
import { tracer } from '#observability';
import { DomainStore } from '#store/domain-store';
import { documentClient } from '#store/dynamodb';
import { EncryptionKeys } from '#store/encryption-keys';
import { FraudsterStore } from '#store/fraudster-store';
import { IdempotencyStore } from '#store/idempotency-store';
import { PageTokens } from '#store/page-tokens';
import { QuotaCounters } from '#store/quota-counters';
import { SpeakerStore } from '#store/speaker-store';
import { WatchlistStore } from '#store/watchlist-store';

/** What every operation may use. Built once per process (cold start) and shared by all requests. */
export interface OperationContext {
  region: string;
  accountId: string;
  quotas: ServiceConfig['quotas'];
  domains: DomainStore;
  watchlists: WatchlistStore;
  speakers: SpeakerStore;
  fraudsters: FraudsterStore;
  idempotency: IdempotencyStore;
  pageTokens: PageTokens;
  encryptionKeys: EncryptionKeys;
  now: () => number;
}

export async function createContext(config: ServiceConfig): Promise<OperationContext> {
  const dynamo = documentClient(config);
  const secret =
    'value' in config.tokenSecret
      ? config.tokenSecret.value
      : await getSecret<string>(config.tokenSecret.secretArn, { maxAge: 3600 });
  if (!secret) throw new Error('The pagination token secret is empty.');
  const counters = new QuotaCounters(config.tables.counters);
  const watchlists = new WatchlistStore(dynamo, config.tables, counters);
  return {
    region: config.region,
    accountId: config.accountId,
    quotas: config.quotas,
    domains: new DomainStore(dynamo, config.tables, counters),
    watchlists,
    speakers: new SpeakerStore(dynamo, config.tables, counters),
    fraudsters: new FraudsterStore(dynamo, config.tables, counters, watchlists),
    idempotency: new IdempotencyStore(dynamo, config.tables.idempotency),
    pageTokens: new PageTokens(secret),
    encryptionKeys: new EncryptionKeys(
      tracer.captureAWSv3Client(new KMSClient({ region: config.region, endpoint: config.endpoints.kms })),
    ),
    now: Date.now,
  };
}
