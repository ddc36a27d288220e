import type { Needs } from '#context';
import { logger } from '#observability';
import { KmsKeyRefused, type ReEncryptionTarget } from '#ports/encryption';
import { recordReEncryptionEnd } from '#rules/re-encryption';

/**
 * Re-encryption of a domain's data after UpdateDomain moved it to a new KMS key, one task per state of the
 * re-encryption state machine (lib/constructs/domain-re-encryption.ts): `re-encrypt-domain` takes one page per
 * invocation, voiceprints then session speech, and a pass that found nothing under another key ends it COMPLETED.
 * Every value is re-sealed under the domain's current key and written only if it is still what was read, so runs
 * may overlap or be repeated: a FAILED or cut-short run is resumed by running it again.
 */

/** Where a run is: the phase, the page it starts at, which pass over the domain, and what this pass found. */
export interface ReEncryptionPosition {
  phase: 'voiceprints' | 'sessions';
  after?: Record<string, unknown>;
  pass: number;
  found: number;
  done: boolean;
}

/**
 * Passes over the domain before a run gives up: one re-seals, the next checks that nothing written meanwhile
 * (by a request that read the domain before its key changed) is left under the old key.
 */
const MAX_PASSES = 10;

/** Processes one page; the state machine calls it again with what it returns until `done`. */
export async function reEncryptDomainPage(
  ctx: Needs<'domains' | 'encryption' | 'now' | 'sessions' | 'voiceprints'>,
  target: ReEncryptionTarget,
  position: ReEncryptionPosition,
): Promise<ReEncryptionPosition> {
  const domain = await ctx.domains.get(target.domainId);
  // A deleted domain, or one that moved on to another key (this run is stale), has nothing left for this run.
  if (!domain || domain.kmsKeyId !== target.kmsKeyId || domain.encryptionUpdate?.status !== 'IN_PROGRESS') {
    return { ...position, done: true };
  }
  try {
    const keyArn = await ctx.encryption.keyArn(domain);
    const store = position.phase === 'voiceprints' ? ctx.voiceprints : ctx.sessions;
    const page = await store.reEncryptPage(domain, keyArn, position.after);
    const found = position.found + page.found;
    if (page.lastKey) return { ...position, after: page.lastKey, found };
    if (position.phase === 'voiceprints') return { phase: 'sessions', pass: position.pass, found, done: false };
    if (found === 0) {
      await recordReEncryptionEnd(ctx, target, 'COMPLETED');
      return { ...position, after: undefined, found, done: true };
    }
    if (position.pass >= MAX_PASSES) {
      await recordReEncryptionEnd(
        ctx,
        target,
        'FAILED',
        `Values of the domain were still being written under an earlier key after ${MAX_PASSES} passes. Call UpdateDomain again with KmsKeyId ${target.kmsKeyId} to resume.`,
      );
      return { ...position, after: undefined, found, done: true };
    }
    return { phase: 'voiceprints', pass: position.pass + 1, found: 0, done: false };
  } catch (error) {
    if (!(error instanceof KmsKeyRefused)) throw error;
    await recordReEncryptionEnd(
      ctx,
      target,
      'FAILED',
      `Re-encryption under ${target.kmsKeyId} stopped: KMS refused kms:${error.action} on the key ${error.keyId} (${error.reason}). Enable that key and allow this service to use it, then call UpdateDomain again with KmsKeyId ${target.kmsKeyId} to resume.`,
    );
    return { ...position, done: true };
  }
}

/** Ends a run that gave up on an unexpected fault (retried first by the state machine; logged with the domain). */
export async function failReEncryption(ctx: Needs<'domains' | 'now'>, target: ReEncryptionTarget): Promise<{ status: string }> {
  logger.error('A domain re-encryption gave up on a fault', { domainId: target.domainId });
  await recordReEncryptionEnd(
    ctx,
    target,
    'FAILED',
    `Re-encryption under ${target.kmsKeyId} stopped on an internal error. Call UpdateDomain again with KmsKeyId ${target.kmsKeyId} to resume.`,
  );
  return { status: 'FAILED' };
}

/** Domains whose re-encryption is IN_PROGRESS: the embedded stack runs them again at start (a stop cut them short). */
export async function activeReEncryptions(ctx: Needs<'domains'>): Promise<ReEncryptionTarget[]> {
  return ctx.domains.reEncryptionsInProgress();
}
