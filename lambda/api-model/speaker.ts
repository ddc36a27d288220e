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

/**
 * Voice ID's compliance rule: a speaker not enrolled, re-enrolled or successfully authenticated for three years
 * has expired, whether or not the daily sweep has marked it yet.
 */
export const SPEAKER_EXPIRY_MS = 3 * 365 * 24 * HOUR_MS;

export function isExpired(speaker: SpeakerRecord, nowMs: number): boolean {
  return speaker.status === 'EXPIRED' || (speaker.status === 'ENROLLED' && nowMs - (speaker.lastAccessedAt ?? speaker.createdAt) >= SPEAKER_EXPIRY_MS);
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
      speaker.lastAccessedAt === undefined
        ? undefined
        : toEpochSeconds(Math.floor(speaker.lastAccessedAt / HOUR_MS) * HOUR_MS),
  };
}
