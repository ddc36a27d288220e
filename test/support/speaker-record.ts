import { newPrefixedId } from '#api-model/ids';
import type { SpeakerRecord } from '#api-model/speaker';

/** An ENROLLED speaker's record, new and last accessed at `lastAccessedAt`, for tests that put speakers in the store. */
export function enrolledSpeakerRecord(domainId: string, customerSpeakerId: string, lastAccessedAt = Date.now()): SpeakerRecord {
  return {
    domainId,
    speakerId: newPrefixedId(),
    customerSpeakerId,
    status: 'ENROLLED',
    createdAt: lastAccessedAt,
    updatedAt: lastAccessedAt,
    lastAccessedAt,
  };
}
