import { toEpochSeconds } from './domain.ts';

export type SpeakerStatus = 'ENROLLED' | 'EXPIRED' | 'OPTED_OUT' | 'PENDING';

/** A speaker as stored. Voiceprints live apart (encrypted), so that purging them keeps this audit record. */
export interface SpeakerRecord {
  domainId: string;
  /** The GeneratedSpeakerId, `id#` + 22 alphanumerics. */
  speakerId: string;
  customerSpeakerId: string;
  status: SpeakerStatus;
  createdAt: number;
  updatedAt: number;
  /** Last enrollment, re-enrollment or successful authentication. */
  lastAccessedAt?: number;
}

/** GeneratedSpeakerId and GeneratedFraudsterId, as opposed to a CustomerSpeakerId (which cannot contain `#`). */
export const GENERATED_ID_PATTERN = /^id#[a-zA-Z0-9]{22}$/;

export const HOUR_MS = 3600 * 1000;

/** When a speaker was last enrolled, re-enrolled or authenticated. */
export const lastAccess = (speaker: SpeakerRecord) => speaker.lastAccessedAt ?? speaker.createdAt;

/**
 * Voice ID's compliance rule: a speaker not enrolled, re-enrolled or successfully authenticated for `expiryMs`
 * (three years, or a deployment's shorter period) has expired, whether or not the daily sweep has marked it yet.
 */
export function isExpired(speaker: SpeakerRecord, nowMs: number, expiryMs: number): boolean {
  return speaker.status === 'EXPIRED' || (speaker.status === 'ENROLLED' && nowMs - lastAccess(speaker) >= expiryMs);
}

/** The speaker as every read reports it: an overdue one is EXPIRED before the sweep has marked it (TTL and the sweep lag). */
export function asOf(speaker: SpeakerRecord, nowMs: number, expiryMs: number): SpeakerRecord {
  return speaker.status === 'ENROLLED' && isExpired(speaker, nowMs, expiryMs) ? { ...speaker, status: 'EXPIRED' } : speaker;
}

/** The Speaker / SpeakerSummary shape of the API. LastAccessedAt is accurate to the hour, as Voice ID documents. */
export function presentSpeaker(speaker: SpeakerRecord) {
  return {
    DomainId: speaker.domainId,
    GeneratedSpeakerId: speaker.speakerId,
    CustomerSpeakerId: speaker.customerSpeakerId,
    Status: speaker.status,
    CreatedAt: toEpochSeconds(speaker.createdAt),
    UpdatedAt: toEpochSeconds(speaker.updatedAt),
    LastAccessedAt:
      speaker.lastAccessedAt === undefined ? undefined : toEpochSeconds(Math.floor(speaker.lastAccessedAt / HOUR_MS) * HOUR_MS),
  };
}
