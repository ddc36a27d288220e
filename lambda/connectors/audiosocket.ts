import type { Socket } from 'node:net';
import { logger } from '#observability';
import { CallStream, endWhenOpen, type SessionApi } from './call-stream.ts';
import { decodeLinear16 } from './codecs.ts';
import { type ConnectorRoute, settingsFor } from './routes.ts';

/** Asterisk AudioSocket's frame kinds (res/res_audiosocket.c): a 3-byte header, kind then big-endian length. */
export const AUDIOSOCKET = { hangup: 0x00, uuid: 0x01, dtmf: 0x03, audio: 0x10, error: 0xff } as const;
const HEADER_BYTES = 3;
/** A frame of signed linear audio is 20 ms (320 bytes); anything near the 16-bit limit is not one of Asterisk's. */
const MAX_FRAME_BYTES = 16_000;

/**
 * One call from Asterisk's AudioSocket (the `AudioSocket(<uuid>,<host>:<port>)` dialplan application or channel
 * driver), over TCP: the UUID frame names the session, then 8 kHz 16-bit signed linear audio frames (little-endian)
 * of the channel feed it, and the hang-up frame or the connection's end ends it. The protocol carries nothing
 * else, so the domain and settings are the route's, and a caller is named afterwards with UpdateSession(the UUID).
 * A frame that is not AudioSocket's (an unknown kind, audio before the UUID, an over-long frame) is answered with
 * the hang-up frame and the connection is closed; Asterisk then hangs up the AudioSocket leg.
 */
export function acceptAudioSocket(socket: Socket, api: SessionApi, route: ConnectorRoute): void {
  let call: Promise<CallStream | undefined> | undefined;
  let received: Buffer = Buffer.alloc(0);
  let ended = false;

  const end = (dropped: boolean) => {
    if (ended) return;
    ended = true;
    endWhenOpen(call, dropped, 'AudioSocket');
  };
  const refuse = (reason: string) => {
    logger.info('An AudioSocket stream was refused', { reason });
    end(true);
    socket.end(Buffer.from([AUDIOSOCKET.hangup, 0, 0]));
  };

  socket.on('data', (data: Buffer) => {
    if (ended) return;
    received = received.length ? Buffer.concat([received, data]) : data;
    while (received.length >= HEADER_BYTES && !ended) {
      const kind = received[0];
      const length = received.readUInt16BE(1);
      if (length > MAX_FRAME_BYTES) return refuse(`A frame of ${length} bytes is not AudioSocket's.`);
      if (received.length < HEADER_BYTES + length) return;
      const payload = received.subarray(HEADER_BYTES, HEADER_BYTES + length);
      received = received.subarray(HEADER_BYTES + length);
      if (kind === AUDIOSOCKET.uuid) {
        if (call || length !== 16) return refuse('The UUID frame comes once, first, with 16 bytes.');
        const settings = settingsFor(route, { callId: formatUuid(payload) });
        if (typeof settings === 'string') return refuse(settings);
        call = CallStream.open(api, settings).catch((error: unknown) => {
          refuse(`The call's session could not start: ${(error as Error).message}`);
          return undefined;
        });
      } else if (kind === AUDIOSOCKET.audio) {
        if (!call) return refuse('Audio came before the UUID frame.');
        if (length % 2 !== 0) return refuse('An audio frame holds whole 16-bit samples.');
        const samples = decodeLinear16(payload, 'little');
        void call.then((stream) => stream?.feed(samples));
      } else if (kind === AUDIOSOCKET.hangup) {
        end(false);
        socket.end();
      } else if (kind === AUDIOSOCKET.error) {
        logger.warn('Asterisk reported an AudioSocket error', { code: payload[0] });
        end(true);
        socket.end();
      } else if (kind !== AUDIOSOCKET.dtmf) {
        return refuse(`Frame kind 0x${kind.toString(16)} is not one this connector takes (8 kHz signed linear audio is 0x10).`);
      }
    }
  });
  socket.on('close', () => end(true));
  socket.on('error', () => end(true));
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
