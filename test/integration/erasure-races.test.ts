import { DeleteSpeakerCommand, EvaluateSessionCommand, OptOutSpeakerCommand } from '@aws-sdk/client-voice-id';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AppendResult, type SessionClient, toPcm16 } from '#connectors/session-client';
import { call, callAudio, sessions } from '#test/support/calls';
import { serviceTables, voiceId } from '#test/support/clients';
import { newDomain } from '#test/support/voice-id-errors';

/**
 * An opt-out or a deletion answered while a call's chunks are being embedded: once it has answered, no table holds
 * the speaker's speech or voiceprint, however the in-flight requests end, and the session embeds nothing more.
 * Each iteration puts the erasure at another moment of the chunks' work, then reads the tables raw.
 */
describe('erasure while a call is in flight', () => {
  let client: SessionClient;
  let domainId: string;
  const speech = callAudio('spk1688', 44);
  const chunk = (n: number) => toPcm16(speech.subarray(n * 8000, (n + 1) * 8000));

  beforeAll(async () => {
    client = await sessions();
    domainId = (await newDomain('erasure-races')).DomainId!;
  });

  /** Every item of the domain's partition in a table, read consistently, past the service. */
  const partition = async (table: 'sessions' | 'voiceprints') => {
    const { names, client: dynamo } = await serviceTables();
    const { Items } = await dynamo.send(
      new QueryCommand({
        TableName: names[table],
        KeyConditionExpression: 'domainId = :d',
        ExpressionAttributeValues: { ':d': domainId },
        ConsistentRead: true,
      }),
    );
    return Items ?? [];
  };

  /** Sends chunks `from`.. one after another, as a live call does; resolves with each answer or error. */
  const stream = async (SessionNameOrId: string, from: number, count: number) => {
    const answers: (AppendResult | Error)[] = [];
    for (let n = from; n < from + count; n++) {
      answers.push(
        await client.appendAudio({ DomainId: domainId, SessionNameOrId, SequenceNumber: n, Audio: chunk(n % 40) }).catch((e: Error) => e),
      );
    }
    return answers;
  };

  const expectErased = async (sessionId: string, speakerIds: string[]) => {
    const session = (await partition('sessions')).find((item) => item.itemId === `session#${sessionId}`)!;
    expect(session).not.toHaveProperty('stream');
    expect(session.speechSeconds).toBe(0);
    expect(typeof session.speechErasedAt).toBe('number');
    const voiceprints = (await partition('voiceprints')).filter((item) => speakerIds.some((id) => item.ownerId === `speaker#${id}`));
    expect(voiceprints).toEqual([]);
  };

  it('an opt-out leaves no speech behind, at whatever moment of the chunks it lands', async () => {
    for (let i = 0; i < 12; i++) {
      const speakerId = `opting-out-${i}`;
      const { session } = await call(client, domainId, speech.subarray(0, 6 * 8000), { SpeakerId: speakerId });
      // Chunks in flight; the opt-out is sent after none, one or a few of them have started.
      const inFlight = stream(session.SessionId, 6, 4);
      await new Promise((resolve) => setTimeout(resolve, (i % 5) * 120));
      await voiceId().send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: speakerId }));
      await expectErased(session.SessionId, [speakerId]);
      const answers = await inFlight;
      for (const answer of answers) if (answer instanceof Error) expect(answer).toMatchObject({ type: 'ConflictException' });
      await expectErased(session.SessionId, [speakerId]);

      // The call goes on, and takes audio without embedding it.
      const next = (answers.filter((a) => !(a instanceof Error)) as AppendResult[]).at(-1)?.NextSequenceNumber ?? 6;
      const [after] = await stream(session.SessionId, next, 1);
      expect(after).toMatchObject({ SpeechSeconds: 0, NextSequenceNumber: next + 1 });
      await expectErased(session.SessionId, [speakerId]);
      const { AuthenticationResult } = await voiceId().send(
        new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: session.SessionId }),
      );
      expect(AuthenticationResult!.Decision).toBe('SPEAKER_OPTED_OUT');
      // The test stack allows 5 speakers a domain, opted-out ones included.
      await voiceId().send(new DeleteSpeakerCommand({ DomainId: domainId, SpeakerId: speakerId }));
    }
  });

  it('a deletion leaves neither voiceprint nor speech, with chunks and enrollment in flight', async () => {
    for (let i = 0; i < 3; i++) {
      const { session } = await call(client, domainId, speech, { SpeakerId: `deleted-${i}` });
      const { Speaker } = await client.call<{ Speaker: { GeneratedSpeakerId: string } }>('EnrollSessionSpeaker', {
        DomainId: domainId,
        SessionNameOrId: session.SessionId,
      });
      const inFlight = stream(session.SessionId, 44, 3);
      await new Promise((resolve) => setTimeout(resolve, i * 150));
      await voiceId().send(new DeleteSpeakerCommand({ DomainId: domainId, SpeakerId: Speaker.GeneratedSpeakerId }));
      await expectErased(session.SessionId, [Speaker.GeneratedSpeakerId]);
      await inFlight;
      await expectErased(session.SessionId, [Speaker.GeneratedSpeakerId]);
    }
  });

  it('a session named for a speaker who has opted out embeds nothing, from its first chunk', async () => {
    await voiceId().send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: 'opted-out-before' }));
    const { session, last } = await call(client, domainId, speech.subarray(0, 4 * 8000), { SpeakerId: 'opted-out-before' });
    expect(last).toMatchObject({ SpeechSeconds: 0, AudioSeconds: 4 });
    await expectErased(session.SessionId, []);

    const named = await call(client, domainId, speech.subarray(0, 10 * 8000));
    expect(named.last!.SpeechSeconds).toBeGreaterThan(0);
    await client.call('UpdateSession', { DomainId: domainId, SessionNameOrId: named.session.SessionId, SpeakerId: 'opted-out-before' });
    await expectErased(named.session.SessionId, []);
  });
});
