import { createContext } from '#composition';
import { loadConfig } from '#config';
import { lazy } from '#lazy';
import { instrumented } from '#observability';
import { failAbandonedJobs } from '#workflows/batch-job-tasks';
import { eraseDeletedDomains } from '#workflows/erase-deleted-domains';
import { expireSpeakers } from '#workflows/expire-speakers';

/** Invoked daily by EventBridge Scheduler (in AWS) or by the embedded stack's timer. */
const operationContext = lazy(() => createContext(loadConfig()));

export const handler = instrumented(async (): Promise<{ erasedDomains: number; expiredSpeakers: number; abandonedJobs: number }> => {
  const ctx = await operationContext();
  return { ...(await eraseDeletedDomains(ctx)), ...(await expireSpeakers(ctx)), ...(await failAbandonedJobs(ctx)) };
});
