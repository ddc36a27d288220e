import { KMSClient } from '@aws-sdk/client-kms';
import type { ServiceConfig } from '#config';
import { tracer } from '#observability';
import { openAuditEvents, type AuditEvents } from './audit-events.ts';
import { DomainStore } from './domain-store.ts';
import { documentClient } from './dynamodb.ts';
import { EncryptionKeys } from './encryption-keys.ts';
import { openExecutions, type JobExecutions, type ReEncryptionExecutions } from './executions.ts';
import { DomainEncryption, EnvelopeEncryption } from './envelope.ts';
import { FraudsterStore } from './fraudster-store.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { JobFiles } from './job-files.ts';
import { JobStore } from './job-store.ts';
import { QuotaCounters } from './quota-counters.ts';
import { SessionStore } from './session-store.ts';
import { SpeakerStore } from './speaker-store.ts';
import { VoiceprintStore } from './voiceprint-store.ts';
import { WatchlistStore } from './watchlist-store.ts';

/** Every store of the service, on one DynamoDB client and one KMS client per process. */
export interface Stores {
  domains: DomainStore;
  watchlists: WatchlistStore;
  speakers: SpeakerStore;
  fraudsters: FraudsterStore;
  idempotency: IdempotencyStore;
  voiceprints: VoiceprintStore;
  sessions: SessionStore;
  encryptionKeys: EncryptionKeys;
  jobs: JobStore;
  /** The customer's manifests, recordings and output files, under a job's role. */
  jobFiles: JobFiles;
  jobExecutions: JobExecutions;
  /** Runs of the state machine that re-encrypts a domain's data after UpdateDomain changed its key. */
  reEncryptions: ReEncryptionExecutions;
  /** The domains' envelope encryption, for what spans stores (re-encryption asks for the key ARN of new values). */
  encryption: DomainEncryption;
  /** Audit events of transactions (EventBridge in AWS, a file locally): ids and decisions, never biometrics. */
  auditEvents: AuditEvents;
}

export function openStores(config: ServiceConfig): Stores {
  const dynamo = documentClient(config);
  const kms = tracer.captureAWSv3Client(new KMSClient({ region: config.region, endpoint: config.endpoints.kms }));
  const counters = new QuotaCounters(config.tables.counters);
  const watchlists = new WatchlistStore(dynamo, config.tables, counters);
  const encryption = new DomainEncryption(new EnvelopeEncryption(kms), config.region, config.accountId);
  const voiceprints = new VoiceprintStore(dynamo, config.tables.voiceprints, encryption);
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
    jobFiles: new JobFiles(config),
    ...openExecutions(config),
    encryption,
    auditEvents: openAuditEvents(config),
  };
}
