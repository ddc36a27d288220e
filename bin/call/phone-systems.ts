import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { signAudioHookRequest } from '#connectors/audiohook';
import { twilioSignature } from '#connectors/twilio';

/*
 * The phone systems' side of each connector's protocol, from their public message formats: what `npm run call --
 * --via <connector>` plays, and what the connector tests play.
 */

/** ITU-T G.711 mu-law compression of 16-bit samples, as a phone network sends them (the connectors' input). */
export function encodeMuLaw(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    let sample = Math.max(-32635, Math.min(32635, Math.round(samples[i] * 32768)));
    const sign = sample < 0 ? 0x80 : 0;
    if (sign) sample = -sample;
    sample += 0x84;
    let exponent = 7;
    for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
    const mantissa = (sample >> (exponent + 3)) & 0x0f;
    bytes[i] = ~(sign | (exponent << 4) | mantissa) & 0xff;
  }
  return bytes;
}

/**
 * Twilio's side of a Media Stream, from its public message format: the signed upgrade, then connected, start (with
 * the call's <Parameter>s), 20 ms media frames of the inbound track (and, with `bothTracks`, an outbound track of
 * other audio) and stop. Answers when the gateway has closed the socket, with its close code and reason.
 */
export async function twilioCall(
  url: string,
  authToken: string,
  call: {
    callSid: string;
    audio: Float32Array;
    parameters?: Record<string, string>;
    agentAudio?: Float32Array;
    /** false: the connection drops instead of the call ending with `stop`. */
    hangUp?: boolean;
    /** At the pace of a live call (a frame every 20 ms), not as fast as the socket takes them. */
    realtime?: boolean;
  },
  signatureUrl = url,
): Promise<{ code: number; reason: string }> {
  const socket = new WebSocket(url, { headers: { 'X-Twilio-Signature': twilioSignature(authToken, signatureUrl) } });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve).once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
  });
  const streamSid = `MZ${call.callSid.slice(2)}`;
  const send = (message: object) => socket.send(JSON.stringify({ ...message, streamSid }));
  send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  send({
    event: 'start',
    sequenceNumber: '1',
    start: {
      accountSid: 'ACtest',
      streamSid,
      callSid: call.callSid,
      tracks: call.agentAudio ? ['inbound', 'outbound'] : ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      customParameters: call.parameters ?? {},
    },
  });
  const frame = 160;
  const inbound = encodeMuLaw(call.audio);
  const outbound = call.agentAudio && encodeMuLaw(call.agentAudio);
  const started = Date.now();
  for (let start = 0, chunk = 1; start < inbound.length; start += frame, chunk++) {
    if (call.realtime) await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + chunk * 20 - Date.now())));
    const payload = Buffer.from(inbound.subarray(start, start + frame)).toString('base64');
    send({ event: 'media', media: { track: 'inbound', chunk: String(chunk), timestamp: String(chunk * 20), payload } });
    if (outbound && start < outbound.length) {
      const agent = Buffer.from(outbound.subarray(start, start + frame)).toString('base64');
      send({ event: 'media', media: { track: 'outbound', chunk: String(chunk), timestamp: String(chunk * 20), payload: agent } });
    }
  }
  if (call.hangUp === false) socket.terminate();
  else send({ event: 'stop', stop: { accountSid: 'ACtest', callSid: call.callSid } });
  return closed;
}

/** 16-bit little-endian PCM of float samples, interleaving a second channel when given (left: `samples`). */
function linear16(samples: Float32Array, right?: Float32Array): Buffer {
  const channels = right ? 2 : 1;
  const bytes = Buffer.alloc(samples.length * 2 * channels);
  const clip = (x: number) => Math.max(-32768, Math.min(32767, Math.round(x * 32768)));
  for (let i = 0; i < samples.length; i++) {
    bytes.writeInt16LE(clip(samples[i]), i * 2 * channels);
    if (right) bytes.writeInt16LE(clip(right[i] ?? 0), i * 4 + 2);
  }
  return bytes;
}

/**
 * A SIP server's audio WebSocket (FreeSWITCH mod_audio_fork, jambonz `listen`, Vonage): the metadata text frame,
 * then 20 ms binary frames of L16 at the metadata's rate (with `agentAudio`, stereo: caller left, agent right),
 * then a close frame (or, with `hangUp: false`, a lost connection).
 */
export async function audioForkCall(
  url: string,
  token: string,
  call: { metadata: Record<string, unknown>; audio: Float32Array; sampleRate?: number; agentAudio?: Float32Array; hangUp?: boolean },
): Promise<{ code: number; reason: string }> {
  const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve).once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
  });
  socket.send(JSON.stringify(call.metadata));
  const rate = call.sampleRate ?? 8000;
  const bytes = linear16(call.audio, call.agentAudio);
  const frame = (rate / 50) * 2 * (call.agentAudio ? 2 : 1);
  for (let start = 0; start < bytes.length; start += frame) socket.send(bytes.subarray(start, start + frame));
  if (call.hangUp === false) socket.terminate();
  else socket.close(1000);
  return closed;
}

/** Asterisk's side of AudioSocket over TCP: the UUID frame, 20 ms signed linear frames, then the hang-up frame. */
export class AudioSocketCall {
  private readonly socket: Socket;
  /** What the gateway sent back (a hang-up frame when it refused the stream), once it closed the connection. */
  readonly closed: Promise<Buffer>;

  constructor(address: string, uuid: string) {
    const { hostname, port } = new URL(address);
    this.socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    this.socket.on('data', (data) => received.push(data));
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve(Buffer.concat(received))));
    this.frame(0x01, Buffer.from(uuid.replaceAll('-', ''), 'hex'));
  }

  frame(kind: number, payload: Buffer = Buffer.alloc(0)): void {
    const header = Buffer.from([kind, payload.length >> 8, payload.length & 0xff]);
    this.socket.write(Buffer.concat([header, payload]));
  }

  audio(samples: Float32Array): void {
    const bytes = linear16(samples);
    for (let start = 0; start < bytes.length; start += 320) this.frame(0x10, bytes.subarray(start, start + 320));
  }

  hangUp(): Promise<Buffer> {
    this.frame(0x00);
    this.socket.end();
    return this.closed;
  }
}

/** An AudioHook integration's credentials, as Genesys Cloud is given them. */
export interface AudioHookCredentials {
  apiKey: string;
  clientSecret: string;
}

/** The ids of one AudioHook connection, which its request's header fields carry and its signature covers. */
export interface AudioHookConnection {
  organizationId: string;
  sessionId: string;
  correlationId: string;
}

/** A new connection's ids, as Genesys Cloud makes them (UUIDs). */
export function newAudioHookConnection(): AudioHookConnection {
  return { organizationId: randomUUID(), sessionId: randomUUID(), correlationId: randomUUID() };
}

/** Opens an AudioHook connection with Genesys Cloud's signed request; rejects with `HTTP <status>` when refused. */
export async function audiohookSocket(url: string, credentials: AudioHookCredentials, connection: AudioHookConnection): Promise<WebSocket> {
  const headers = signAudioHookRequest(
    url,
    {
      'Audiohook-Organization-Id': connection.organizationId,
      'Audiohook-Session-Id': connection.sessionId,
      'Audiohook-Correlation-Id': connection.correlationId,
    },
    credentials,
  );
  const socket = new WebSocket(url, { headers: { ...headers, 'User-Agent': 'GenesysCloud-AudioHook-Client' } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve).once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
  });
  return socket;
}

/** A message the server sent on an AudioHook connection (protocol version 2). */
export interface AudioHookServerMessage {
  version: string;
  type: string;
  seq: number;
  clientseq: number;
  id: string;
  parameters: Record<string, unknown>;
}

/**
 * Genesys Cloud's side of an AudioHook Monitor session, from the protocol's public message formats: the signed
 * connection request, `open` (offering PCMU at 8 kHz in stereo and in each channel alone, as Genesys Cloud does,
 * or stereo only when the agent's audio is given), a `ping`, 100 ms binary frames of the chosen channels
 * (interleaved in stereo; external is the customer, internal the agent), `paused`/`resumed` around `pause`, and
 * the close transaction (`close` with reason `end`, answered `closed`). A server's `disconnect` is answered with
 * `close` (reason `disconnect`), as the protocol has it. Answers when the socket has closed, with its close code
 * and every message the server sent.
 */
export async function audiohookCall(
  url: string,
  credentials: AudioHookCredentials,
  call: {
    conversationId: string;
    audio: Float32Array;
    agentAudio?: Float32Array;
    customConfig?: Record<string, unknown>;
    inputVariables?: Record<string, string>;
    /** Seconds of the call during which the stream is paused: `paused` at the first, `resumed` at the second. */
    pause?: [from: number, to: number];
    /** Audio is sent during the pause too, as a misbehaving client would (a well-behaved one sends none). */
    audioWhilePaused?: boolean;
    /** `end` (the call is over, the default), `reconnect` (it goes on over another connection), or false: the connection drops. */
    closeReason?: 'end' | 'reconnect' | false;
    /** At the pace of a live call (a frame every 100 ms), not as fast as the socket takes them. */
    realtime?: boolean;
  },
  connection = newAudioHookConnection(),
): Promise<{ code: number; reason: string; messages: AudioHookServerMessage[] }> {
  const socket = await audiohookSocket(url, credentials, connection);
  const messages: AudioHookServerMessage[] = [];
  const waiters: { type: string; resolve: (message: AudioHookServerMessage) => void }[] = [];
  let seq = 0;
  let samplesSent = 0;
  const send = (type: string, parameters: Record<string, unknown>) => {
    const serverseq = messages.at(-1)?.seq ?? 0;
    const position = `PT${(samplesSent / 8000).toFixed(2)}S`;
    socket.send(JSON.stringify({ version: '2', type, seq: ++seq, serverseq, position, id: connection.sessionId, parameters }));
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  const next = (type: string) => new Promise<AudioHookServerMessage>((resolve) => waiters.push({ type, resolve }));
  socket.on('message', (data, isBinary) => {
    // ws hands a frame over as a Buffer (its default binaryType); the server sends text messages only.
    if (isBinary || !Buffer.isBuffer(data)) return;
    const message = JSON.parse(data.toString('utf8')) as AudioHookServerMessage;
    messages.push(message);
    if (message.type === 'disconnect') {
      send('close', { reason: 'disconnect' });
    } else if (message.type === 'closed') {
      socket.close(1000);
    }
    for (const waiter of waiters.splice(0).filter((w) => w.type === message.type || message.type === 'disconnect')) {
      waiter.resolve(message);
    }
  });
  const bothChannels = { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 };
  const media = call.agentAudio
    ? [bothChannels]
    : [bothChannels, { ...bothChannels, channels: ['external'] }, { ...bothChannels, channels: ['internal'] }];
  const opened = next('opened');
  send('open', {
    organizationId: connection.organizationId,
    conversationId: call.conversationId,
    participant: { id: randomUUID(), ani: '+15551230000', aniName: 'Caller', dnis: '+15559870000' },
    media,
    language: 'en-US',
    ...(call.customConfig && { customConfig: call.customConfig }),
    ...(call.inputVariables && { inputVariables: call.inputVariables }),
  });
  const answer = await Promise.race([opened, closed]);
  if (!('type' in answer) || answer.type !== 'opened') return { ...(await closed), messages };
  const pong = next('pong');
  send('ping', {});
  await pong;

  const chosen = (answer.parameters.media as { channels: string[] }[])[0].channels;
  const channels = chosen.map((name) => encodeMuLaw(name === 'external' ? call.audio : (call.agentAudio ?? new Float32Array(0))));
  const frame = 800;
  const started = Date.now();
  const [pauseFrom, pauseTo] = (call.pause ?? [Infinity, Infinity]).map((seconds) => seconds * 8000);
  let paused = false;
  for (let start = 0, count = 1; start < call.audio.length; start += frame, count++) {
    if (call.realtime) await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + count * 100 - Date.now())));
    if (!paused && start >= pauseFrom && start < pauseTo) {
      paused = true;
      send('paused', {});
    } else if (paused && start >= pauseTo) {
      paused = false;
      send('resumed', { start: `PT${pauseFrom / 8000}S`, discarded: `PT${(pauseTo - pauseFrom) / 8000}S` });
    }
    const length = Math.min(frame, call.audio.length - start);
    samplesSent += length;
    if (paused && !call.audioWhilePaused) continue;
    const interleaved = new Uint8Array(length * channels.length);
    for (let i = 0; i < length; i++) {
      for (let c = 0; c < channels.length; c++) interleaved[i * channels.length + c] = channels[c][start + i] ?? 0xff;
    }
    socket.send(interleaved);
  }
  if (call.closeReason === false) socket.terminate();
  else send('close', { reason: call.closeReason ?? 'end' });
  return { ...(await closed), messages };
}
