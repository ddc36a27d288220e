import { createHash } from 'node:crypto';
import { toEpochSeconds } from './domain.ts';

export type StreamingStatus = 'PENDING_CONFIGURATION' | 'ONGOING' | 'ENDED';

/** A sealed blob as the store keeps it: encrypted under the domain's KMS key. */
export interface SealedBlob {
  kmsKeyArn: string;
  wrappedKey: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * A live call session. In a contact centre its name is the contact id. The caller's audio is never stored: only
 * the speech stream's state (detector state, embedded speech), sealed under the domain's key, so that a restart or
 * another Lambda sandbox picks the call up where it was, and the session's biometric data dies with the record.
 */
export interface SessionRecord {
  domainId: string;
  /** `id#` + 22 alphanumerics. */
  sessionId: string;
  sessionName: string;
  /** As the caller gave it: a GeneratedSpeakerId or a CustomerSpeakerId. */
  speakerId?: string;
  authentication: { enabled: boolean; acceptanceThreshold: number; requiredSpeechSeconds: number };
  fraudDetection: { enabled: boolean; riskThreshold: number; watchlistId: string };
  /** The sequence number the next audio chunk must carry (the first is 0). */
  nextSequenceNumber: number;
  /** sha256 of the last chunk taken, so that its retry is recognised and another stream's chunk is not. */
  lastChunkDigest?: string;
  audioSeconds: number;
  /** Net speech embedded so far (what the decisions count). */
  speechSeconds: number;
  /** When the first and the latest audio arrived (epoch ms). */
  firstAudioAt?: number;
  lastAudioAt?: number;
  stream?: SealedBlob;
  /** Set once the session's caller was enrolled: the speaker may not change after that. */
  enrolledSpeakerId?: string;
  /**
   * When the session's speech was erased because its speaker opted out, was deleted or expired (epoch ms): from
   * then on the session takes audio but embeds none of it, so that no biometric data of the caller builds up again.
   */
  speechErasedAt?: number;
  endedAt?: number;
  createdAt: number;
  updatedAt: number;
  /** Epoch seconds: DynamoDB TTL removes the record (reads treat it as gone from then on). */
  expiresAt: number;
}

/** A session that gets no audio for this long is over: the call was dropped without EndSession. */
export const SESSION_IDLE_MS = 60 * 60 * 1000;
/** An ended session stays readable (evaluation, enrollment, fraudster registration) for a day, then it is erased. */
export const ENDED_SESSION_RETENTION_MS = 24 * 3600 * 1000;
/** A session lasts at most this long, whatever happens; its record is erased a day later. */
export const MAX_SESSION_MS = 12 * 3600 * 1000;

export function streamingStatus(session: SessionRecord, nowMs: number): StreamingStatus {
  if (isEnded(session, nowMs)) return 'ENDED';
  return session.firstAudioAt === undefined ? 'PENDING_CONFIGURATION' : 'ONGOING';
}

export function isEnded(session: Pick<SessionRecord, 'createdAt' | 'lastAudioAt' | 'endedAt'>, nowMs: number): boolean {
  const lastActivity = session.lastAudioAt ?? session.createdAt;
  return session.endedAt !== undefined || nowMs - lastActivity >= SESSION_IDLE_MS || nowMs - session.createdAt >= MAX_SESSION_MS;
}

/**
 * A result id that stays the same while nothing that decides the result changes (no new audio, threshold or
 * speaker), as Voice ID's cached EvaluateSession results did, and changes when anything does.
 */
export function resultId(session: SessionRecord, kind: 'authentication' | 'fraud-detection'): string {
  const inputs =
    kind === 'authentication'
      ? [session.speakerId ?? '', session.authentication.acceptanceThreshold, session.authentication.requiredSpeechSeconds]
      : [session.fraudDetection.watchlistId, session.fraudDetection.riskThreshold, session.authentication.requiredSpeechSeconds];
  const digest = createHash('sha256')
    .update(JSON.stringify([kind, session.sessionId, session.nextSequenceNumber, ...inputs]))
    .digest();
  return toAlphanumeric(digest, 22);
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function toAlphanumeric(bytes: Buffer, length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHANUMERIC[bytes[i] % ALPHANUMERIC.length];
  return id;
}

/** The session as DescribeSession and StartSession answer it. */
export function presentSession(session: SessionRecord, nowMs: number) {
  return {
    DomainId: session.domainId,
    SessionId: session.sessionId,
    SessionName: session.sessionName,
    SpeakerId: session.speakerId,
    StreamingStatus: streamingStatus(session, nowMs),
    AuthenticationConfiguration: session.authentication.enabled
      ? {
          AcceptanceThreshold: session.authentication.acceptanceThreshold,
          RequiredSpeechSeconds: session.authentication.requiredSpeechSeconds,
        }
      : undefined,
    FraudDetectionConfiguration: session.fraudDetection.enabled
      ? { RiskThreshold: session.fraudDetection.riskThreshold, WatchlistId: session.fraudDetection.watchlistId }
      : undefined,
    NextSequenceNumber: session.nextSequenceNumber,
    AudioSeconds: round2(session.audioSeconds),
    SpeechSeconds: round2(session.speechSeconds),
    CreatedAt: toEpochSeconds(session.createdAt),
    EndedAt: session.endedAt === undefined ? undefined : toEpochSeconds(session.endedAt),
  };
}

const round2 = (seconds: number) => Math.round(seconds * 100) / 100;
