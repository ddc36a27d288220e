import type { DomainKey } from './domains.ts';
import type { ReEncryptable } from './encryption.ts';
import type { StagedWrite } from './staged-write.ts';

/** Whose voiceprint: an enrolled speaker's or a registered fraudster's (GeneratedSpeakerId / GeneratedFraudsterId). */
export interface VoiceprintOwner {
  kind: 'speaker' | 'fraudster';
  id: string;
}

/** A voiceprint as scoring uses it; the vector exists in memory only, never in a table or a log. */
export interface StoredVoiceprint {
  /** The model that made it: scoring refuses to compare voiceprints of different models. */
  model: string;
  vector: Float32Array;
}

/** Enrolled speakers' voiceprints by GeneratedSpeakerId; each has its model, which scoring checks. */
export type StoredCohort = ({ id: string } & StoredVoiceprint)[];

/** Voiceprints, sealed under their domain's KMS key; they are written only together with their owner's change. */
export interface Voiceprints extends ReEncryptable {
  /** The domain's enrolled voices that scores are normalised against (cached for a minute per process). */
  cohort(domain: DomainKey): Promise<StoredCohort>;
  /** The sealed voiceprint, for the owner's store to write in the same transaction as the owner. */
  seal(domain: DomainKey, owner: VoiceprintOwner, voiceprint: StoredVoiceprint, nowMs: number, expiresAtMs?: number): Promise<StagedWrite>;
  /** The owner's voiceprint written at `version` (the owner's updatedAt), decrypted; undefined when there is none. */
  get(domain: DomainKey, owner: VoiceprintOwner, version: number): Promise<StoredVoiceprint | undefined>;
  fraudsterVoiceprints(domain: DomainKey, fraudsterIds: string[]): Promise<Map<string, StoredVoiceprint>>;
  /** Which voiceprints the domain holds and under which key: the compliance report's, never a vector. */
  inventory(domainId: string): Promise<{ owner: VoiceprintOwner; kmsKeyArn: string }[]>;
}
