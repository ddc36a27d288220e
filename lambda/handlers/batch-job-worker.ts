import type { JobReference } from '#api-model/job';
import { loadConfig } from '#config';
import { lazy } from '#lazy';
import { withCorrelationId } from '#observability';
import { activeJobs, failJob, finishJob, prepareJob, processBatch } from '#operations/batch-job-tasks';
import { createContext } from '#operations/context';
import { activeReEncryptions, failReEncryption, reEncryptDomainPage, type ReEncryptionPosition } from '#operations/domain-re-encryption';

/**
 * A task of the batch job state machine (lib/constructs/batch-jobs.ts) or of the domain re-encryption state
 * machine (lib/constructs/domain-re-encryption.ts), as their states invoke the worker: with the run's correlation
 * id, that of the request that started it.
 */
export type BatchJobTask = { correlationId?: string } & (
  | { task: 'prepare'; job: JobReference }
  | { task: 'process-batch'; job: JobReference; batch: number }
  | { task: 'finish'; job: JobReference }
  | { task: 'fail'; job: JobReference }
  /** The embedded stack's, at start: the jobs a stop interrupted, to run again. */
  | { task: 'active-jobs' }
  | { task: 're-encrypt-domain'; domainId: string; kmsKeyId: string; position: ReEncryptionPosition }
  | { task: 're-encryption-failed'; domainId: string; kmsKeyId: string }
  /** The embedded stack's, at start: the re-encryptions a stop interrupted, to run again. */
  | { task: 'active-re-encryptions' }
);

const operationContext = lazy(() => createContext(loadConfig()));

export function handler(event: BatchJobTask): Promise<unknown> {
  return event.correlationId ? withCorrelationId(event.correlationId, () => run(event)) : run(event);
}

async function run(event: BatchJobTask): Promise<unknown> {
  const ctx = await operationContext();
  switch (event.task) {
    case 'prepare':
      return prepareJob(ctx, event.job);
    case 'process-batch':
      return processBatch(ctx, event.job, event.batch);
    case 'finish':
      return finishJob(ctx, event.job);
    case 'fail':
      return failJob(ctx, event.job);
    case 'active-jobs':
      return activeJobs(ctx);
    case 're-encrypt-domain':
      return reEncryptDomainPage(ctx, { domainId: event.domainId, kmsKeyId: event.kmsKeyId }, event.position);
    case 're-encryption-failed':
      return failReEncryption(ctx, { domainId: event.domainId, kmsKeyId: event.kmsKeyId });
    case 'active-re-encryptions':
      return activeReEncryptions(ctx);
  }
}
