import {
  ENDED_SESSION_RETENTION_MS,
  isEnded,
  MAX_SESSION_MS,
  resultId,
  SESSION_IDLE_MS,
  type SessionRecord,
  streamingStatus,
} from '#api-model/session';

const session: SessionRecord = {
  domainId: 'AAAAAAAAAAAAAAAAAAAAAA',
  sessionId: 'id#BBBBBBBBBBBBBBBBBBBBBB',
  sessionName: 'contact-1',
  speakerId: 'customer-1',
  authentication: { enabled: true, acceptanceThreshold: 90, requiredSpeechSeconds: 10 },
  fraudDetection: { enabled: true, riskThreshold: 50, watchlistId: 'CCCCCCCCCCCCCCCCCCCCCC' },
  nextSequenceNumber: 4,
  audioSeconds: 2,
  speechSeconds: 1,
  createdAt: 1_000_000,
  updatedAt: 1_000_000,
  expiresAt: (1_000_000 + MAX_SESSION_MS + ENDED_SESSION_RETENTION_MS) / 1000,
};

describe('a session', () => {
  it('keeps its result ids while nothing that decides them changes', () => {
    const auth = resultId(session, 'authentication');
    const fraud = resultId(session, 'fraud-detection');
    expect(auth).toMatch(/^[a-zA-Z0-9]{22}$/);
    expect(resultId({ ...session, audioSeconds: 9, updatedAt: 5 }, 'authentication')).toBe(auth);
    expect(fraud).not.toBe(auth);

    expect(resultId({ ...session, nextSequenceNumber: 5 }, 'authentication')).not.toBe(auth);
    expect(resultId({ ...session, nextSequenceNumber: 5 }, 'fraud-detection')).not.toBe(fraud);
    expect(resultId({ ...session, speakerId: 'customer-2' }, 'authentication')).not.toBe(auth);
    expect(resultId({ ...session, speakerId: 'customer-2' }, 'fraud-detection')).toBe(fraud);
    expect(resultId({ ...session, authentication: { ...session.authentication, acceptanceThreshold: 95 } }, 'authentication')).not.toBe(
      auth,
    );
    expect(resultId({ ...session, fraudDetection: { ...session.fraudDetection, riskThreshold: 60 } }, 'fraud-detection')).not.toBe(fraud);
    expect(resultId({ ...session, sessionId: 'id#DDDDDDDDDDDDDDDDDDDDDD' }, 'authentication')).not.toBe(auth);
  });

  it('is pending until its first audio, ongoing until it ends, and ends by itself when the call goes quiet', () => {
    const t = session.createdAt;
    expect(streamingStatus(session, t + 1000)).toBe('PENDING_CONFIGURATION');
    const streaming = { ...session, firstAudioAt: t + 1000, lastAudioAt: t + 2000 };
    expect(streamingStatus(streaming, t + 3000)).toBe('ONGOING');
    expect(streamingStatus({ ...streaming, endedAt: t + 4000 }, t + 5000)).toBe('ENDED');
    expect(isEnded(streaming, t + 2000 + SESSION_IDLE_MS - 1)).toBe(false);
    expect(isEnded(streaming, t + 2000 + SESSION_IDLE_MS)).toBe(true);
    expect(isEnded(session, t + SESSION_IDLE_MS)).toBe(true);
    expect(isEnded({ ...streaming, lastAudioAt: t + MAX_SESSION_MS - 1 }, t + MAX_SESSION_MS)).toBe(true);
  });
});
