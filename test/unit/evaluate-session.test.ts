/**
 * @jest-environment ./test/unit/biometrics/onnx-environment.ts
 *
 * EvaluateSession's decision ladder on in-memory stand-ins of its ports: every Decision value, speaker problems
 * before speech, fraud beside authentication. The caller's speech is a real recording run through the real
 * speech stream (Silero VAD); only the speaker model is a stand-in, whose embedding is chosen by the test, so that
 * each case says which voice the caller has.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DomainRecord } from '#api-model/domain';
import { newPrefixedId, newResourceId } from '#api-model/ids';
import type { SessionRecord } from '#api-model/session';
import type { SpeakerRecord } from '#api-model/speaker';
import type { ModelScoring } from '#biometrics/scoring';
import type { SpeakerEmbedder } from '#biometrics/speaker-model';
import type { SpeechEngine } from '#biometrics/speech-engine';
import { feedSpeechStream, newSpeechStream } from '#biometrics/speech-stream';
import { decodeWav } from '#biometrics/wav';
import evaluateSession from '#operations/evaluate-session';
import type { Fraudsters } from '#ports/fraudsters';
import type { Sessions } from '#ports/sessions';
import type { Speakers } from '#ports/speakers';
import type { Voiceprints } from '#ports/voiceprints';
import {
  InMemoryAuditEvents,
  InMemoryFraudsters,
  InMemorySessions,
  InMemorySpeakers,
  InMemoryVoiceprints,
  standIn,
  standInContext,
} from '#test/support/in-memory-ports';

const MODEL = 'stand-in-model';
const DIMENSION = 16;
const NOW = Date.UTC(2026, 11, 7);
const EXPIRY_MS = 3 * 365 * 24 * 3600 * 1000;

/** A unit vector along axis `i`: voices along different axes are as unlike as voices get. */
const voice = (i: number) => Float32Array.from({ length: DIMENSION }, (_, j) => (j === i ? 1 : 0));
const ENROLLED_VOICE = voice(0);
const OTHER_VOICE = voice(1);

/** Scores map a cohort margin of 0.3 to 90; a voice identical to the enrolled one has a margin near 1. */
const scoring: ModelScoring = {
  calibrated: () => true,
  mapping: () => ({ m90: 0.3, a: 10, farAt90: 0.01, farAt50: 0.1 }),
  shippedCohort: () => [2, 3, 4, 5, 6, 7].map((i) => ({ id: `shipped-${i}`, model: MODEL, vector: voice(i) })),
};

const recording = decodeWav(
  readFileSync(path.join(__dirname, '../../..', 'shared/data/librispeech-test-other-10/spk3080/3080-5032-0009.wav')),
).samples;

/** The speech stream of a call whose caller has `vector`'s voice: the recording's speech, embedded by a stand-in. */
const streams = new Map<Float32Array, Promise<Uint8Array>>();
function callerStream(vector: Float32Array): Promise<Uint8Array> {
  const embedder: SpeakerEmbedder = { name: MODEL, sampleRate: 16_000, dimension: DIMENSION, embed: () => Promise.resolve(vector.slice()) };
  if (!streams.has(vector)) streams.set(vector, feedSpeechStream(newSpeechStream(MODEL), recording, embedder));
  return streams.get(vector)!;
}

const domain: DomainRecord = {
  domainId: newResourceId(),
  name: 'ladder',
  kmsKeyId: 'alias/ladder',
  status: 'ACTIVE',
  defaultWatchlistId: newResourceId(),
  tags: {},
  createdAt: NOW,
  updatedAt: NOW,
};

function speaker(customerSpeakerId: string, status: SpeakerRecord['status'], lastAccessedAt = NOW): SpeakerRecord {
  return {
    domainId: domain.domainId,
    speakerId: newPrefixedId(),
    customerSpeakerId,
    status,
    createdAt: lastAccessedAt,
    updatedAt: lastAccessedAt,
    lastAccessedAt,
  };
}

/** The members the response shape leaves untyped (they depend on the decision). */
const score = (result: unknown) => (result as { Score?: number }).Score;
const riskScore = (result: unknown) =>
  (result as { RiskDetails: { KnownFraudsterRisk: { RiskScore: number } } }).RiskDetails.KnownFraudsterRisk.RiskScore;

interface Call {
  speakerId?: string;
  /** The caller's voice; none means the session has no audio yet. */
  voice?: Float32Array;
  /** Net speech the session counts (its record's); 12 s is past the 10 s authentication needs. */
  speechSeconds?: number;
  fraudDetection?: boolean;
  authentication?: boolean;
}

/** A domain with one enrolled, one opted-out, one expired and one voiceprint-less speaker, and one fraudster. */
function world() {
  const speakers = new InMemorySpeakers();
  const voiceprints = new InMemoryVoiceprints();
  const fraudsters = new InMemoryFraudsters();
  const enrolled = speaker('enrolled', 'ENROLLED');
  const optedOut = speaker('opted-out', 'OPTED_OUT');
  const overdue = speaker('overdue', 'ENROLLED', NOW - EXPIRY_MS - 1);
  const noVoiceprint = speaker('no-voiceprint', 'ENROLLED');
  for (const s of [enrolled, optedOut, overdue, noVoiceprint]) speakers.put(s);
  voiceprints.put({ kind: 'speaker', id: enrolled.speakerId }, { model: MODEL, vector: ENROLLED_VOICE });
  voiceprints.put({ kind: 'speaker', id: overdue.speakerId }, { model: MODEL, vector: ENROLLED_VOICE });
  const fraudster = {
    domainId: domain.domainId,
    fraudsterId: newPrefixedId(),
    watchlistIds: [domain.defaultWatchlistId],
    createdAt: NOW,
    updatedAt: NOW,
  };
  fraudsters.put(fraudster);
  voiceprints.put({ kind: 'fraudster', id: fraudster.fraudsterId }, { model: MODEL, vector: OTHER_VOICE });
  return { speakers, voiceprints, fraudsters, fraudster, enrolled };
}

async function evaluate(call: Call) {
  const w = world();
  const sessions = new InMemorySessions(domain);
  const session: SessionRecord = {
    domainId: domain.domainId,
    sessionId: newPrefixedId(),
    sessionName: 'contact-1',
    speakerId: call.speakerId,
    authentication: { enabled: call.authentication ?? true, acceptanceThreshold: 90, requiredSpeechSeconds: 10 },
    fraudDetection: { enabled: call.fraudDetection ?? true, riskThreshold: 50, watchlistId: domain.defaultWatchlistId },
    nextSequenceNumber: call.voice ? 1 : 0,
    audioSeconds: call.voice ? recording.length / 8000 : 0,
    speechSeconds: call.voice ? (call.speechSeconds ?? 12) : 0,
    ...(call.voice ? { firstAudioAt: NOW - 20_000, lastAudioAt: NOW } : {}),
    createdAt: NOW - 30_000,
    updatedAt: NOW,
    expiresAt: NOW / 1000 + 86_400,
  };
  sessions.put(session, call.voice && (await callerStream(call.voice)));
  const auditEvents = new InMemoryAuditEvents();
  const ctx = standInContext({
    sessions: standIn<Sessions>('sessions', sessions),
    speakers: standIn<Speakers>('speakers', w.speakers),
    voiceprints: standIn<Voiceprints>('voiceprints', w.voiceprints),
    fraudsters: standIn<Fraudsters>('fraudsters', w.fraudsters),
    speech: standIn<SpeechEngine>('speech', { model: MODEL }),
    scoring,
    speakerExpiryMs: EXPIRY_MS,
    now: () => NOW,
    auditEvents,
    region: 'eu-west-2',
    accountId: '123456789012',
  });
  const result = await evaluateSession.call({ DomainId: domain.domainId, SessionNameOrId: 'contact-1' }, ctx);
  return { ...result, world: w, auditEvents };
}

describe('EvaluateSession decides, on stand-ins of its ports', () => {
  it('ACCEPT for the enrolled voice, with the score, and records the access', async () => {
    const { AuthenticationResult, world: w } = await evaluate({ speakerId: 'enrolled', voice: ENROLLED_VOICE });
    expect(AuthenticationResult).toMatchObject({
      Decision: 'ACCEPT',
      CustomerSpeakerId: 'enrolled',
      GeneratedSpeakerId: w.enrolled.speakerId,
    });
    expect(score(AuthenticationResult)).toBeGreaterThanOrEqual(90);
    expect(w.speakers.accessed).toEqual([{ speakerId: w.enrolled.speakerId, nowMs: NOW }]);
  });

  it('REJECT for another voice, with its score, and no access recorded', async () => {
    const { AuthenticationResult, world: w } = await evaluate({ speakerId: 'enrolled', voice: OTHER_VOICE });
    expect(AuthenticationResult).toMatchObject({ Decision: 'REJECT' });
    expect(score(AuthenticationResult)).toBeLessThan(90);
    expect(w.speakers.accessed).toEqual([]);
  });

  it('NOT_ENOUGH_SPEECH below the speech authentication needs, without a score', async () => {
    const { AuthenticationResult, FraudDetectionResult } = await evaluate({
      speakerId: 'enrolled',
      voice: ENROLLED_VOICE,
      speechSeconds: 6,
    });
    expect(AuthenticationResult).toMatchObject({ Decision: 'NOT_ENOUGH_SPEECH', CustomerSpeakerId: 'enrolled' });
    expect(AuthenticationResult).not.toHaveProperty('Score');
    expect(FraudDetectionResult).toMatchObject({ Decision: 'NOT_ENOUGH_SPEECH' });
  });

  it('SPEAKER_ID_NOT_PROVIDED when the session names no speaker', async () => {
    const { AuthenticationResult } = await evaluate({ voice: ENROLLED_VOICE });
    expect(AuthenticationResult).toMatchObject({ Decision: 'SPEAKER_ID_NOT_PROVIDED' });
  });

  it.each([
    ['an unknown speaker', 'nobody'],
    ['an enrolled speaker without a voiceprint', 'no-voiceprint'],
  ])('SPEAKER_NOT_ENROLLED for %s', async (_case, speakerId) => {
    const { AuthenticationResult } = await evaluate({ speakerId, voice: ENROLLED_VOICE });
    expect(AuthenticationResult).toMatchObject({ Decision: 'SPEAKER_NOT_ENROLLED' });
    expect(AuthenticationResult).not.toHaveProperty('Score');
  });

  it('SPEAKER_OPTED_OUT and SPEAKER_EXPIRED, never a score', async () => {
    const optedOut = await evaluate({ speakerId: 'opted-out', voice: ENROLLED_VOICE });
    expect(optedOut.AuthenticationResult).toMatchObject({ Decision: 'SPEAKER_OPTED_OUT', CustomerSpeakerId: 'opted-out' });
    const expired = await evaluate({ speakerId: 'overdue', voice: ENROLLED_VOICE });
    expect(expired.AuthenticationResult).toMatchObject({ Decision: 'SPEAKER_EXPIRED', CustomerSpeakerId: 'overdue' });
    expect(expired.AuthenticationResult).not.toHaveProperty('Score');
  });

  it.each([
    ['nobody', 'SPEAKER_NOT_ENROLLED'],
    ['opted-out', 'SPEAKER_OPTED_OUT'],
    ['overdue', 'SPEAKER_EXPIRED'],
    ['no-voiceprint', 'SPEAKER_NOT_ENROLLED'],
  ])('speaker problems come before speech: %s without audio is %s', async (speakerId, decision) => {
    const { AuthenticationResult, StreamingStatus } = await evaluate({ speakerId });
    expect(StreamingStatus).toBe('PENDING_CONFIGURATION');
    expect(AuthenticationResult).toMatchObject({ Decision: decision });
  });

  it('HIGH_RISK with KNOWN_FRAUDSTER for a fraudster on the watchlist, beside authentication', async () => {
    const { AuthenticationResult, FraudDetectionResult, world: w } = await evaluate({ speakerId: 'enrolled', voice: OTHER_VOICE });
    expect(AuthenticationResult).toMatchObject({ Decision: 'REJECT' });
    expect(FraudDetectionResult).toMatchObject({
      Decision: 'HIGH_RISK',
      Reasons: ['KNOWN_FRAUDSTER'],
      RiskDetails: { KnownFraudsterRisk: { GeneratedFraudsterId: w.fraudster.fraudsterId } },
      Configuration: { RiskThreshold: 50, WatchlistId: domain.defaultWatchlistId },
    });
    expect(riskScore(FraudDetectionResult)).toBeGreaterThanOrEqual(50);
  });

  it('LOW_RISK for a caller unlike every fraudster, with no reasons', async () => {
    const { FraudDetectionResult } = await evaluate({ speakerId: 'enrolled', voice: ENROLLED_VOICE });
    expect(FraudDetectionResult).toMatchObject({ Decision: 'LOW_RISK', Reasons: [] });
    expect(riskScore(FraudDetectionResult)).toBeLessThan(50);
  });

  it('fraud detection needs no speaker: a caller who names none is still screened', async () => {
    const { AuthenticationResult, FraudDetectionResult } = await evaluate({ voice: OTHER_VOICE });
    expect(AuthenticationResult).toMatchObject({ Decision: 'SPEAKER_ID_NOT_PROVIDED' });
    expect(FraudDetectionResult).toMatchObject({ Decision: 'HIGH_RISK' });
  });

  it('leaves out what the session does not ask for', async () => {
    const noFraud = await evaluate({ speakerId: 'enrolled', voice: ENROLLED_VOICE, fraudDetection: false });
    expect(noFraud.FraudDetectionResult).toBeUndefined();
    expect(noFraud.AuthenticationResult).toMatchObject({ Decision: 'ACCEPT' });
    const noAuthentication = await evaluate({ speakerId: 'enrolled', voice: OTHER_VOICE, authentication: false });
    expect(noAuthentication.AuthenticationResult).toBeUndefined();
    expect(noAuthentication.FraudDetectionResult).toMatchObject({ Decision: 'HIGH_RISK' });
  });

  it('publishes one audit event of the evaluation, with its decisions', async () => {
    const { auditEvents } = await evaluate({ speakerId: 'enrolled', voice: ENROLLED_VOICE });
    expect(auditEvents.published).toHaveLength(1);
    expect(auditEvents.published[0]).toMatchObject({
      'detail-type': 'VoiceId Evaluate Session Action',
      detail: { status: 'SUCCESS', domainId: domain.domainId },
    });
  });
});
