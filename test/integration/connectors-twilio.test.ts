import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EvaluateSessionCommand } from '@aws-sdk/client-voice-id';
import WebSocket from 'ws';
import { twilioCall } from '#bin/call/phone-systems';
import { type MediaGateway, startMediaGateway } from '#connectors/gateway';
import { twilioSignature } from '#connectors/twilio';
import { webhookSignature } from '#connectors/webhooks';
import { callAudio, enrolledWhenDone, evaluatedWhenEnded, sessions } from '#test/support/calls';
import { endpoints, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

/**
 * Twilio Media Streams into sessions, with real speech: Twilio's side is played from its public message format
 * (signed upgrade, start with the call's <Parameter>s, 20 ms mu-law frames, stop), and the results are read with
 * the official SDK by CallSid, as a contact centre's backend would.
 */
describe('Twilio Media Streams', () => {
  let domainId: string;
  let gateway: MediaGateway;
  const AUTH_TOKEN = 'a-twilio-accounts-auth-token';
  const WEBHOOK_SECRET = 'the-customers-webhook-secret';
  const backend = webhookReceiver();
  let calls = 0;
  const callSid = () => `CA${Date.now().toString(16)}${(calls++).toString().padStart(4, '0')}`.padEnd(34, '0');

  beforeAll(async () => {
    domainId = (await newDomain('twilio')).DomainId!;
    // A gateway of its own in front of the test stack's API, with a route for consented enrollment.
    gateway = await startMediaGateway({
      port: 0,
      api: await sessions(),
      twilio: {
        authToken: AUTH_TOKEN,
        routes: {
          default: {},
          consented: { enrollAtEnd: true },
          notified: { webhook: { url: await backend.url(), secret: WEBHOOK_SECRET } },
        },
      },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    backend.stop();
  });

  const evaluated = (SessionNameOrId: string) => evaluatedWhenEnded(domainId, SessionNameOrId);
  const parameters = (CustomerSpeakerId: string) => ({ DomainId: domainId, CustomerSpeakerId });

  it('enrolls a consenting caller when the call ends, then accepts them and rejects an impostor on later calls', async () => {
    const enrollment = callSid();
    const closed = await twilioCall(`${gateway.url}/twilio/consented`, AUTH_TOKEN, {
      callSid: enrollment,
      audio: callAudio('spk1688', 44),
      parameters: parameters('twilio-caller'),
    });
    expect(closed.code).toBe(1000);
    await evaluated(enrollment);
    await enrolledWhenDone(domainId, 'twilio-caller');

    // Through npm start's own gateway, with both tracks: only the inbound one (the caller) is heard.
    const { connectors, connectorSecrets } = endpoints();
    const genuine = callSid();
    await twilioCall(connectors.twilio, connectorSecrets.twilioAuthToken, {
      callSid: genuine,
      audio: callAudio('spk1688', 20, 6),
      agentAudio: callAudio('spk2033', 20),
      parameters: parameters('twilio-caller'),
    });
    const accepted = await evaluated(genuine);
    expect(accepted.AuthenticationResult).toMatchObject({ Decision: 'ACCEPT', CustomerSpeakerId: 'twilio-caller' });

    const impostor = callSid();
    await twilioCall(`${gateway.url}/twilio`, AUTH_TOKEN, {
      callSid: impostor,
      audio: callAudio('spk2033', 20),
      parameters: parameters('twilio-caller'),
    });
    expect((await evaluated(impostor)).AuthenticationResult!.Decision).toBe('REJECT');
  });

  it('posts the decisions of a route with a webhook as they change, signed, and the last one when the call ends', async () => {
    const notified = callSid();
    await twilioCall(`${gateway.url}/twilio/notified`, AUTH_TOKEN, {
      callSid: notified,
      audio: callAudio('spk1688', 20, 6),
      parameters: parameters('twilio-caller'),
    });
    await evaluated(notified);
    for (let tries = 0; tries < 100 && !backend.received.some((post) => post.body.Event === 'CALL_ENDED'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const posts = backend.received.filter((post) => post.body.CallId === notified);
    for (const post of posts) {
      const t = Number(/t=(\d+)/.exec(post.signature)![1]);
      expect(post.signature).toBe(webhookSignature(WEBHOOK_SECRET, t, post.raw));
    }
    const decisions = posts.map(
      (post) => `${String(post.body.Event)} ${(post.body.AuthenticationResult as { Decision: string }).Decision}`,
    );
    expect(decisions.at(-1)).toBe('CALL_ENDED ACCEPT');
    // Each DECISION_CHANGED differs from the one before: no repeats of an unchanged decision.
    const changes = posts
      .filter((post) => post.body.Event === 'DECISION_CHANGED')
      .map((post) =>
        JSON.stringify([post.body.AuthenticationResult, post.body.FraudDetectionResult].map((r) => (r as { Decision: string }).Decision)),
      );
    expect(changes.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < changes.length; i++) expect(changes[i]).not.toBe(changes[i - 1]);
  });

  it('refuses an upgrade whose signature is wrong, or for another URL, with 403: no session starts', async () => {
    const refused = callSid();
    const call = { callSid: refused, audio: callAudio('spk1688', 2), parameters: parameters('nobody') };
    await expect(twilioCall(`${gateway.url}/twilio`, 'another-token', call)).rejects.toThrow('HTTP 403');
    await expect(twilioCall(`${gateway.url}/twilio`, AUTH_TOKEN, call, `${gateway.url}/twilio/consented`)).rejects.toThrow('HTTP 403');
    await expect(twilioCall(`${gateway.url}/twilio/unknown-route`, AUTH_TOKEN, call)).rejects.toThrow('HTTP 404');
    const missing = await failure(voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: refused })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('closes with the code that says why: an unknown domain (1008), another encoding (1003), a frame that is not Twilio’s (1007)', async () => {
    const unknownDomain = await twilioCall(`${gateway.url}/twilio`, AUTH_TOKEN, {
      callSid: callSid(),
      audio: callAudio('spk1688', 2),
      parameters: { DomainId: 'NoSuchDomain0000000000', CustomerSpeakerId: 'x' },
    });
    expect(unknownDomain.code).toBe(1008);
    expect(unknownDomain.reason).toMatch(/session could not start/);
    const noDomain = await twilioCall(`${gateway.url}/twilio`, AUTH_TOKEN, { callSid: callSid(), audio: callAudio('spk1688', 1) });
    expect(noDomain.code).toBe(1008);
    expect(noDomain.reason).toMatch(/names no DomainId/);

    const raw = async (...messages: string[]) => {
      const url = `${gateway.url}/twilio`;
      const socket = new WebSocket(url, { headers: { 'X-Twilio-Signature': twilioSignature(AUTH_TOKEN, url) } });
      await new Promise((resolve) => socket.once('open', resolve));
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      for (const message of messages) socket.send(message);
      return closed;
    };
    const start = (encoding: string) =>
      JSON.stringify({
        event: 'start',
        start: { callSid: callSid(), mediaFormat: { encoding, sampleRate: 8000, channels: 1 }, customParameters: parameters('x') },
      });
    expect(await raw(start('audio/x-alaw'))).toBe(1003);
    expect(await raw('{"event":"start"')).toBe(1007);
    expect(await raw(JSON.stringify({ event: 'media', media: { payload: 'AAAA' } }))).toBe(1007);
  });

  it('ends the session of a dropped stream with the audio it sent; a new stream of that ended call is refused (1008)', async () => {
    const dropped = callSid();
    const call = { callSid: dropped, audio: callAudio('spk1688', 6), parameters: parameters('dropper'), hangUp: false };
    await twilioCall(`${gateway.url}/twilio`, AUTH_TOKEN, call);
    const ended = await evaluated(dropped);
    expect(ended.StreamingStatus).toBe('ENDED');
    expect((await twilioCall(`${gateway.url}/twilio`, AUTH_TOKEN, { ...call, hangUp: true })).code).toBe(1008);
  });
});

/** A customer's backend taking webhooks: every POST, with its raw body and signature header. */
function webhookReceiver() {
  const received: { raw: string; body: Record<string, unknown>; signature: string }[] = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ raw, body: JSON.parse(raw) as Record<string, unknown>, signature: String(request.headers['x-voice-id-signature']) });
      response.writeHead(204).end();
    });
  });
  const listening = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    url: async () => {
      await listening;
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/voice-id`;
    },
    stop: () => server.close(),
  };
}
