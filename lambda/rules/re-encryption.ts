import type { DomainRecord } from '#api-model/domain';
import { ConflictException } from '#api-model/errors';
import type { Needs } from '#context';
import type { ReEncryptionTarget } from '#ports/encryption';

/**
 * The status of a domain's re-encryption (ServerSideEncryptionUpdateDetails), as UpdateDomain starts a run and the
 * re-encryption workflow (lambda/workflows/domain-re-encryption.ts) ends it.
 */

/**
 * Starts a run for a domain that UpdateDomain just set IN_PROGRESS. A run that cannot be started leaves the domain
 * FAILED, saying how to resume, rather than IN_PROGRESS with nothing running (which would lock its key for good).
 */
export async function startReEncryption(ctx: Needs<'domains' | 'now' | 'reEncryptions'>, domain: DomainRecord): Promise<void> {
  const target = { domainId: domain.domainId, kmsKeyId: domain.kmsKeyId };
  try {
    await ctx.reEncryptions.start(target, `${domain.domainId}-${domain.updatedAt}`);
  } catch (error) {
    await recordReEncryptionEnd(
      ctx,
      target,
      'FAILED',
      `Re-encryption under ${target.kmsKeyId} could not be started. Call UpdateDomain again with KmsKeyId ${target.kmsKeyId} to resume.`,
    );
    throw error;
  }
}

/**
 * Records the end of the run for `target` on the domain, if the domain still is where the run left it (same key,
 * IN_PROGRESS). `updatedAt` moves, so that an UpdateDomain that read the domain before cannot write IN_PROGRESS
 * back over the result (it is refused as a concurrent change instead, and the client reads again).
 */
export async function recordReEncryptionEnd(
  ctx: Needs<'domains' | 'now'>,
  target: ReEncryptionTarget,
  status: 'COMPLETED' | 'FAILED',
  message?: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const domain = await ctx.domains.get(target.domainId);
    const update = domain?.encryptionUpdate;
    if (!domain || !update || domain.kmsKeyId !== target.kmsKeyId || update.status !== 'IN_PROGRESS') return;
    try {
      await ctx.domains.replace(domain, {
        ...domain,
        encryptionUpdate: { oldKmsKeyId: update.oldKmsKeyId, status, ...(message ? { message } : {}) },
        updatedAt: Math.max(ctx.now(), domain.updatedAt + 1),
      });
      return;
    } catch (error) {
      if (!(error instanceof ConflictException) || error.conflictType !== 'CONCURRENT_CHANGES' || attempt >= 5) throw error;
    }
  }
}
