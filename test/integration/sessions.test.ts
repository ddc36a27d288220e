import { DeleteSpeakerCommand, DescribeSpeakerCommand, EvaluateSessionCommand, OptOutSpeakerCommand } from '@aws-sdk/client-voice-id';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type SessionClient, VoiceIdCallError } from '#connectors/session-client';
import { call, callAudio, sessions } from '#test/support/calls';
import { serviceTables, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

/**
 * Sessions with real speech (LibriSpeech test-other, 8 kHz) through the wire protocol, and EvaluateSession through
 * the official SDK: enrollment from a call, a genuine caller, an impostor, a registered fraudster, too little speech.
 */
describe('call sessions', () => {
  let client: SessionClient;
  let domainId: string;
  let enrolledSpeakerId: string;

  beforeAll(async () => {
    client = await sessions();
    domainId = (await newDomain('sessions')).DomainId!;
    const { session } = await call(client, domainId, callAudio('spk1688', 44), { SpeakerId: 'customer-a' });
    const enrolled = await client.call<{ Speaker: { GeneratedSpeakerId: string; Status: string }; EnrollmentStatus: string }>(
      'EnrollSessionSpeaker',
      { DomainId: domainId, SessionNameOrId: session.SessionId },
    );
    expect(enrolled.EnrollmentStatus).toBe('NEW_ENROLLMENT');
    expect(enrolled.Speaker.Status).toBe('ENROLLED');
    enrolledSpeakerId = enrolled.Speaker.GeneratedSpeakerId;
  });

  const evaluate = async (SessionNameOrId: string) => voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId }));

  it('accepts the enrolled caller on a new call, and refreshes LastAccessedAt', async () => {
    const { session } = await call(client, domainId, callAudio('spk1688', 20, 6), { SpeakerId: 'customer-a' });
    const result = await evaluate(session.SessionName);
    expect(result.StreamingStatus).toBe('ONGOING');
    expect(result.AuthenticationResult).toMatchObject({
      Decision: 'ACCEPT',
      CustomerSpeakerId: 'customer-a',
      GeneratedSpeakerId: enrolledSpeakerId,
      Configuration: { AcceptanceThreshold: 90 },
    });
    expect(result.AuthenticationResult!.Score).toBeGreaterThanOrEqual(90);
    expect(result.FraudDetectionResult).toMatchObject({ Decision: 'LOW_RISK', Reasons: [] });
    const { Speaker } = await voiceId().send(new DescribeSpeakerCommand({ DomainId: domainId, SpeakerId: 'customer-a' }));
    expect(Speaker!.LastAccessedAt).toBeInstanceOf(Date);
  });

  it('rejects an impostor who claims the enrolled customer', async () => {
    const { session } = await call(client, domainId, callAudio('spk2033', 20), { SpeakerId: 'customer-a' });
    const result = await evaluate(session.SessionId);
    expect(result.AuthenticationResult!.Decision).toBe('REJECT');
    expect(result.AuthenticationResult!.Score).toBeLessThan(90);
  });

  it('flags a registered fraudster as HIGH_RISK without a speaker id', async () => {
    const registration = await call(client, domainId, callAudio('spk1998', 44));
    const { Fraudster } = await client.call<{ Fraudster: { GeneratedFraudsterId: string; WatchlistIds: string[] } }>(
      'RegisterSessionFraudster',
      { DomainId: domainId, SessionNameOrId: registration.session.SessionId },
    );
    const { session } = await call(client, domainId, callAudio('spk1998', 25, 5));
    const result = await evaluate(session.SessionId);
    expect(result.AuthenticationResult).toMatchObject({ Decision: 'SPEAKER_ID_NOT_PROVIDED' });
    expect(result.AuthenticationResult!.Score).toBeUndefined();
    expect(result.FraudDetectionResult).toMatchObject({
      Decision: 'HIGH_RISK',
      Reasons: ['KNOWN_FRAUDSTER'],
      RiskDetails: { KnownFraudsterRisk: { GeneratedFraudsterId: Fraudster.GeneratedFraudsterId } },
    });
    expect(result.FraudDetectionResult!.RiskDetails!.KnownFraudsterRisk!.RiskScore).toBeGreaterThanOrEqual(50);
    expect(result.FraudDetectionResult!.RiskDetails!.VoiceSpoofingRisk).toBeUndefined();
  });

  it('answers NOT_ENOUGH_SPEECH until the required speech has arrived', async () => {
    const { session } = await call(client, domainId, callAudio('spk1688', 3, 6).subarray(0, 3 * 8000), { SpeakerId: 'customer-a' });
    const result = await evaluate(session.SessionId);
    expect(result.AuthenticationResult).toMatchObject({ Decision: 'NOT_ENOUGH_SPEECH', GeneratedSpeakerId: enrolledSpeakerId });
    expect(result.FraudDetectionResult).toMatchObject({ Decision: 'NOT_ENOUGH_SPEECH' });
  });

  it('answers the other decisions where they belong', async () => {
    const audio = callAudio('spk1688', 12, 6);
    const unknown = await call(client, domainId, audio, { SpeakerId: 'never-enrolled' });
    expect((await evaluate(unknown.session.SessionId)).AuthenticationResult!.Decision).toBe('SPEAKER_NOT_ENROLLED');

    await voiceId().send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: 'opted-out-caller' }));
    const optedOut = await call(client, domainId, audio, { SpeakerId: 'opted-out-caller' });
    expect((await evaluate(optedOut.session.SessionId)).AuthenticationResult!.Decision).toBe('SPEAKER_OPTED_OUT');

    const pending = await client.startSession({ DomainId: domainId, SessionName: 'no-audio-yet', SpeakerId: 'customer-a' });
    const waiting = await evaluate(pending.Session.SessionId);
    expect(waiting.StreamingStatus).toBe('PENDING_CONFIGURATION');
    expect(waiting.AuthenticationResult!.Decision).toBe('NOT_ENOUGH_SPEECH');

    const quiet = await client.startSession({
      DomainId: domainId,
      SessionName: 'fraud-only',
      AuthenticationConfiguration: { Enabled: false },
    });
    const fraudOnly = await evaluate(quiet.Session.SessionId);
    expect(fraudOnly.AuthenticationResult).toBeUndefined();
    expect(fraudOnly.FraudDetectionResult!.Decision).toBe('NOT_ENOUGH_SPEECH');

    await client.end(domainId, quiet.Session.SessionId);
    expect((await evaluate(quiet.Session.SessionId)).StreamingStatus).toBe('ENDED');
  });

  it('keeps result ids until new audio, a new threshold or a new speaker arrives', async () => {
    const audio = callAudio('spk1688', 12, 6);
    const { session } = await call(client, domainId, audio, { SpeakerId: 'customer-a' });
    const first = await evaluate(session.SessionId);
    const again = await evaluate(session.SessionId);
    const ids = (r: typeof first) => [r.AuthenticationResult!.AuthenticationResultId, r.FraudDetectionResult!.FraudDetectionResultId];
    expect(ids(again)).toEqual(ids(first));
    expect(first.AuthenticationResult!.AuthenticationResultId).toMatch(/^[a-zA-Z0-9]{22}$/);

    await client.appendAudio({
      DomainId: domainId,
      SessionNameOrId: session.SessionId,
      SequenceNumber: Math.ceil(audio.length / 8000),
      Audio: new Uint8Array(1600),
    });
    const afterAudio = await evaluate(session.SessionId);
    expect(afterAudio.AuthenticationResult!.AuthenticationResultId).not.toBe(first.AuthenticationResult!.AuthenticationResultId);
    expect(afterAudio.FraudDetectionResult!.FraudDetectionResultId).not.toBe(first.FraudDetectionResult!.FraudDetectionResultId);

    await client.call('UpdateSession', { DomainId: domainId, SessionNameOrId: session.SessionId, AcceptanceThreshold: 95 });
    const afterThreshold = await evaluate(session.SessionId);
    expect(afterThreshold.AuthenticationResult!.AuthenticationResultId).not.toBe(afterAudio.AuthenticationResult!.AuthenticationResultId);
    expect(afterThreshold.AuthenticationResult!.Configuration).toEqual({ AcceptanceThreshold: 95 });
    expect(afterThreshold.FraudDetectionResult!.FraudDetectionResultId).toBe(afterAudio.FraudDetectionResult!.FraudDetectionResultId);

    await client.call('UpdateSession', { DomainId: domainId, SessionNameOrId: session.SessionId, SpeakerId: 'someone-else' });
    const afterSpeaker = await evaluate(session.SessionId);
    expect(afterSpeaker.AuthenticationResult!.AuthenticationResultId).not.toBe(afterThreshold.AuthenticationResult!.AuthenticationResultId);
    expect(afterSpeaker.AuthenticationResult!.Decision).toBe('SPEAKER_NOT_ENROLLED');
  });

  it('purges the voiceprint from every table when the speaker is deleted or opts out', async () => {
    const { names, client: dynamo } = await serviceTables();
    const holds = async (id: string) => {
      for (const TableName of Object.values(names)) {
        const { Items } = await dynamo.send(new ScanCommand({ TableName }));
        if ((Items ?? []).some((item) => JSON.stringify(item).includes(id) && ('ciphertext' in item || 'stream' in item))) return true;
      }
      return false;
    };
    const enrol = async (customerSpeakerId: string) => {
      const { session } = await call(client, domainId, callAudio('spk1688', 44), { SpeakerId: customerSpeakerId });
      const { Speaker } = await client.call<{ Speaker: { GeneratedSpeakerId: string } }>('EnrollSessionSpeaker', {
        DomainId: domainId,
        SessionNameOrId: session.SessionId,
      });
      return Speaker.GeneratedSpeakerId;
    };

    const deleted = await enrol('to-delete');
    expect(await holds(deleted)).toBe(true);
    await voiceId().send(new DeleteSpeakerCommand({ DomainId: domainId, SpeakerId: deleted }));
    expect(await holds(deleted)).toBe(false);

    const optedOut = await enrol('to-opt-out');
    await voiceId().send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: 'to-opt-out' }));
    expect(await holds(optedOut)).toBe(false);
    const { Speaker } = await voiceId().send(new DescribeSpeakerCommand({ DomainId: domainId, SpeakerId: optedOut }));
    expect(Speaker!.Status).toBe('OPTED_OUT');
    const refused = await failure(
      call(client, domainId, callAudio('spk1688', 44), { SpeakerId: 'to-opt-out' }).then(({ session }) =>
        client.call('EnrollSessionSpeaker', { DomainId: domainId, SessionNameOrId: session.SessionId }),
      ),
    );
    expect(refused).toBeInstanceOf(VoiceIdCallError);
    expect(refused).toMatchObject({ type: 'ConflictException', details: { ConflictType: 'SPEAKER_OPTED_OUT' } });
  });
});
