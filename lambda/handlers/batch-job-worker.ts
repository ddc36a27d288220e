import { contextOnFirstUse } from '#composition';
import type { ServiceContext } from '#context';
import { instrumented, withCorrelationId } from '#observability';
import { activeJobs, failJob, finishJob, prepareJob, processBatch } from '#workflows/batch-job-tasks';
import { activeReEncryptions, failReEncryption, reEncryptDomainPage } from '#workflows/domain-re-encryption';
import type { WorkerTask, WorkerTaskName, WorkerTasks } from '#workflows/worker-tasks';

const serviceContext = contextOnFirstUse();

/** The workflow step that answers each task (lambda/workflows/worker-tasks.ts declares them). */
const tasks: { [N in WorkerTaskName]: (ctx: ServiceContext, event: WorkerTasks[N]) => Promise<unknown> } = {
  prepare: (ctx, { job }) => prepareJob(ctx, job),
  'process-batch': (ctx, { job, batch }) => processBatch(ctx, job, batch),
  finish: (ctx, { job }) => finishJob(ctx, job),
  fail: (ctx, { job }) => failJob(ctx, job),
  'active-jobs': (ctx) => activeJobs(ctx),
  're-encrypt-domain': (ctx, { domainId, kmsKeyId, position }) => reEncryptDomainPage(ctx, { domainId, kmsKeyId }, position),
  're-encryption-failed': (ctx, { domainId, kmsKeyId }) => failReEncryption(ctx, { domainId, kmsKeyId }),
  'active-re-encryptions': (ctx) => activeReEncryptions(ctx),
};

/**
 * A task of the batch job state machine (lib/constructs/batch-jobs.ts) or of the domain re-encryption state
 * machine (lib/constructs/domain-re-encryption.ts), as their states invoke the worker: with the run's correlation
 * id, that of the request that started it.
 */
export const handler = instrumented((event: WorkerTask) =>
  event.correlationId ? withCorrelationId(event.correlationId, () => run(event)) : run(event),
);

async function run(event: WorkerTask): Promise<unknown> {
  const answer = tasks[event.task] as (ctx: ServiceContext, event: WorkerTask) => Promise<unknown>;
  return answer(await serviceContext(), event);
}
