import { CreateDomainCommand, EvaluateSessionCommand } from '@aws-sdk/client-voice-id';
import { newSpeechStream } from '#biometrics/speech-stream';
import { type SessionClient, type SessionDescription, toPcm16, VoiceIdCallError } from '#connectors/session-client';
import { callAudio, sessions } from '#test/support/calls';
import { endpoints, serviceContext, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

/** Bad session input gets a Voice ID error that says what to fix, and changes nothing. */
describe('session input', () => {
  let client: SessionClient;
  let domainId: string;
  const speech = callAudio('spk1688', 4).subarray(0, 4 * 8000);
  const chunk = (from: number) => toPcm16(speech.subarray(from * 8000, (from + 1) * 8000));

  beforeAll(async () => {
    client = await sessions();
    domainId = (await newDomain('session-input')).DomainId!;
  });

  const describe_ = async (SessionNameOrId: string) =>
    (await client.call<{ Session: SessionDescription }>('DescribeSession', { DomainId: domainId, SessionNameOrId })).Session;

  async function refused(promise: Promise<unknown>, type: string, message: RegExp, details: Record<string, unknown> = {}) {
    const error = (await failure(promise)) as VoiceIdCallError;
    expect(error).toBeInstanceOf(VoiceIdCallError);
    expect(error).toMatchObject({ type, details });
    expect(error.message).toMatch(message);
  }

  it('refuses malformed, oversized and mis-formatted chunks, keeping the session as it was', async () => {
    const { Session } = await client.startSession({ DomainId: domainId, SessionName: 'bad-chunks' });
    const target = { DomainId: domainId, SessionNameOrId: Session.SessionId };
    await client.appendAudio({ ...target, SequenceNumber: 0, Audio: chunk(0) });
    const before = await describe_(Session.SessionId);

    await refused(
      client.appendAudio({ ...target, SequenceNumber: 1, Audio: new Uint8Array(801) }),
      'ValidationException',
      /even number of bytes/,
    );
    await refused(
      client.appendAudio({ ...target, SequenceNumber: 1, Audio: new Uint8Array(160_002) }),
      'ValidationException',
      /at most 10 s of audio/,
    );
    await refused(
      client.appendAudio({ ...target, SequenceNumber: 1, Audio: chunk(1), AudioFormat: 'WAV' }),
      'ValidationException',
      /RIFF|WAV/,
    );
    await refused(
      client.call('AppendSessionAudio', { ...target, SequenceNumber: 1, Audio: 'not base64!' }),
      'ValidationException',
      /base64/,
    );
    await refused(client.call('AppendSessionAudio', { ...target, SequenceNumber: 1 }), 'ValidationException', /Audio is required/);
    await refused(
      client.call('AppendSessionAudio', { ...target, SequenceNumber: -1, Audio: 'AAAA' }),
      'ValidationException',
      /SequenceNumber must be a whole number/,
    );
    await refused(
      client.call('AppendSessionAudio', { ...target, SequenceNumber: 1, Audio: 'AAAA', AudioFormat: 'MP3' }),
      'ValidationException',
      /AudioFormat must be PCM16/,
    );
    const wav16k = wavFile(new Int16Array(1600), 16000);
    await refused(
      client.appendAudio({ ...target, SequenceNumber: 1, Audio: wav16k, AudioFormat: 'WAV' }),
      'ValidationException',
      /8000 Hz is required/,
    );

    expect(await describe_(Session.SessionId)).toEqual(before);
  });

  it('counts a retried chunk once, and refuses gaps and another stream', async () => {
    const { Session } = await client.startSession({ DomainId: domainId, SessionName: 'sequence' });
    const target = { DomainId: domainId, SessionNameOrId: 'sequence' };
    await client.appendAudio({ ...target, SequenceNumber: 0, Audio: chunk(0) });
    const once = await client.appendAudio({ ...target, SequenceNumber: 1, Audio: chunk(1) });
    const retried = await client.appendAudio({ ...target, SequenceNumber: 1, Audio: chunk(1) });
    expect(retried).toEqual(once);
    expect(retried).toMatchObject({ NextSequenceNumber: 2, AudioSeconds: 2 });
    expect(await client.appendAudio({ ...target, SequenceNumber: 0, Audio: chunk(0) })).toEqual(once);

    await refused(
      client.appendAudio({ ...target, SequenceNumber: 3, Audio: chunk(3) }),
      'ValidationException',
      /expects chunk 2 next, not 3/,
    );
    await refused(client.appendAudio({ ...target, SequenceNumber: 1, Audio: chunk(2) }), 'ConflictException', /another stream/, {
      ConflictType: 'ANOTHER_ACTIVE_STREAM',
    });
    expect(await describe_(Session.SessionId)).toMatchObject({ NextSequenceNumber: 2, AudioSeconds: 2 });
  });

  it('refuses unknown and ended sessions, a speaker id of another domain, and a taken session name', async () => {
    await refused(client.evaluate(domainId, 'no-such-session'), 'ResourceNotFoundException', /no session no-such-session/, {
      ResourceType: 'SESSION',
    });
    const sdkError = await failure(
      voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: 'id#AAAAAAAAAAAAAAAAAAAAAA' })),
    );
    expect(sdkError).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'SESSION' });

    const { Session } = await client.startSession({ DomainId: domainId, SessionName: 'ended' });
    await client.end(domainId, 'ended');
    await refused(
      client.appendAudio({ DomainId: domainId, SessionNameOrId: 'ended', SequenceNumber: 0, Audio: chunk(0) }),
      'ValidationException',
      /has ended/,
    );
    expect(await describe_(Session.SessionId)).toMatchObject({ StreamingStatus: 'ENDED', NextSequenceNumber: 0 });

    await refused(
      client.startSession({ DomainId: domainId, SessionName: 'ended' }),
      'ValidationException',
      /SessionName ended is used by another session/,
    );

    const other = await voiceId().send(
      new CreateDomainCommand({ Name: 'other', ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } }),
    );
    await refused(
      client.startSession({ DomainId: other.Domain!.DomainId!, SessionName: 'foreign-speaker', SpeakerId: 'id#AAAAAAAAAAAAAAAAAAAAAA' }),
      'ResourceNotFoundException',
      /speaker id#AAAAAAAAAAAAAAAAAAAAAA does not exist in this domain/,
      { ResourceType: 'SPEAKER' },
    );
    await refused(
      client.startSession({ DomainId: domainId, SessionName: 'x'.repeat(37) }),
      'ValidationException',
      /SessionName must be at most 36/,
    );
    await refused(
      client.startSession({ DomainId: domainId, SessionName: 'thresholds', AuthenticationConfiguration: { AcceptanceThreshold: 101 } }),
      'ValidationException',
      /AcceptanceThreshold must be a whole number from 0 to 100/,
    );
    await refused(
      client.startSession({ DomainId: domainId, SessionName: 'speech', AuthenticationConfiguration: { RequiredSpeechSeconds: 4 } }),
      'ValidationException',
      /RequiredSpeechSeconds must be a whole number from 5 to 10/,
    );
  });

  it("holds a domain to Voice ID's 50 live sessions; an ended session frees its place", async () => {
    const DomainId = (await newDomain('session-quota')).DomainId!;
    for (let i = 0; i < 50; i++) await client.startSession({ DomainId, SessionName: `contact-${i}` });
    await refused(
      client.startSession({ DomainId, SessionName: 'one-too-many' }),
      'ServiceQuotaExceededException',
      /50 live sessions, its limit of concurrent sessions \(50\)/,
    );
    await client.end(DomainId, 'contact-0');
    expect((await client.startSession({ DomainId, SessionName: 'one-too-many' })).Session.StreamingStatus).toBe('PENDING_CONFIGURATION');
  });

  it('refuses a session whose speech was taken by another speaker model, rather than comparing across models', async () => {
    const { Session } = await client.startSession({ DomainId: domainId, SessionName: 'other-model' });
    const ctx = await serviceContext();
    const { domain, session } = await ctx.sessions.requireWithDomain(domainId, Session.SessionId, Date.now());
    await ctx.sessions.save(domain, session, { ...session, updatedAt: Date.now() }, newSpeechStream('another-model'));
    const error = await failure(voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: Session.SessionId })));
    expect(error).toMatchObject({
      name: 'ValidationException',
      message: `The session ${Session.SessionId} began under another speaker model than this deployment's (resemblyzer-ge2e). Start a new session.`,
    });
  });

  it('refuses enrollment without a speaker or with too little speech', async () => {
    const { Session } = await client.startSession({ DomainId: domainId, SessionName: 'short-enrollment' });
    await client.appendAudio({ DomainId: domainId, SessionNameOrId: Session.SessionId, SequenceNumber: 0, Audio: chunk(0) });
    await refused(
      client.call('EnrollSessionSpeaker', { DomainId: domainId, SessionNameOrId: Session.SessionId }),
      'ConflictException',
      /no SpeakerId/,
      {
        ConflictType: 'SPEAKER_NOT_SET',
      },
    );
    await client.call('UpdateSession', { DomainId: domainId, SessionNameOrId: Session.SessionId, SpeakerId: 'short-caller' });
    await refused(
      client.call('EnrollSessionSpeaker', { DomainId: domainId, SessionNameOrId: Session.SessionId }),
      'ValidationException',
      /Enrollment needs 30 s of net speech/,
    );
    await refused(
      client.call('RegisterSessionFraudster', { DomainId: domainId, SessionNameOrId: Session.SessionId }),
      'ValidationException',
      /Fraudster registration needs 30 s of net speech/,
    );
  });
});

/** A minimal PCM-16 mono WAV file at any rate, to show the service refusing the wrong one. */
function wavFile(samples: Int16Array, sampleRate: number): Uint8Array {
  const data = new Uint8Array(samples.buffer);
  const file = new Uint8Array(44 + data.length);
  const view = new DataView(file.buffer);
  const text = (offset: number, value: string) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + data.length, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, data.length, true);
  file.set(data, 44);
  return file;
}
