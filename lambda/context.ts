import type { ModelScoring } from '#biometrics/scoring';
import type { SpeechEngine } from '#biometrics/speech-engine';
import type { AuditEvents } from '#ports/audit-events';
import type { ClientTokens } from '#ports/client-tokens';
import type { Domains } from '#ports/domains';
import type { DomainKeys, KeyChecks, ReEncryptionRuns } from '#ports/encryption';
import type { Fraudsters } from '#ports/fraudsters';
import type { JobFiles, JobRuns, Jobs } from '#ports/jobs';
import type { NextTokens } from '#ports/page';
import type { Sessions } from '#ports/sessions';
import type { Speakers } from '#ports/speakers';
import type { Voiceprints } from '#ports/voiceprints';
import type { Watchlists } from '#ports/watchlists';
import type { ServiceConfig } from './config.ts';

/**
 * What operations, rules and workflows may use: the stores' ports and the services, made once per process
 * (lambda/composition.ts) and shared by all requests. Each operation declares the members it uses (`uses` in
 * defineOperation) and is handed only those; rules and workflows name theirs likewise (`Needs<...>`), so a
 * signature says what it touches.
 */
export interface ServiceContext {
  domains: Domains;
  watchlists: Watchlists;
  speakers: Speakers;
  fraudsters: Fraudsters;
  /** ClientToken records, written with the change they guard. */
  idempotency: ClientTokens;
  voiceprints: Voiceprints;
  sessions: Sessions;
  /** Checks of a customer's KMS key before a domain is given it. */
  encryptionKeys: KeyChecks;
  jobs: Jobs;
  /** The customer's manifests, recordings and output files, under a job's role. */
  jobFiles: JobFiles;
  jobExecutions: JobRuns;
  /** Runs of the state machine that re-encrypts a domain's data after UpdateDomain changed its key. */
  reEncryptions: ReEncryptionRuns;
  /** The domains' keys, for what spans stores (re-encryption asks for the key ARN of new values). */
  encryption: DomainKeys;
  /** Audit events of transactions (EventBridge in AWS, a file locally): ids and decisions, never biometrics. */
  auditEvents: AuditEvents;
  region: string;
  accountId: string;
  quotas: ServiceConfig['quotas'];
  /** Voice ID's three years, or a deployment's shorter period. */
  speakerExpiryMs: number;
  /** What a batch job's DataAccessRoleArn must start with after `role/`, in this account (lambda/rules/data-access-role.ts). */
  dataAccessRolePrefix: string;
  /** The KMS keys domains may be given; empty allows any the service may use (lambda/rules/domain-keys.ts). */
  domainKmsKeys: string[];
  /** NextTokens' sealer, made on first use: only the List operations need its secret (the worker and sweeper never do). */
  pageTokens: () => Promise<NextTokens>;
  /** Speech detection and embedding of live audio: in the request's thread in Lambda, on worker threads locally. */
  speech: SpeechEngine;
  /** Each speaker model's score calibration and shipped cohort: the shipped ones, or an operator's (SCORE_CALIBRATION_FILE). */
  scoring: ModelScoring;
  /** The one clock of the service: every "now" of a request, a workflow and a store is read from it. */
  now: () => number;
}

/** The part of the context a piece of code uses. */
export type Needs<K extends keyof ServiceContext> = Pick<ServiceContext, K>;
