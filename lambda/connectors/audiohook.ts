import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { logger } from '#observability';
import { CallStream, type SessionApi } from './call-stream.ts';
import { channelOf, decodeMuLaw } from './codecs.ts';
import { hmacSha256, readSignature, signatureBase, signatureParamsOf } from './http-message-signature.ts';
import { CLOSE, type ConnectorRoute, closeWith, parseJson, sameSecret, settingsFor } from './routes.ts';

/** What the AudioHook connector needs: the AudioHook Monitor integration's credentials, which every connection presents. */
export interface AudioHookConnector {
  /** The integration's API key: the connection request's X-API-KEY, and its signature's keyid. */
  apiKey: string;
  /** The integration's client secret, base64 as Genesys Cloud takes it: its bytes key the request's HMAC-SHA256 signature. */
  clientSecret: string;
  routes: Record<string, ConnectorRoute>;
}

/** What the connection request's signature must cover: the target, the host, the session's ids and the API key. */
export const AUDIOHOOK_SIGNED_COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
];
/** A signature is good for this long after its `created` time, so a recorded request cannot be replayed later. */
const MAX_SIGNATURE_AGE_SECONDS = 10;
/** The clocks of Genesys Cloud and of the gateway may differ by this much. */
const CLOCK_SKEW_SECONDS = 3;

/** The connection request as the connector checks it: its request target, and its header fields (lower-case names). */
interface ConnectionRequest {
  url?: string;
  headers: IncomingHttpHeaders;
}

/**
 * Why a connection request is refused (the gateway answers 401 Unauthorized, and no socket opens), or undefined
 * when it is the integration's: its X-API-KEY is the API key, and its HTTP Message Signature (RFC 9421,
 * hmac-sha256 keyed with the client secret) covers every component of AUDIOHOOK_SIGNED_COMPONENTS, names the API
 * key as its keyid, has a nonce, was created in the last 10 seconds, and matches the request. `@authority` is the
 * host of `publicUrl` when the gateway is behind a proxy, else the request's Host.
 */
export function audioHookRefusal(
  connector: AudioHookConnector,
  request: ConnectionRequest,
  publicUrl?: string,
  now = Date.now() / 1000,
): string | undefined {
  const apiKey = headerField(request.headers, 'x-api-key');
  if (!apiKey || !sameSecret(apiKey, connector.apiKey)) return 'The X-API-KEY is not the API key of this AudioHook integration.';
  const signature = readSignature(headerField(request.headers, 'signature-input'), headerField(request.headers, 'signature'));
  if (typeof signature === 'string') return signature;
  const { created, expires, keyid, alg, nonce } = signature.parameters;
  const uncovered = AUDIOHOOK_SIGNED_COMPONENTS.filter((name) => !signature.components.includes(name));
  if (uncovered.length > 0) return `The signature does not cover ${uncovered.join(', ')}.`;
  if (keyid !== apiKey) return 'The signature’s keyid is not the X-API-KEY.';
  if (alg !== undefined && alg !== 'hmac-sha256') return 'The signature’s alg is not hmac-sha256.';
  if (typeof nonce !== 'string' || nonce === '') return 'The signature has no nonce.';
  if (typeof created !== 'number' || created > now + CLOCK_SKEW_SECONDS || created + MAX_SIGNATURE_AGE_SECONDS < now - CLOCK_SKEW_SECONDS) {
    return `The signature was not created in the last ${MAX_SIGNATURE_AGE_SECONDS} seconds.`;
  }
  if (expires !== undefined && (typeof expires !== 'number' || expires < now - CLOCK_SKEW_SECONDS)) return 'The signature has expired.';
  const authority = (publicUrl ? new URL(publicUrl).host : (headerField(request.headers, 'host') ?? '')).toLowerCase();
  const components: [string, string][] = [];
  for (const name of signature.components) {
    const value =
      name === '@request-target'
        ? request.url
        : name === '@authority'
          ? authority
          : name.startsWith('@')
            ? undefined
            : headerField(request.headers, name);
    if (value === undefined) return `The signature covers ${name}, which this request does not have or this gateway does not sign.`;
    components.push([name, value]);
  }
  const expected = hmacSha256(Buffer.from(connector.clientSecret, 'base64'), signatureBase(components, signature.signatureParams));
  if (!sameSecret(signature.signature, expected)) return 'The signature does not match the request and the integration’s client secret.';
  return undefined;
}

/**
 * The header fields Genesys Cloud signs a connection request with: X-API-KEY, and the Signature-Input and
 * Signature of AUDIOHOOK_SIGNED_COMPONENTS (what `npm run call -- --via audiohook` and the tests send).
 */
export function signAudioHookRequest(
  url: string,
  headers: { 'Audiohook-Organization-Id': string; 'Audiohook-Session-Id': string; 'Audiohook-Correlation-Id': string },
  credentials: { apiKey: string; clientSecret: string },
  created = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const target = new URL(url);
  const signed = { ...headers, 'X-API-KEY': credentials.apiKey };
  const lowerCase = Object.fromEntries(Object.entries(signed).map(([name, value]) => [name.toLowerCase(), value]));
  const values: [string, string][] = AUDIOHOOK_SIGNED_COMPONENTS.map((name) => [
    name,
    name === '@request-target' ? `${target.pathname}${target.search}` : name === '@authority' ? target.host : lowerCase[name],
  ]);
  const params = signatureParamsOf(AUDIOHOOK_SIGNED_COMPONENTS, {
    keyid: credentials.apiKey,
    nonce: randomBytes(16).toString('base64url'),
    alg: 'hmac-sha256',
    created,
    expires: created + 60,
  });
  const signature = hmacSha256(Buffer.from(credentials.clientSecret, 'base64'), signatureBase(values, params));
  return { ...signed, 'Signature-Input': `sig1=${params}`, Signature: `sig1=:${signature.toString('base64')}:` };
}

/** A header field's value as RFC 9421 covers it: trimmed, and the values of a repeated field joined by ", ". */
function headerField(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.map((v) => v.trim()).join(', ') : value).trim();
}

/** Every message's envelope (protocol version 2); the client's carry the last server seq it saw, `serverseq`. */
const envelope = z.object({
  version: z.string(),
  type: z.string(),
  seq: z.number().int().positive(),
  serverseq: z.number().int().nonnegative(),
  id: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
const mediaOffer = z.object({ type: z.string(), format: z.string(), channels: z.array(z.string()), rate: z.number() });
type MediaOffer = z.infer<typeof mediaOffer>;
const openParameters = z.object({
  organizationId: z.string(),
  conversationId: z.string().min(1),
  media: z.array(mediaOffer),
  customConfig: z.record(z.string(), z.unknown()).optional(),
  inputVariables: z.record(z.string(), z.unknown()).optional(),
});

/** The conversationId of a probe: Genesys Cloud checks that the server answers, and no call is streamed. */
const PROBE_CONVERSATION = '00000000-0000-0000-0000-000000000000';
/** A client answers `disconnect` with its close transaction; one that has not within this is closed, with the code that says why. */
const DISCONNECT_GRACE_MS = 5000;

type SessionState = 'awaiting-open' | 'opening' | 'active' | 'paused' | 'disconnected' | 'closing' | 'closed';

/**
 * One AudioHook session (a Genesys Cloud AudioHook Monitor stream of one conversation), whose connection request
 * was checked already: `open` opens the Voice ID session named by the conversationId, in the domain and for the
 * caller the open message names (`inputVariables`, else `customConfig`: `DomainId`, `CustomerSpeakerId`) or the
 * route's defaults, and `opened` answers with the media chosen (PCMU at 8000 Hz: the external channel alone when
 * offered, else a stereo offer of which the external channel is heard). The external channel (the customer)
 * feeds the session; the internal one (the agent) never does. Audio while the stream is paused is not fed.
 * `close` ends the session (enrolling the caller if the route says so and the call ended) and is answered
 * `closed`; a close for a reconnect leaves the session live for the next connection of the conversation; a
 * dropped connection ends it as a dropped call. A message that breaks the protocol is answered `disconnect`
 * with reason `error`, as is a call that cannot start (no domain, an unknown one).
 */
export function acceptAudioHookSession(socket: WebSocket, api: SessionApi, route: ConnectorRoute, request: ConnectionRequest): void {
  new AudioHookSession(socket, api, route, {
    sessionId: headerField(request.headers, 'audiohook-session-id') ?? '',
    organizationId: headerField(request.headers, 'audiohook-organization-id') ?? '',
  });
}

class AudioHookSession {
  private state: SessionState = 'awaiting-open';
  /** The seq of the gateway's last message, and of the client's last one. */
  private seq = 0;
  private clientseq = 0;
  private opening: Promise<void> = Promise.resolve();
  private stream?: CallStream;
  private ended = false;
  private channels = { count: 1, external: 0 };
  private disconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly api: SessionApi,
    private readonly route: ConnectorRoute,
    private readonly connection: { sessionId: string; organizationId: string },
  ) {
    // ws hands a frame over as a Buffer (its default binaryType).
    socket.on('message', (data, isBinary) => {
      if (!Buffer.isBuffer(data)) return;
      if (isBinary) this.onAudio(data);
      else this.onMessage(data.toString('utf8'));
    });
    socket.on('close', () => this.onConnectionClosed());
  }

  private onAudio(frame: Buffer): void {
    if (this.state === 'paused' || this.state === 'disconnected' || this.state === 'closing' || this.state === 'closed') return;
    if (this.state !== 'active') return this.protocolError('Audio came before the session was opened.');
    if (!this.stream) return;
    let external: Uint8Array;
    try {
      external = channelOf(frame, this.channels.count, this.channels.external);
    } catch (error) {
      return this.protocolError((error as Error).message);
    }
    this.stream.feed(decodeMuLaw(external));
  }

  private onMessage(text: string): void {
    if (this.state === 'closed') return;
    const parsed = envelope.safeParse(parseJson(text));
    if (!parsed.success) {
      return this.protocolError('A text message must be an AudioHook message: JSON with version, type, seq, serverseq, id and parameters.');
    }
    const { version, type, seq, serverseq, id, parameters } = parsed.data;
    // After a disconnect, only the client's close transaction is answered, whatever else was wrong.
    if (this.state === 'disconnected') {
      this.clientseq = seq;
      if (type === 'close') void this.close(parameters);
      return;
    }
    if (version !== '2') return this.protocolError(`This server speaks version 2 of the AudioHook protocol, not ${version}.`);
    if (seq !== this.clientseq + 1) return this.protocolError(`The message's seq is ${seq}; the next one is ${this.clientseq + 1}.`);
    this.clientseq = seq;
    if (serverseq > this.seq)
      return this.protocolError(`The message's serverseq ${serverseq} is beyond the server's last seq, ${this.seq}.`);
    if (id !== this.connection.sessionId) return this.protocolError('The message’s id is not the connection’s Audiohook-Session-Id.');
    if (this.state === 'awaiting-open' && type !== 'open' && type !== 'close') {
      return this.protocolError(`The first message must be open; this one is ${type}.`);
    }
    switch (type) {
      case 'open':
        if (this.state !== 'awaiting-open') return this.protocolError('The session is open already.');
        this.opening = this.open(parameters);
        return;
      case 'close':
        void this.close(parameters);
        return;
      case 'ping':
        return this.send('pong', {});
      case 'paused':
        if (this.state === 'active') this.state = 'paused';
        return;
      case 'resumed':
        if (this.state === 'paused') this.state = 'active';
        return;
      case 'discarded':
        // The client dropped audio it could not send: the session hears the call without it, no silence in its place.
        logger.info('Genesys Cloud discarded audio of an AudioHook stream', { sessionId: this.connection.sessionId, parameters });
        return;
      case 'error':
        logger.warn('Genesys Cloud reported an error on an AudioHook stream', { sessionId: this.connection.sessionId, parameters });
        return;
      default:
        // `update` (the conversation's language) and messages of later minor versions change nothing a voiceprint hears.
        return;
    }
  }

  private async open(parameters: Record<string, unknown>): Promise<void> {
    this.state = 'opening';
    const parsed = openParameters.safeParse(parameters);
    if (!parsed.success) return this.protocolError('The open message’s parameters need organizationId, conversationId and media.');
    const { organizationId, conversationId, media, customConfig, inputVariables } = parsed.data;
    if (organizationId !== this.connection.organizationId) {
      return this.disconnect(
        'unauthorized',
        'The open message’s organizationId is not the connection’s Audiohook-Organization-Id.',
        CLOSE.policy,
      );
    }
    const chosen = chooseMedia(media);
    if (!chosen) {
      return this.disconnect('error', 'No media offered is PCMU at 8000 Hz with the external channel (the customer).', CLOSE.unsupported);
    }
    this.channels = { count: chosen.channels.length, external: chosen.channels.indexOf('external') };
    if (conversationId !== PROBE_CONVERSATION) {
      const variables = { ...customConfig, ...inputVariables };
      const settings = settingsFor(this.route, {
        callId: conversationId,
        domainId: textOf(variables.DomainId),
        speakerId: textOf(variables.CustomerSpeakerId),
      });
      if (typeof settings === 'string') return this.disconnect('error', settings, CLOSE.policy);
      try {
        this.stream = await CallStream.open(this.api, settings);
      } catch (error) {
        return this.disconnect('error', `The call's session could not start: ${(error as Error).message}`, CLOSE.policy);
      }
    }
    // A close, or a dropped connection, while the session was starting: it is ended there.
    if (this.state !== 'opening') return;
    this.send('opened', { media: [chosen], startPaused: false });
    this.state = 'active';
  }

  private async close(parameters: Record<string, unknown>): Promise<void> {
    if (this.state === 'closing') return;
    clearTimeout(this.disconnectTimer);
    this.state = 'closing';
    await this.opening;
    const reason = typeof parameters.reason === 'string' ? parameters.reason : undefined;
    await this.finish({ dropped: reason !== 'end', reconnecting: reason === 'reconnect' });
    this.send('closed', {});
    this.state = 'closed';
  }

  private onConnectionClosed(): void {
    clearTimeout(this.disconnectTimer);
    // A close transaction under way ends the session itself, as the client asked.
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closed';
    void this.opening.then(() => this.finish({ dropped: true, reconnecting: false }));
  }

  /**
   * Ends the call's session (a dropped call: nobody is enrolled), or for a reconnect sends what is buffered and
   * leaves the session live: the conversation's next connection goes on in it.
   */
  private async finish({ dropped, reconnecting }: { dropped: boolean; reconnecting: boolean }): Promise<void> {
    if (this.ended || !this.stream) return;
    this.ended = true;
    try {
      if (reconnecting) await this.stream.flush();
      else await this.stream.end({ dropped });
    } catch (error) {
      logger.warn('An AudioHook call could not be ended', { sessionId: this.stream.sessionId, error: error as Error });
    }
  }

  private protocolError(info: string): void {
    this.disconnect('error', info, CLOSE.invalidData);
  }

  /**
   * The protocol's disconnect: the client then closes the session; one that does not is closed with `code`.
   * A session already closing, or gone, has nobody to tell.
   */
  private disconnect(reason: 'error' | 'unauthorized', info: string, code: number): void {
    if (this.state === 'disconnected' || this.state === 'closing' || this.state === 'closed') return;
    logger.info('An AudioHook session was disconnected', { sessionId: this.connection.sessionId, reason, info });
    this.send('disconnect', { reason, info });
    this.state = 'disconnected';
    this.disconnectTimer = setTimeout(() => closeWith(this.socket, code, info), DISCONNECT_GRACE_MS);
    this.disconnectTimer.unref();
  }

  private send(type: string, parameters: Record<string, unknown>): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const message = { version: '2', type, seq: ++this.seq, clientseq: this.clientseq, id: this.connection.sessionId, parameters };
    this.socket.send(JSON.stringify(message));
  }
}

/** PCMU at 8 kHz with the external channel: alone when offered (half the bytes of stereo), else with the internal one. */
function chooseMedia(offers: MediaOffer[]): MediaOffer | undefined {
  const usable = offers.filter(
    (offer) => offer.type === 'audio' && offer.format === 'PCMU' && offer.rate === 8000 && offer.channels.includes('external'),
  );
  return usable.find((offer) => offer.channels.length === 1) ?? usable[0];
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
