import { randomUUID } from 'node:crypto';
import { EvaluateSessionCommand } from '@aws-sdk/client-voice-id';
import type WebSocket from 'ws';
import { type AudioHookServerMessage, audiohookCall, audiohookSocket, newAudioHookConnection } from '#bin/call/phone-systems';
import { type MediaGateway, startMediaGateway } from '#connectors/gateway';
import type { SessionClient } from '#connectors/session-client';
import { callAudio, enrolledWhenDone, evaluatedWhenEnded, sessions } from '#test/support/calls';
import { endpoints, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

/**
 * Genesys Cloud AudioHook Monitor sessions into Voice ID sessions, with real speech: Genesys Cloud's side is played
 * from the protocol's public message formats (a signed connection request, open/opened, ping/pong, PCMU frames,
 * paused/resumed, close/closed), and the results are read with the official SDK by conversationId, as a contact
 * centre's backend would.
 */
describe('Genesys Cloud AudioHook', () => {
  let domainId: string;
  let gateway: MediaGateway;
  let client: SessionClient;
  const credentials = { apiKey: 'an-audiohook-integrations-api-key', clientSecret: Buffer.from('its client secret').toString('base64') };

  beforeAll(async () => {
    domainId = (await newDomain('audiohook')).DomainId!;
    client = await sessions();
    // A gateway of its own in front of the test stack's API, with a route for consented enrollment.
    gateway = await startMediaGateway({
      port: 0,
      api: client,
      audiohook: { ...credentials, routes: { default: {}, consented: { enrollAtEnd: true } } },
    });
  });
  afterAll(() => gateway.stop());

  /** EvaluateSession by conversationId, once the connector has ended the call's session. */
  const evaluated = (SessionNameOrId: string) => evaluatedWhenEnded(domainId, SessionNameOrId);
  const described = async (SessionNameOrId: string) =>
    (
      await client.call<{ Session: { AudioSeconds: number; StreamingStatus: string } }>('DescribeSession', {
        DomainId: domainId,
        SessionNameOrId,
      })
    ).Session;
  const PROBE = '00000000-0000-0000-0000-000000000000';
  const ofType = (messages: AudioHookServerMessage[], type: string) => messages.filter((message) => message.type === type);
  const call = (customerSpeakerId: string, audio: Float32Array, more: Partial<Parameters<typeof audiohookCall>[2]> = {}) => ({
    conversationId: randomUUID(),
    audio,
    customConfig: { DomainId: domainId },
    inputVariables: { CustomerSpeakerId: customerSpeakerId },
    ...more,
  });

  it('enrolls a consenting caller when the call ends, then accepts them and rejects an impostor by conversationId', async () => {
    const enrollment = call('audiohook-caller', callAudio('spk1688', 44));
    const enrolled = await audiohookCall(`${gateway.url}/audiohook/consented`, credentials, enrollment);
    expect(enrolled.code).toBe(1000);
    // opened names the one format chosen: the customer's channel alone, which Genesys Cloud offered.
    expect(ofType(enrolled.messages, 'opened')[0].parameters.media).toEqual([
      { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
    ]);
    expect(ofType(enrolled.messages, 'pong')).toHaveLength(1);
    expect(enrolled.messages.at(-1)?.type).toBe('closed');
    await evaluated(enrollment.conversationId);
    await enrolledWhenDone(domainId, 'audiohook-caller');

    // Through npm start's own gateway, in stereo with the agent on the internal channel: only the customer is heard.
    const { connectors, connectorSecrets } = endpoints();
    const genuine = call('audiohook-caller', callAudio('spk1688', 20, 6), { agentAudio: callAudio('spk2033', 20) });
    const stereo = await audiohookCall(
      connectors.audiohook,
      { apiKey: connectorSecrets.audiohookApiKey, clientSecret: connectorSecrets.audiohookClientSecret },
      genuine,
    );
    expect(ofType(stereo.messages, 'opened')[0].parameters.media).toEqual([
      { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    ]);
    const accepted = await evaluated(genuine.conversationId);
    expect(accepted.AuthenticationResult).toMatchObject({ Decision: 'ACCEPT', CustomerSpeakerId: 'audiohook-caller' });

    const impostor = call('audiohook-caller', callAudio('spk2033', 20));
    await audiohookCall(`${gateway.url}/audiohook`, credentials, impostor);
    expect((await evaluated(impostor.conversationId)).AuthenticationResult!.Decision).toBe('REJECT');
  });

  it('refuses a connection request with another API key, or a signature of another client secret, with 401: no session starts', async () => {
    const refused = call('nobody', callAudio('spk1688', 2));
    const url = `${gateway.url}/audiohook`;
    await expect(audiohookCall(url, { ...credentials, apiKey: 'another-key' }, refused)).rejects.toThrow('HTTP 401');
    const otherSecret = Buffer.from('another secret').toString('base64');
    await expect(audiohookCall(url, { ...credentials, clientSecret: otherSecret }, refused)).rejects.toThrow('HTTP 401');
    await expect(audiohookCall(`${gateway.url}/audiohook/unknown-route`, credentials, refused)).rejects.toThrow('HTTP 404');
    const missing = await failure(
      voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: refused.conversationId })),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('feeds no audio while the stream is paused: the session hears the call before and after the pause', async () => {
    // 4 s, then 3 s paused (sent anyway, as a misbehaving client would), then 2 s.
    const paused = call('pauser', callAudio('spk1688', 9).subarray(0, 9 * 8000), { pause: [4, 7], audioWhilePaused: true });
    const closed = await audiohookCall(`${gateway.url}/audiohook`, credentials, paused);
    expect(closed.code).toBe(1000);
    expect(ofType(closed.messages, 'disconnect')).toEqual([]);
    const session = await described(paused.conversationId);
    expect(session).toMatchObject({ StreamingStatus: 'ENDED', AudioSeconds: 6 });
  });

  it('answers a call naming an unknown domain, or none, with disconnect (reason error): no session starts', async () => {
    const unknown = call('x', callAudio('spk1688', 1), { customConfig: { DomainId: 'NoSuchDomain0000000000' } });
    const unknownDomain = await audiohookCall(`${gateway.url}/audiohook`, credentials, unknown);
    expect(ofType(unknownDomain.messages, 'opened')).toEqual([]);
    expect(ofType(unknownDomain.messages, 'disconnect')[0].parameters).toMatchObject({
      reason: 'error',
      info: expect.stringMatching(/could not start/) as string,
    });
    // The client's close transaction is answered, as after any disconnect.
    expect(unknownDomain.messages.at(-1)?.type).toBe('closed');
    const noDomain = await audiohookCall(`${gateway.url}/audiohook`, credentials, {
      ...call('x', callAudio('spk1688', 1)),
      customConfig: {},
    });
    expect(ofType(noDomain.messages, 'disconnect')[0].parameters).toMatchObject({
      reason: 'error',
      info: expect.stringMatching(/names no DomainId/) as string,
    });
    const missing = await failure(
      voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: unknown.conversationId })),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  /** A connection of our own, to break the protocol: answers every server message, and the close code. */
  type Connection = ReturnType<typeof newAudioHookConnection>;
  const raw = async (messages: (connection: Connection) => (string | Buffer)[]) => {
    const connection = newAudioHookConnection();
    const socket: WebSocket = await audiohookSocket(`${gateway.url}/audiohook`, credentials, connection);
    const received: AudioHookServerMessage[] = [];
    socket.on('message', (data) => received.push(JSON.parse((data as Buffer).toString('utf8')) as AudioHookServerMessage));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    for (const message of messages(connection)) socket.send(message);
    return { code: await closed, received };
  };
  const open = (connection: Connection, conversationId: string) =>
    JSON.stringify({
      version: '2',
      type: 'open',
      seq: 1,
      serverseq: 0,
      position: 'PT0S',
      id: connection.sessionId,
      parameters: {
        organizationId: connection.organizationId,
        conversationId,
        media: [{ type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 }],
        customConfig: { DomainId: domainId },
      },
    });

  it('answers a message that breaks the protocol with disconnect (reason error), and closes a client that does not close (1007)', async () => {
    const notJson = await raw(() => ['{"version":"2","type":"open"']);
    expect(notJson.received.map((message) => [message.type, message.parameters.reason])).toEqual([['disconnect', 'error']]);
    expect(notJson.code).toBe(1007);

    const audioFirst = await raw(() => [Buffer.alloc(160, 0xff)]);
    expect(audioFirst.received[0].parameters).toMatchObject({
      reason: 'error',
      info: expect.stringMatching(/before the session was opened/) as string,
    });

    const conversationId = randomUUID();
    const outOfOrder = await raw((connection) => [
      open(connection, conversationId),
      JSON.stringify({ version: '2', type: 'ping', seq: 5, serverseq: 0, id: connection.sessionId, parameters: {} }),
    ]);
    expect(ofType(outOfOrder.received, 'disconnect')[0].parameters).toMatchObject({
      reason: 'error',
      info: expect.stringMatching(/seq is 5/) as string,
    });
    expect(outOfOrder.code).toBe(1007);
    // A session the protocol broke off ends as a dropped call.
    expect((await evaluated(conversationId)).StreamingStatus).toBe('ENDED');
  });

  it('answers an open of another organization than the signed one with disconnect (reason unauthorized), and a probe with opened', async () => {
    const conversationId = randomUUID();
    const otherOrganization = await raw((connection) => [open({ ...connection, organizationId: randomUUID() }, conversationId)]);
    expect(otherOrganization.received.map((message) => [message.type, message.parameters.reason])).toEqual([
      ['disconnect', 'unauthorized'],
    ]);
    expect(otherOrganization.code).toBe(1008);

    // Genesys Cloud checks a server with a probe: the all-zero conversationId, which starts no session.
    const probe = await audiohookCall(`${gateway.url}/audiohook`, credentials, {
      ...call('x', callAudio('spk1688', 1)),
      conversationId: PROBE,
    });
    expect(probe.messages.map((message) => message.type)).toEqual(['opened', 'pong', 'closed']);
    const missing = await failure(voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: PROBE })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('ends the session of a dropped connection with the audio it sent; a new connection of that ended conversation is refused', async () => {
    const dropped = call('dropper', callAudio('spk1688', 6).subarray(0, 6 * 8000), { closeReason: false });
    await audiohookCall(`${gateway.url}/audiohook`, credentials, dropped);
    expect((await evaluated(dropped.conversationId)).StreamingStatus).toBe('ENDED');
    expect((await described(dropped.conversationId)).AudioSeconds).toBe(6);
    const again = await audiohookCall(`${gateway.url}/audiohook`, credentials, { ...dropped, closeReason: 'end' });
    expect(ofType(again.messages, 'disconnect')[0].parameters).toMatchObject({
      reason: 'error',
      info: expect.stringMatching(/could not start/) as string,
    });
  });

  it('goes on in the same session when the conversation reconnects: a close for a reconnect leaves it live', async () => {
    const first = call('reconnecter', callAudio('spk1688', 3).subarray(0, 2.5 * 8000), { closeReason: 'reconnect' });
    await audiohookCall(`${gateway.url}/audiohook`, credentials, first);
    expect((await described(first.conversationId)).StreamingStatus).not.toBe('ENDED');
    await audiohookCall(`${gateway.url}/audiohook`, credentials, {
      ...first,
      audio: callAudio('spk1688', 3).subarray(0, 3 * 8000),
      closeReason: 'end',
    });
    expect(await described(first.conversationId)).toMatchObject({ StreamingStatus: 'ENDED', AudioSeconds: 5.5 });
  });
});
