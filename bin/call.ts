/**
 * `npm run call -- <wav>... --domain <DomainId> [--speaker <SpeakerId>] [--enroll] [--realtime] [--chunk-seconds 0.5]
 *  [--channel 0|1] [--endpoints file] [--via twilio|audiohook|websocket|audiosocket]`: a contact centre's call, simulated.
 *  With `--via` the call comes as that phone system would stream it to the embedded stack's media gateway (a signed
 *  Twilio Media Stream, a signed Genesys Cloud AudioHook Monitor session with the domain in customConfig and the caller
 *  in inputVariables, a SIP server's audio WebSocket, Asterisk AudioSocket), and the result is read by the call's id.
 *  It starts a session, streams the WAVs'
 * caller channel into it, one file after another as one call, in small PCM16 chunks (at the pace of a live call with --realtime, otherwise as fast as
 * the service takes them), shows progress on stderr, and prints the EvaluateSession result as JSON on stdout; with
 * --enroll it then enrolls the caller as the speaker and prints that result too. Credentials and the endpoint come
 * from the embedded stack's endpoints.json (VOICE_ID_DATA_DIR, else .data/), or from AWS_* variables and --endpoint.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { concatenate } from '#biometrics/voiceprint';
import { decodeWav } from '#biometrics/wav';
import { type ServiceAddress, SessionClient, streamAudio } from '#connectors/session-client';
import { AudioSocketCall, audioForkCall, audiohookCall, twilioCall } from './call/phone-systems.ts';
import { endpointsFile, type LocalEndpoints } from './local-endpoints.ts';

const USAGE =
  'Usage: npm run call -- <wav>... --domain <DomainId> [--speaker <SpeakerId>] [--enroll] [--realtime] [--chunk-seconds 0.5] [--channel 0|1] [--endpoint url] [--endpoints endpoints.json] [--via twilio|audiohook|websocket|audiosocket]';

function address(values: { endpoint?: string; endpoints?: string }): ServiceAddress {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION } = process.env;
  if (values.endpoint && AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY) {
    return {
      endpoint: values.endpoint,
      region: AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN },
    };
  }
  const local = JSON.parse(readFileSync(endpointsFile(values.endpoints), 'utf8')) as LocalEndpoints;
  return { endpoint: values.endpoint ?? local.voiceId, region: local.region, credentials: local.credentials };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      domain: { type: 'string' },
      speaker: { type: 'string' },
      enroll: { type: 'boolean', default: false },
      realtime: { type: 'boolean', default: false },
      'chunk-seconds': { type: 'string', default: '0.5' },
      channel: { type: 'string', default: '0' },
      endpoint: { type: 'string' },
      endpoints: { type: 'string' },
      via: { type: 'string' },
    },
  });
  if (positionals.length === 0 || !values.domain) {
    console.error(USAGE);
    process.exit(2);
  }
  const samples = concatenate(positionals.map((file) => decodeWav(readFileSync(file), Number(values.channel)).samples));
  const durationSeconds = samples.length / 8000;
  const client = new SessionClient(address(values));
  const DomainId = values.domain;
  if (values.via !== undefined) {
    const local = JSON.parse(readFileSync(endpointsFile(values.endpoints), 'utf8')) as LocalEndpoints;
    const callId = await viaPhoneSystem(values.via, local, client, {
      DomainId,
      speaker: values.speaker,
      samples,
      realtime: values.realtime,
    });
    console.log(JSON.stringify(await endedEvaluation(client, DomainId, callId), null, 2));
    return;
  }
  const SessionName = `call-${Date.now()}`;
  const { Session } = await client.startSession({ DomainId, SessionName, ...(values.speaker && { SpeakerId: values.speaker }) });
  console.error(`Session ${Session.SessionId} (${SessionName}): streaming ${durationSeconds.toFixed(1)} s of audio`);
  const target = { DomainId, SessionNameOrId: Session.SessionId };
  await streamAudio(client, target, samples, {
    chunkSeconds: Number(values['chunk-seconds']),
    realtime: values.realtime,
    onChunk: (chunk) => process.stderr.write(`\r  audio ${chunk.AudioSeconds.toFixed(1)} s, speech ${chunk.SpeechSeconds.toFixed(1)} s   `),
  });
  process.stderr.write('\n');
  console.log(JSON.stringify(await client.evaluate(DomainId, Session.SessionId), null, 2));
  if (values.enroll) {
    console.log(JSON.stringify(await client.call('EnrollSessionSpeaker', { ...target, ExistingEnrollmentAction: 'OVERWRITE' }), null, 2));
  }
  await client.end(DomainId, Session.SessionId);
}

/**
 * Plays the call as a phone system would stream it to `npm start`'s media gateway, and answers the call's id (the
 * session's name). AudioSocket carries no domain or caller: the gateway's AudioSocket route must name this domain,
 * and the caller is named with UpdateSession once the session exists, as a contact centre's backend would.
 */
async function viaPhoneSystem(
  via: string,
  local: LocalEndpoints,
  client: SessionClient,
  call: { DomainId: string; speaker?: string; samples: Float32Array; realtime: boolean },
): Promise<string> {
  const { DomainId, speaker, samples } = call;
  const closedWell = (closed: { code: number; reason: string }) => {
    if (closed.code !== 1000) throw new Error(`The gateway closed the stream with ${closed.code}: ${closed.reason}`);
  };
  console.error(`Streaming ${(samples.length / 8000).toFixed(1)} s of audio to ${local.connectors[via] ?? via}`);
  if (via === 'twilio') {
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    const parameters = { DomainId, ...(speaker && { CustomerSpeakerId: speaker }) };
    closedWell(
      await twilioCall(local.connectors.twilio, local.connectorSecrets.twilioAuthToken, {
        callSid,
        audio: samples,
        parameters,
        realtime: call.realtime,
      }),
    );
    return callSid;
  }
  if (via === 'audiohook') {
    const conversationId = randomUUID();
    const { audiohookApiKey: apiKey, audiohookClientSecret: clientSecret } = local.connectorSecrets;
    const closed = await audiohookCall(
      local.connectors.audiohook,
      { apiKey, clientSecret },
      {
        conversationId,
        audio: samples,
        customConfig: { DomainId },
        ...(speaker && { inputVariables: { CustomerSpeakerId: speaker } }),
        realtime: call.realtime,
      },
    );
    const disconnect = closed.messages.find((message) => message.type === 'disconnect');
    if (disconnect) throw new Error(`The gateway disconnected the session: ${String(disconnect.parameters.info)}`);
    return conversationId;
  }
  if (via === 'websocket') {
    const uuid = randomUUID();
    const metadata = { uuid, DomainId, ...(speaker && { CustomerSpeakerId: speaker }) };
    closedWell(await audioForkCall(local.connectors.websocket, local.connectorSecrets.streamToken, { metadata, audio: samples }));
    return uuid;
  }
  if (via === 'audiosocket') {
    const uuid = randomUUID();
    const asterisk = new AudioSocketCall(local.connectors.audiosocket, uuid);
    asterisk.audio(samples.subarray(0, 8000));
    const noRoute = 'is the gateway’s AudioSocket route given this domain (VOICE_ID_CONNECTORS_FILE)?';
    if (speaker) {
      await nameCaller(client, { DomainId, SessionNameOrId: uuid, SpeakerId: speaker }).catch((error: Error) => {
        throw new Error(`${error.message} The AudioSocket call's session did not start: ${noRoute}`);
      });
    }
    asterisk.audio(samples.subarray(8000));
    const answer = await asterisk.hangUp();
    if (answer.length)
      throw new Error('The gateway hung up the AudioSocket call: is its route given this domain (VOICE_ID_CONNECTORS_FILE)?');
    return uuid;
  }
  throw new Error(`--via takes twilio, audiohook, websocket or audiosocket (the connectors npm start runs); not ${via}.`);
}

/** UpdateSession once the connector has started the session. */
async function nameCaller(client: SessionClient, input: { DomainId: string; SessionNameOrId: string; SpeakerId: string }) {
  for (let tries = 0; ; tries++) {
    try {
      return await client.call('UpdateSession', input);
    } catch (error) {
      if (tries >= 50 || !(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The call's evaluation once the connector has ended its session (it ends the session after the stream's stop). */
async function endedEvaluation(client: SessionClient, DomainId: string, callSid: string) {
  for (let tries = 0; ; tries++) {
    const result = await client.evaluate(DomainId, callSid).catch((error: unknown) => {
      if (tries < 50 && error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    });
    if (result && (result.StreamingStatus === 'ENDED' || tries >= 50)) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
