import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { type CallSettings, CallStream, endWhenOpen, type SessionApi } from './call-stream.ts';
import { decodeMuLaw } from './codecs.ts';
import { CLOSE, type ConnectorRoute, closeWith, parseJson, sameSecret, settingsFor } from './routes.ts';

/** What the Twilio connector needs: the account's auth token, which signs every stream's upgrade request. */
export interface TwilioConnector {
  authToken: string;
  routes: Record<string, ConnectorRoute>;
}

/**
 * Twilio's X-Twilio-Signature of a request without form parameters (a Media Stream's WebSocket upgrade): base64
 * HMAC-SHA1 of the URL Twilio was given, keyed with the account's auth token.
 */
export function twilioSignature(authToken: string, url: string): string {
  return createHmac('sha1', authToken).update(url).digest('base64');
}

/** Whether the upgrade request carries the account's signature of `url` (compared in constant time). */
export function isSignedByTwilio(authToken: string, url: string, request: IncomingMessage): boolean {
  return sameSecret(String(request.headers['x-twilio-signature'] ?? ''), twilioSignature(authToken, url));
}

const message = z.discriminatedUnion('event', [
  z.object({ event: z.literal('connected') }),
  z.object({
    event: z.literal('start'),
    start: z.object({
      callSid: z.string().min(1),
      streamSid: z.string().optional(),
      tracks: z.array(z.string()).optional(),
      mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }),
      customParameters: z.record(z.string(), z.string()).optional(),
    }),
  }),
  z.object({ event: z.literal('media'), media: z.object({ track: z.string().optional(), payload: z.string() }) }),
  z.object({ event: z.literal('stop') }),
  z.object({ event: z.literal('mark') }),
  z.object({ event: z.literal('dtmf') }),
]);

/**
 * One Twilio Media Stream (`<Connect><Stream>` or `<Start><Stream>`): `start` opens the session named by the
 * CallSid, in the domain and for the caller its `<Parameter>`s name (`DomainId`, `CustomerSpeakerId`) or the
 * route's defaults; the inbound track's mu-law frames (the caller; the outbound track is the agent or the IVR)
 * feed it; `stop` or the socket's close ends it. A message that is not Twilio's, or audio in another format,
 * closes the socket with the WebSocket code that says so.
 */
export function acceptTwilioStream(socket: WebSocket, api: SessionApi, route: ConnectorRoute): void {
  let call: Promise<CallStream | undefined> | undefined;
  let stopped = false;

  const finish = (dropped: boolean) => {
    if (stopped) return;
    stopped = true;
    endWhenOpen(call, dropped, 'Twilio');
  };

  socket.on('message', (data, isBinary) => {
    if (stopped) return;
    // ws hands a text frame over as a Buffer (its default binaryType).
    const parsed = isBinary || !Buffer.isBuffer(data) ? undefined : message.safeParse(parseJson(data.toString('utf8')));
    if (!parsed?.success) return closeWith(socket, CLOSE.invalidData, 'Not a Twilio Media Streams message.');
    const event = parsed.data;
    if (event.event === 'start') {
      const { encoding, sampleRate, channels } = event.start.mediaFormat;
      if (encoding !== 'audio/x-mulaw' || sampleRate !== 8000 || channels !== 1) {
        return closeWith(
          socket,
          CLOSE.unsupported,
          `Audio must be audio/x-mulaw at 8000 Hz, mono; this stream is ${encoding} ${sampleRate} Hz.`,
        );
      }
      const parameters = event.start.customParameters ?? {};
      const settings: CallSettings | string = settingsFor(route, {
        callId: event.start.callSid,
        domainId: parameters.DomainId,
        speakerId: parameters.CustomerSpeakerId ?? parameters.SpeakerId,
      });
      if (typeof settings === 'string') return closeWith(socket, CLOSE.policy, settings);
      call = CallStream.open(api, settings).catch((error: unknown) => {
        closeWith(socket, CLOSE.policy, `The call's session could not start: ${(error as Error).message}`.slice(0, 120));
        return undefined;
      });
    } else if (event.event === 'media') {
      if (!call) return closeWith(socket, CLOSE.invalidData, 'A media message came before the start message.');
      if (event.media.track !== undefined && event.media.track !== 'inbound') return;
      const samples = decodeMuLaw(Buffer.from(event.media.payload, 'base64'));
      void call.then((stream) => stream?.feed(samples));
    } else if (event.event === 'stop') {
      finish(false);
      // A call whose session could not start was closed with the reason already.
      void call?.then((stream) => stream && socket.close(CLOSE.normal));
    }
  });
  socket.on('close', () => finish(true));
}
