import { contextOnFirstUse } from '#composition';
import { instrumented } from '#observability';
import { failAbandonedJobs } from '#workflows/batch-job-tasks';
import { eraseDeletedDomains } from '#workflows/erase-deleted-domains';
import { expireSpeakers } from '#workflows/expire-speakers';

const serviceContext = contextOnFirstUse();

/** Invoked daily by EventBridge Scheduler (in AWS) or by the embedded stack's timer. */
export const handler = instrumented(async (): Promise<{ erasedDomains: number; expiredSpeakers: number; abandonedJobs: number }> => {
  const ctx = await serviceContext();
  return { ...(await eraseDeletedDomains(ctx)), ...(await expireSpeakers(ctx)), ...(await failAbandonedJobs(ctx)) };
});
