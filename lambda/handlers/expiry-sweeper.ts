import { loadConfig } from '#config';
import { createContext } from '#operations/context';
import { eraseDeletedDomains } from '#operations/erase-deleted-domains';

/** Invoked daily by EventBridge Scheduler (in AWS) or by the embedded stack's timer. */
export async function handler(): Promise<{ erasedDomains: number }> {
  return eraseDeletedDomains(await createContext(loadConfig()));
}
