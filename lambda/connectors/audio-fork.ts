import type { WebSocket } from 'ws';
import { z } from 'zod';
import { CallStream, endWhenOpen, type SessionApi } from './call-stream.ts';
import { channelOf, decodeLinear16, decodeMuLaw } from './codecs.ts';
import { Downsampler } from './downsampler.ts';
import { CLOSE, type ConnectorRoute, closeWith, parseJson, settingsFor } from './routes.ts';

/**
 * The metadata a plain audio WebSocket opens with, as the SIP servers send it: FreeSWITCH mod_audio_fork (the
 * metadata argument of `uuid_audio_fork`), jambonz's `listen` verb (callSid, sampleRate, mixType and its metadata),
 * Vonage's WebSocket endpoint (`content-type: audio/l16;rate=16000` and the headers it was given). Member names of
 * each are taken, so none needs a translation layer.
 */
const metadata = z
  .object({
    callId: z.string().optional(),
    callSid: z.string().optional(),
    uuid: z.string().optional(),
    DomainId: z.string().optional(),
    CustomerSpeakerId: z.string().optional(),
    sampleRate: z.coerce.number().optional(),
    encoding: z.enum(['L16', 'PCMU']).optional(),
    mixType: z.enum(['mono', 'stereo', 'mixed']).optional(),
    'content-type': z.string().optional(),
  })
  .passthrough();

/** The stream's audio format, from its metadata: 8 kHz little-endian L16 unless it says otherwise. */
function formatOf(meta: z.infer<typeof metadata>): { encoding: 'L16' | 'PCMU'; sampleRate: number; stereo: boolean } | string {
  const vonage = /^audio\/l16;\s*rate=(\d+)$/i.exec(meta['content-type'] ?? '');
  const encoding = meta.encoding ?? 'L16';
  const sampleRate = meta.sampleRate ?? (vonage ? Number(vonage[1]) : 8000);
  if (meta['content-type'] && !vonage) return `The content-type ${meta['content-type']} is not audio/l16;rate=<Hz>.`;
  if (meta.mixType === 'mixed') return 'A mixed stream holds the agent too: stream the caller alone (mono) or stereo (caller left).';
  if (!Number.isInteger(sampleRate / 8000) || sampleRate < 8000) return `The sample rate must be a multiple of 8000 Hz, not ${sampleRate}.`;
  if (encoding === 'PCMU' && sampleRate !== 8000) return 'PCMU is 8000 Hz.';
  return { encoding, sampleRate, stereo: meta.mixType === 'stereo' };
}

/**
 * One call from a SIP server over a plain WebSocket: the first text frame is the call's metadata (its id names the
 * session; DomainId and CustomerSpeakerId, else the route's), then binary frames of audio, L16 (little-endian, as
 * these servers send it) at 8 kHz or a multiple, or PCMU; a stereo stream's left channel is the caller. The socket's
 * close ends the call: a close frame ends it as hung up, a lost connection as dropped.
 */
export function acceptAudioFork(socket: WebSocket, api: SessionApi, route: ConnectorRoute): void {
  let call: Promise<CallStream | undefined> | undefined;
  let decoder: Decoder | undefined;
  let odd: Uint8Array = new Uint8Array(0);

  socket.on('message', (data, isBinary) => {
    if (!Buffer.isBuffer(data)) return closeWith(socket, CLOSE.invalidData, 'Frames must arrive whole.');
    if (!call) {
      const parsed = isBinary ? undefined : metadata.safeParse(parseJson(data.toString('utf8')));
      if (!parsed?.success) return closeWith(socket, CLOSE.invalidData, 'The first frame must be the call’s metadata, as JSON.');
      const format = formatOf(parsed.data);
      if (typeof format === 'string') return closeWith(socket, CLOSE.unsupported, format);
      const callId = parsed.data.callId ?? parsed.data.callSid ?? parsed.data.uuid;
      if (!callId) return closeWith(socket, CLOSE.policy, 'The metadata names no call: give callId, callSid or uuid.');
      const settings = settingsFor(route, { callId, domainId: parsed.data.DomainId, speakerId: parsed.data.CustomerSpeakerId });
      if (typeof settings === 'string') return closeWith(socket, CLOSE.policy, settings);
      decoder = decoderFor(format);
      call = CallStream.open(api, settings).catch((error: unknown) => {
        closeWith(socket, CLOSE.policy, `The call's session could not start: ${(error as Error).message}`);
        return undefined;
      });
      return;
    }
    // Text frames after the metadata (a server's own events) carry no audio.
    if (!isBinary || !decoder) return;
    // A frame may end mid-sample; the bytes of the sample it cut wait for the next frame.
    const bytes = odd.length ? Buffer.concat([odd, data]) : data;
    const whole = bytes.length - (bytes.length % decoder.frameBytes);
    odd = bytes.subarray(whole);
    const samples = decoder.decode(bytes.subarray(0, whole));
    void call.then((stream) => stream?.feed(samples));
  });
  socket.on('close', (code) => {
    const dropped = code !== CLOSE.normal && code !== GOING_AWAY;
    endWhenOpen(call, dropped, 'SIP server');
  });
}

const GOING_AWAY = 1001;

/** How a stream's bytes become 8 kHz samples: `frameBytes` to a sample of every channel. */
interface Decoder {
  frameBytes: number;
  decode(bytes: Uint8Array): Int16Array;
}

function decoderFor(format: { encoding: 'L16' | 'PCMU'; sampleRate: number; stereo: boolean }): Decoder {
  if (format.encoding === 'PCMU') return { frameBytes: 1, decode: decodeMuLaw };
  const downsampler = new Downsampler(format.sampleRate);
  return {
    frameBytes: format.stereo ? 4 : 2,
    decode: (bytes) => {
      const caller = format.stereo ? channelOf(bytes, 2, 0, 2) : bytes;
      return downsampler.feed(decodeLinear16(caller, 'little'));
    },
  };
}
