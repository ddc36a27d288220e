import { DELETED_DOMAIN_RETENTION_MS } from '#api-model/domain';
import type { Needs } from '#context';
import { logger } from '#observability';

/** The daily sweep's first duty: erase every domain deleted longer ago than Voice ID's 30-day retention. */
export async function eraseDeletedDomains(ctx: Needs<'domains' | 'now'>): Promise<{ erasedDomains: number }> {
  await ctx.domains.keepDeletedFindable();
  const ids = await ctx.domains.deletedBefore(ctx.now() - DELETED_DOMAIN_RETENTION_MS);
  for (const domainId of ids) {
    await ctx.domains.erase(domainId);
    logger.info('Erased deleted domain', { domainId });
  }
  return { erasedDomains: ids.length };
}
