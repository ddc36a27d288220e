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
