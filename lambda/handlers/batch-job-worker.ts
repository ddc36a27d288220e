import type { JobReference } from '#api-model/job';
import { loadConfig } from '#config';
import { lazy } from '#lazy';
import { activeJobs, failJob, finishJob, prepareJob, processBatch } from '#operations/batch-job-tasks';
import { createContext } from '#operations/context';

/** A task of the batch job state machine (lib/constructs/batch-jobs.ts), as its states invoke the worker. */
export type BatchJobTask =
  | { task: 'prepare'; job: JobReference }
  | { task: 'process-batch'; job: JobReference; batch: number }
  | { task: 'finish'; job: JobReference }
  | { task: 'fail'; job: JobReference }
  /** The embedded stack's, at start: the jobs a stop interrupted, to run again. */
  | { task: 'active-jobs' };

const operationContext = lazy(() => createContext(loadConfig()));

export async function handler(event: BatchJobTask): Promise<unknown> {
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
  }
}
