import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateDomainCommand, EvaluateSessionCommand, VoiceIDClient } from '@aws-sdk/client-voice-id';
import { SessionClient, streamAudio } from '#connectors/session-client';
import { callAudio } from '#test/support/calls';
import { type StackProcess, startStackProcess } from '#test/support/stack-process';

/**
 * A call's session lives in the service's stores, not in a process: `npm start`'s program is stopped (Ctrl-C)
 * half-way through a call and started again on the same data, and the call goes on where it was.
 */
describe('a restart in the middle of a call', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-restart-'));
  let stack: StackProcess | undefined;
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const clients = (s: StackProcess) => {
    const e = s.endpoints;
    const address = { endpoint: e.voiceId, region: e.region, credentials: e.credentials };
    return { sessions: new SessionClient(address), voiceId: new VoiceIDClient({ ...address, maxAttempts: 1 }) };
  };

  it('loses nothing: the second half of the call counts with the first', async () => {
    stack = await startStackProcess({}, dataDir);
    let { sessions, voiceId } = clients(stack);
    const { Domain } = await voiceId.send(
      new CreateDomainCommand({ Name: 'restart', ServerSideEncryptionConfiguration: { KmsKeyId: stack.endpoints.defaultKmsKeyArn } }),
    );
    const DomainId = Domain!.DomainId!;
    const enrollment = await sessions.startSession({ DomainId, SessionName: 'enrollment', SpeakerId: 'caller' });
    await streamAudio(sessions, { DomainId, SessionNameOrId: 'enrollment' }, callAudio('spk1688', 44), { chunkSeconds: 2 });
    await sessions.call('EnrollSessionSpeaker', { DomainId, SessionNameOrId: enrollment.Session.SessionId });

    const audio = callAudio('spk1688', 20, 6);
    const half = Math.floor(audio.length / 2 / 8000) * 8000;
    await sessions.startSession({ DomainId, SessionName: 'contact-1', SpeakerId: 'caller' });
    const before = await streamAudio(sessions, { DomainId, SessionNameOrId: 'contact-1' }, audio.subarray(0, half), { chunkSeconds: 1 });

    await stack.stop();
    stack = await startStackProcess({}, dataDir);
    ({ sessions, voiceId } = clients(stack));

    const after = await streamAudio(sessions, { DomainId, SessionNameOrId: 'contact-1' }, audio.subarray(half), {
      chunkSeconds: 1,
      firstSequenceNumber: before!.NextSequenceNumber,
    });
    expect(after!.AudioSeconds).toBeCloseTo(audio.length / 8000, 1);
    expect(after!.SpeechSeconds).toBeGreaterThan(before!.SpeechSeconds);
    const result = await voiceId.send(new EvaluateSessionCommand({ DomainId, SessionNameOrId: 'contact-1' }));
    expect(result.AuthenticationResult).toMatchObject({ Decision: 'ACCEPT', CustomerSpeakerId: 'caller' });
  }, 180_000);
});
