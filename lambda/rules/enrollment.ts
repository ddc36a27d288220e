import type { DomainRecord } from '#api-model/domain';
import { ConflictException, ValidationException } from '#api-model/errors';
import type { FraudsterRecord } from '#api-model/fraudster';
import { newPrefixedId } from '#api-model/ids';
import { isExpired, type SpeakerRecord } from '#api-model/speaker';
import { DomainScorer, type FraudRisk } from '#biometrics/scoring';
import type { Voiceprint } from '#biometrics/voiceprint';
import type { Needs } from '#context';
import type { StagedWrite } from '#ports/staged-write';

/**
 * Enrollment and registration as every path does them (a session's caller, a batch job's recordings), so that
 * the rules (SKIP / OVERWRITE, opted-out speakers, quotas, one voiceprint per speaker) live in one place.
 */

export type EnrollmentStatus = 'DUPLICATE_SKIPPED' | 'NEW_ENROLLMENT' | 'ENROLLMENT_OVERWRITE';

export interface EnrollmentRequest {
  /** A CustomerSpeakerId, or a GeneratedSpeakerId of a speaker of the domain. */
  speakerId: string;
  existingEnrollmentAction: 'SKIP' | 'OVERWRITE';
  /** Called only when the speaker is to be enrolled, so that a skipped duplicate costs no biometrics. */
  voiceprint: () => Promise<Voiceprint>;
  /** Written in the same transaction as the enrollment (a batch entry's result). */
  also?: (speaker: SpeakerRecord, status: EnrollmentStatus) => StagedWrite;
}

/**
 * Enrolls a speaker with a new voiceprint, or re-enrolls it. An enrolled speaker keeps its voiceprint under SKIP
 * (DUPLICATE_SKIPPED, nothing written); an expired one is enrolled again, since it no longer has a voiceprint to
 * keep; an opted-out speaker is refused (ConflictException SPEAKER_OPTED_OUT).
 */
export async function enrollSpeaker(
  ctx: Needs<'now' | 'quotas' | 'speakerExpiryMs' | 'speakers' | 'voiceprints'>,
  domain: DomainRecord,
  request: EnrollmentRequest,
): Promise<{ speaker: SpeakerRecord; status: EnrollmentStatus }> {
  const existing = await ctx.speakers.find(domain.domainId, request.speakerId);
  if (existing?.status === 'OPTED_OUT') {
    throw new ConflictException(
      'SPEAKER_OPTED_OUT',
      `The speaker ${existing.customerSpeakerId} opted out of voice authentication and cannot be enrolled.`,
    );
  }
  const now = ctx.now();
  const enrolled = existing?.status === 'ENROLLED' && !isExpired(existing, now, ctx.speakerExpiryMs);
  if (existing && enrolled && request.existingEnrollmentAction === 'SKIP') return { speaker: existing, status: 'DUPLICATE_SKIPPED' };
  const voiceprint = await request.voiceprint();
  const status: EnrollmentStatus = enrolled ? 'ENROLLMENT_OVERWRITE' : 'NEW_ENROLLMENT';
  if (existing) {
    const sealed = await ctx.voiceprints.seal(
      domain,
      { kind: 'speaker', id: existing.speakerId },
      voiceprint,
      now,
      now + ctx.speakerExpiryMs,
    );
    const next = { ...existing, status: 'ENROLLED' as const };
    const also = request.also ? [request.also(next, status)] : [];
    return { speaker: await ctx.speakers.changeStatus(existing, 'ENROLLED', now, sealed, ...also), status };
  }
  const speaker: SpeakerRecord = {
    domainId: domain.domainId,
    speakerId: newPrefixedId(),
    customerSpeakerId: request.speakerId,
    status: 'ENROLLED',
    createdAt: now,
    updatedAt: now,
    lastAccessedAt: now,
  };
  const sealed = await ctx.voiceprints.seal(domain, { kind: 'speaker', id: speaker.speakerId }, voiceprint, now, now + ctx.speakerExpiryMs);
  await ctx.speakers.create(speaker, ctx.quotas.speakersPerDomain, sealed, ...(request.also ? [request.also(speaker, status)] : []));
  return { speaker, status };
}

/** Registers a new fraudster with its voiceprint on the given watchlists (which the caller has checked). */
export async function registerFraudster(
  ctx: Needs<'fraudsters' | 'now' | 'quotas' | 'voiceprints'>,
  domain: DomainRecord,
  watchlistIds: string[],
  voiceprint: Voiceprint,
  also?: (fraudster: FraudsterRecord) => StagedWrite,
): Promise<FraudsterRecord> {
  const now = ctx.now();
  const fraudster: FraudsterRecord = {
    domainId: domain.domainId,
    fraudsterId: newPrefixedId(),
    watchlistIds,
    createdAt: now,
    updatedAt: now,
  };
  const sealed = await ctx.voiceprints.seal(domain, { kind: 'fraudster', id: fraudster.fraudsterId }, voiceprint, now);
  await ctx.fraudsters.create(fraudster, ctx.quotas.fraudstersPerWatchlist, sealed, ...(also ? [also(fraudster)] : []));
  return fraudster;
}

/** How close a voice comes to the fraudsters of a watchlist: the score and id of the closest one. */
export async function screenAgainstWatchlist(
  ctx: Needs<'fraudsters' | 'scoring' | 'voiceprints'>,
  domain: DomainRecord,
  watchlistId: string,
  voice: Voiceprint,
  threshold: number,
): Promise<FraudRisk> {
  const fraudsterIds = await ctx.fraudsters.idsOn(domain.domainId, watchlistId);
  const voiceprints = await ctx.voiceprints.fraudsterVoiceprints(domain, fraudsterIds);
  const fraudsters = [...voiceprints].map(([id, voiceprint]) => {
    requireSameModel(voiceprint.model, voice.model, `The fraudster ${id}`);
    return { id, voiceprint: { ...voiceprint, speechSeconds: 0 } };
  });
  // An empty watchlist needs no cohort: nothing is compared.
  if (fraudsters.length === 0) return { riskScore: 0, decision: 'LOW_RISK' };
  return (await domainScorer(ctx, domain)).fraudRisk(voice, fraudsters, threshold);
}

/** Scores against the domain's own enrolled voices, the cohort that gives scores their meaning on its lines. */
export async function domainScorer(ctx: Needs<'scoring' | 'voiceprints'>, domain: DomainRecord): Promise<DomainScorer> {
  return new DomainScorer(ctx.scoring, await ctx.voiceprints.cohort(domain));
}

/** Scores of different speaker models mean nothing against each other: say so rather than compare. */
export function requireSameModel(stored: string, live: string, owner: string): void {
  if (stored !== live) {
    throw new ValidationException(
      `${owner} has a voiceprint of the speaker model ${stored}, but this deployment runs ${live}. Enroll or register it again to compare it.`,
    );
  }
}
