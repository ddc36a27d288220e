import { loadConfig } from '#config';
import { failAbandonedJobs } from '#operations/batch-job-tasks';
import { createContext } from '#operations/context';
import { eraseDeletedDomains } from '#operations/erase-deleted-domains';
import { expireSpeakers } from '#operations/expire-speakers';

/** Invoked daily by EventBridge Scheduler (in AWS) or by the embedded stack's timer. */
export async function handler(): Promise<{ erasedDomains: number; expiredSpeakers: number; abandonedJobs: number }> {
  const ctx = await createContext(loadConfig());
  return { ...(await eraseDeletedDomains(ctx)), ...(await expireSpeakers(ctx)), ...(await failAbandonedJobs(ctx)) };
}
