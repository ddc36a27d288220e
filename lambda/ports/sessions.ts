import type { DomainRecord } from '#api-model/domain';
import type { SessionRecord } from '#api-model/session';
import type { DomainKey } from './domains.ts';
import type { ReEncryptable } from './encryption.ts';

/** Thrown when a session changed between the caller's read and its write: the caller decides what that means. */
export class SessionChanged extends Error {
  readonly name = 'SessionChanged';
}

/** Live call sessions of a domain, by SessionId or SessionName, with their speech stream sealed under the domain's key. */
export interface Sessions extends ReEncryptable {
  /** The domain, which must exist, and one of its unexpired sessions: what every session operation starts from. */
  requireWithDomain(domainId: string, nameOrId: string, nowMs: number): Promise<{ domain: DomainRecord; session: SessionRecord }>;
  /** Sessions of the domain still live: the concurrency quota. */
  countLive(domainId: string, nowMs: number): Promise<number>;
  create(session: SessionRecord, nowMs: number): Promise<void>;
  /**
   * Saves the session and its new speech stream (none once its speech was erased) if nobody changed it since
   * `expected` (SessionChanged, or `onConflict`'s error).
   */
  save(
    domain: DomainKey,
    expected: SessionRecord,
    next: SessionRecord,
    stream: Uint8Array | undefined,
    onConflict?: () => Error,
  ): Promise<SessionRecord>;
  /** Like save, for changes a caller makes (speaker, end): a concurrent change is CONCURRENT_CHANGES. */
  update(expected: SessionRecord, next: SessionRecord): Promise<SessionRecord>;
  /**
   * Erases the speech of every session that names or enrolled one of the speakers, and marks them to embed nothing
   * more; a request that read such a session before cannot write its speech back. The sessions stay.
   */
  purgeSpeakerStreams(domainId: string, speakerIds: string[], nowMs: number): Promise<number>;
  /** The speaker ids that sessions of the domain holding speech name or enrolled: for audits. */
  speakersWithSpeech(domainId: string): Promise<Set<string>>;
  /** The session's speech stream state, decrypted in memory; undefined before its first audio. */
  openStream(domain: DomainKey, session: SessionRecord): Promise<Uint8Array | undefined>;
}
