import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
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
