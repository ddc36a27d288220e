import type { Needs } from '#context';
import { logger } from '#observability';

/**
 * The daily sweep's second duty: speakers not enrolled, re-enrolled or authenticated within the expiry period
 * become EXPIRED, and their voiceprints and the speech of their sessions are purged. Reads treat such speakers as
 * expired already; this makes it so in the tables. Safe to run twice, or beside itself: each speaker is expired by
 * a conditional write that only an overdue, enrolled speaker passes.
 */
export async function expireSpeakers(
  ctx: Needs<'now' | 'sessions' | 'speakerExpiryMs' | 'speakers'>,
): Promise<{ expiredSpeakers: number }> {
  const now = ctx.now();
  const cutoff = now - ctx.speakerExpiryMs;
  let expiredSpeakers = 0;
  for await (const page of ctx.speakers.overdue(cutoff)) {
    const byDomain = new Map<string, string[]>();
    for (const speaker of page) {
      if (!(await ctx.speakers.expire(speaker, cutoff, now))) continue;
      expiredSpeakers++;
      byDomain.set(speaker.domainId, [...(byDomain.get(speaker.domainId) ?? []), speaker.speakerId, speaker.customerSpeakerId]);
    }
    for (const [domainId, speakerIds] of byDomain) await ctx.sessions.purgeSpeakerStreams(domainId, speakerIds, now);
  }
  if (expiredSpeakers) logger.info('Expired speakers', { expiredSpeakers });
  return { expiredSpeakers };
}
