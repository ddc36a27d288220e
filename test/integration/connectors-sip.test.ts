import { randomUUID } from 'node:crypto';
import { AudioSocketCall, audioForkCall } from '#bin/call/phone-systems';
import { resample } from '#biometrics/resample';
import { type MediaGateway, startMediaGateway } from '#connectors/gateway';
import type { SessionClient } from '#connectors/session-client';
import { call, callAudio, evaluatedWhenEnded, sessions } from '#test/support/calls';
import { endpoints } from '#test/support/clients';
import { newDomain } from '#test/support/voice-id-errors';

/**
 * SIP servers' streams into sessions, with real speech: a plain audio WebSocket as FreeSWITCH mod_audio_fork,
 * jambonz and Vonage send it, and Asterisk AudioSocket over TCP. Results are read by the call's id with the
 * official SDK.
 */
describe('SIP server connectors', () => {
  let client: SessionClient;
  let domainId: string;
  let gateway: MediaGateway;
  const TOKEN = 'a-shared-stream-token';

  beforeAll(async () => {
    client = await sessions();
    domainId = (await newDomain('sip')).DomainId!;
    const { session } = await call(client, domainId, callAudio('spk1688', 44), { SpeakerId: 'sip-caller' });
    await client.call('EnrollSessionSpeaker', { DomainId: domainId, SessionNameOrId: session.SessionId });
    // A gateway of its own, whose AudioSocket route names the domain (the protocol carries only a UUID).
    gateway = await startMediaGateway({
      port: 0,
      api: client,
      websocket: { token: TOKEN, routes: { default: {} } },
      audiosocket: { port: 0, route: { domainId } },
    });
  });
  afterAll(() => gateway.stop());

  const evaluated = (SessionNameOrId: string) => evaluatedWhenEnded(domainId, SessionNameOrId);

  it('takes mod_audio_fork’s 8 kHz L16 (through npm start’s gateway), jambonz’s 16 kHz stereo and Vonage’s content-type', async () => {
    const { connectors, connectorSecrets } = endpoints();
    const fork = randomUUID();
    const metadata = { uuid: fork, DomainId: domainId, CustomerSpeakerId: 'sip-caller' };
    expect(
      (await audioForkCall(connectors.websocket, connectorSecrets.streamToken, { metadata, audio: callAudio('spk1688', 20, 6) })).code,
    ).toBe(1000);
    expect((await evaluated(fork)).AuthenticationResult!.Decision).toBe('ACCEPT');

    const wide = (audio: Float32Array) => resample(audio, 8000, 16000);
    const jambonz = randomUUID();
    await audioForkCall(`${gateway.url}/websocket`, TOKEN, {
      metadata: { callSid: jambonz, sampleRate: 16000, mixType: 'stereo', DomainId: domainId, CustomerSpeakerId: 'sip-caller' },
      audio: wide(callAudio('spk1688', 20, 6)),
      agentAudio: wide(callAudio('spk2033', 20)),
      sampleRate: 16000,
    });
    expect((await evaluated(jambonz)).AuthenticationResult!.Decision).toBe('ACCEPT');

    const vonage = `vonage-${Date.now()}`;
    await audioForkCall(`${gateway.url}/websocket`, TOKEN, {
      metadata: { 'content-type': 'audio/l16;rate=16000', callId: vonage, DomainId: domainId, CustomerSpeakerId: 'sip-caller' },
      audio: wide(callAudio('spk2033', 20)),
      sampleRate: 16000,
    });
    expect((await evaluated(vonage)).AuthenticationResult!.Decision).toBe('REJECT');
  });

  it('refuses a stream without the token (401), and closes one it cannot take with the code that says why', async () => {
    const audio = callAudio('spk1688', 1);
    const metadata = { uuid: randomUUID(), DomainId: domainId };
    await expect(audioForkCall(`${gateway.url}/websocket`, 'wrong', { metadata, audio })).rejects.toThrow('HTTP 401');
    expect((await audioForkCall(`${gateway.url}/websocket`, TOKEN, { metadata: { ...metadata, mixType: 'mixed' }, audio })).code).toBe(
      1003,
    );
    expect((await audioForkCall(`${gateway.url}/websocket`, TOKEN, { metadata: { DomainId: domainId }, audio })).code).toBe(1008);
    expect((await audioForkCall(`${gateway.url}/websocket`, TOKEN, { metadata: { ...metadata, sampleRate: 11025 }, audio })).code).toBe(
      1003,
    );
  });

  it('ends the session of a dropped WebSocket as a dropped call', async () => {
    const dropped = randomUUID();
    const metadata = { uuid: dropped, DomainId: domainId, CustomerSpeakerId: 'sip-caller' };
    await audioForkCall(`${gateway.url}/websocket`, TOKEN, { metadata, audio: callAudio('spk1688', 4), hangUp: false });
    expect((await evaluated(dropped)).StreamingStatus).toBe('ENDED');
  });

  it('takes an AudioSocket call in the route’s domain; the backend names the caller mid-call with UpdateSession', async () => {
    const uuid = randomUUID();
    const asterisk = new AudioSocketCall(gateway.connectors.audiosocket, uuid);
    const audio = callAudio('spk1688', 20, 6);
    asterisk.audio(audio.subarray(0, 4 * 8000));
    for (let tries = 0; tries < 100; tries++) {
      const named = await client
        .call('UpdateSession', { DomainId: domainId, SessionNameOrId: uuid, SpeakerId: 'sip-caller' })
        .catch(() => undefined);
      if (named) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    asterisk.audio(audio.subarray(4 * 8000));
    await asterisk.hangUp();
    expect((await evaluated(uuid)).AuthenticationResult).toMatchObject({ Decision: 'ACCEPT', CustomerSpeakerId: 'sip-caller' });
  });

  it('answers a frame that is not AudioSocket’s with the hang-up frame', async () => {
    const asterisk = new AudioSocketCall(gateway.connectors.audiosocket, randomUUID());
    asterisk.frame(0x20, Buffer.alloc(4));
    expect([...(await asterisk.closed)]).toEqual([0x00, 0x00, 0x00]);
  });
});
