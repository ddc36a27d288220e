import { ResourceNotFoundException } from '#api-model/errors';
import type { SpeakerRecord, SpeakerStatus } from '#api-model/speaker';
import type { Page, PagePosition } from './page.ts';
import type { StagedWrite } from './staged-write.ts';

export const speakerNotFound = (speakerId: string) =>
  new ResourceNotFoundException('SPEAKER', `The speaker ${speakerId} does not exist in this domain. Check the SpeakerId.`);

/**
 * Speakers of a domain, found by GeneratedSpeakerId or CustomerSpeakerId. A speaker's voiceprint changes in the
 * same transaction as its status, so ENROLLED and "has a voiceprint" never disagree.
 */
export interface Speakers {
  find(domainId: string, speakerId: string): Promise<SpeakerRecord | undefined>;
  /** The speaker, or ResourceNotFoundException SPEAKER. */
  require(domainId: string, speakerId: string): Promise<SpeakerRecord>;
  /** Creates the speaker within the domain's speaker quota, with its voiceprint and `also` in one transaction. */
  create(speaker: SpeakerRecord, quota: number, voiceprint?: StagedWrite, ...also: StagedWrite[]): Promise<void>;
  /** Moves the speaker to `status` if it is still `expected`; any status but ENROLLED purges its voiceprint. */
  changeStatus(
    expected: SpeakerRecord,
    status: SpeakerStatus,
    nowMs: number,
    voiceprint?: StagedWrite,
    ...also: StagedWrite[]
  ): Promise<SpeakerRecord>;
  /** LastAccessedAt after a successful authentication (to the hour), which pushes its expiry back. */
  recordAccess(speaker: SpeakerRecord, nowMs: number, expiryMs: number): Promise<void>;
  /** Enrolled speakers of every domain last accessed before the cutoff, page by page. */
  overdue(cutoffMs: number): AsyncGenerator<SpeakerRecord[]>;
  /** Marks an overdue, enrolled speaker EXPIRED and purges its voiceprint; false when it no longer is one. */
  expire(speaker: SpeakerRecord, cutoffMs: number, nowMs: number): Promise<boolean>;
  delete(speaker: SpeakerRecord): Promise<void>;
  /** Every speaker of the domain, page by page. */
  all(domainId: string): AsyncGenerator<SpeakerRecord[]>;
  list(domainId: string, limit: number, startKey?: PagePosition): Promise<Page<SpeakerRecord>>;
}
