import { KMSClient } from '@aws-sdk/client-kms';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { ServiceConfig } from '#config';
import { DomainStore } from '#store/domain-store';
import { documentClient } from '#store/dynamodb';
import { EncryptionKeys } from '#store/encryption-keys';
import { IdempotencyStore } from '#store/idempotency-store';
import { PageTokens } from '#store/page-tokens';

/** What every operation may use. Built once per process (cold start) and shared by all requests. */
export interface OperationContext {
  region: string;
  accountId: string;
  domains: DomainStore;
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
  return {
    region: config.region,
    accountId: config.accountId,
    domains: new DomainStore(dynamo, config.tables),
    idempotency: new IdempotencyStore(dynamo, config.tables.idempotency),
    pageTokens: new PageTokens(secret),
    encryptionKeys: new EncryptionKeys(new KMSClient({ region: config.region, endpoint: config.endpoints.kms })),
    now: Date.now,
  };
}
