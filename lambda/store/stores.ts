import { KMSClient } from '@aws-sdk/client-kms';
import type { ServiceConfig } from '#config';
import { tracer } from '#observability';
import { openAuditEvents } from './audit-events.ts';
import { DomainStore } from './domain-store.ts';
import { documentClient } from './dynamodb.ts';
import { EncryptionKeys } from './encryption-keys.ts';
import { DomainEncryption, EnvelopeEncryption } from './envelope.ts';
import { openExecutions } from './executions.ts';
import { FraudsterStore } from './fraudster-store.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { S3JobFiles } from './job-files.ts';
import { JobStore } from './job-store.ts';
import { QuotaCounters } from './quota-counters.ts';
import { SessionStore } from './session-store.ts';
import { SpeakerStore } from './speaker-store.ts';
import { VoiceprintStore } from './voiceprint-store.ts';
import { WatchlistStore } from './watchlist-store.ts';

/**
 * Every store of the service on one DynamoDB client and one KMS client per process, each behind the port the
 * context names it by (lambda/context.ts). `now` is the context's clock, for the stores' own caches.
 */
export function openStores(config: ServiceConfig, now: () => number) {
  const dynamo = documentClient(config);
  const kms = tracer.captureAWSv3Client(new KMSClient({ region: config.region, endpoint: config.endpoints.kms }));
  const counters = new QuotaCounters(config.tables.counters);
  const watchlists = new WatchlistStore(dynamo, config.tables, counters);
  const encryption = new DomainEncryption(new EnvelopeEncryption(kms, now), config.region, config.accountId);
  const voiceprints = new VoiceprintStore(dynamo, config.tables.voiceprints, encryption, now);
  const domains = new DomainStore(dynamo, config.tables, counters);
  return {
    domains,
    watchlists,
    speakers: new SpeakerStore(dynamo, config.tables, counters, voiceprints),
    fraudsters: new FraudsterStore(dynamo, config.tables, counters, watchlists, voiceprints),
    voiceprints,
    sessions: new SessionStore(dynamo, config.tables.sessions, encryption, domains),
    idempotency: new IdempotencyStore(dynamo, config.tables.idempotency),
    encryptionKeys: new EncryptionKeys(kms),
    jobs: new JobStore(dynamo, config.tables.jobs),
    jobFiles: new S3JobFiles(config, now),
    ...openExecutions(config),
    encryption,
    auditEvents: openAuditEvents(config),
  };
}
