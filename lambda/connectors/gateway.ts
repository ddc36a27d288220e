import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { logger } from '#observability';
import { acceptAudioFork } from './audio-fork.ts';
import { type AudioHookConnector, acceptAudioHookSession, audioHookRefusal } from './audiohook.ts';
import { acceptAudioSocket } from './audiosocket.ts';
import type { SessionApi } from './call-stream.ts';
import { type ConnectorRoute, sameSecret } from './routes.ts';
import { acceptTwilioStream, isSignedByTwilio, type TwilioConnector } from './twilio.ts';

export interface MediaGatewayOptions {
  /** The port on 127.0.0.1 (0 picks a free one), or `host`. */
  port: number;
  host?: string;
  /** The service, as the connectors call it. */
  api: SessionApi;
  /** The URL phone systems are given for this gateway (`wss://voice.example.com`), which their signatures cover. */
  publicUrl?: string;
  twilio?: TwilioConnector;
  audiohook?: AudioHookConnector;
  /** SIP servers' plain audio WebSocket: a shared token authenticates each stream. */
  websocket?: { token: string; routes: Record<string, ConnectorRoute> };
  /** Asterisk AudioSocket, on a TCP port of its own (`port` 0 picks one): the protocol has no authentication. */
  audiosocket?: { port: number; route: ConnectorRoute };
}

export interface MediaGateway {
  /** The gateway's own URL: `ws://127.0.0.1:<port>`. */
  url: string;
  /** Each connector's URL, by connector, for `endpoints.json`. */
  connectors: Record<string, string>;
  server: Server;
  stop(): Promise<void>;
}

/**
 * The media gateway: one HTTP server taking each phone system's WebSocket streams on its own path
 * (`/twilio[/<route>]`, `/audiohook[/<route>]`, `/websocket[/<route>]`) and Asterisk's AudioSocket on a TCP port, checking the phone system's signature on the upgrade request before anything else, and
 * handing each accepted stream to its connector. A stream that fails the check gets the HTTP status that says
 * why, and no socket.
 */
export async function startMediaGateway(options: MediaGatewayOptions): Promise<MediaGateway> {
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('The media gateway takes WebSocket streams only.\n');
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'ws://gateway');
    const [connector, routeName = 'default', ...rest] = url.pathname.split('/').filter(Boolean);
    if (connector === 'twilio' && options.twilio && rest.length === 0) {
      const route = options.twilio.routes[routeName];
      if (!route) return refuse(socket, 404, `There is no Twilio route ${routeName}.`);
      const signed = `${options.publicUrl ?? `ws://${request.headers.host}`}${request.url}`;
      if (!isSignedByTwilio(options.twilio.authToken, signed, request)) {
        return refuse(socket, 403, 'The X-Twilio-Signature does not match this URL and the account’s auth token.');
      }
      return sockets.handleUpgrade(request, socket, head, (ws) => acceptTwilioStream(ws, options.api, route));
    }
    if (connector === 'audiohook' && options.audiohook && rest.length === 0) {
      const route = options.audiohook.routes[routeName];
      if (!route) return refuse(socket, 404, `There is no AudioHook route ${routeName}.`);
      const refusal = audioHookRefusal(options.audiohook, request, options.publicUrl);
      if (refusal) return refuse(socket, 401, refusal);
      return sockets.handleUpgrade(request, socket, head, (ws) => acceptAudioHookSession(ws, options.api, route, request));
    }
    if (connector === 'websocket' && options.websocket && rest.length === 0) {
      const route = options.websocket.routes[routeName];
      if (!route) return refuse(socket, 404, `There is no WebSocket route ${routeName}.`);
      if (!bearsToken(request, url, options.websocket.token)) {
        return refuse(
          socket,
          401,
          'The stream must carry the gateway’s token: Authorization Bearer or Basic (as the password), or ?token=.',
        );
      }
      return sockets.handleUpgrade(request, socket, head, (ws) => acceptAudioFork(ws, options.api, route));
    }
    refuse(socket, 404, `No connector takes ${url.pathname}.`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audiosocket = options.audiosocket && (await startAudioSocketServer(options.audiosocket, options.api, options.host));
  return {
    url,
    connectors: {
      ...(options.twilio && { twilio: `${url}/twilio` }),
      ...(options.audiohook && { audiohook: `${url}/audiohook` }),
      ...(options.websocket && { websocket: `${url}/websocket` }),
      ...(audiosocket && { audiosocket: `tcp://127.0.0.1:${(audiosocket.address() as AddressInfo).port}` }),
    },
    server,
    stop: async () => {
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => server.close(resolve)),
        audiosocket && new Promise((resolve) => audiosocket.close(resolve)),
      ]);
    },
  };
}

async function startAudioSocketServer(
  options: { port: number; route: ConnectorRoute },
  api: SessionApi,
  host?: string,
): Promise<TcpServer> {
  const connections = new Set<import('node:net').Socket>();
  const server = createTcpServer((socket) => {
    connections.add(socket.once('close', () => connections.delete(socket)));
    acceptAudioSocket(socket, api, options.route);
  });
  // Closing the server waits for its connections: a stop ends them.
  const close = server.close.bind(server);
  server.close = (callback) => {
    for (const socket of connections) socket.destroy();
    return close(callback);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host ?? '127.0.0.1', resolve);
  });
  return server;
}

/** Whether the upgrade request carries the token: as a bearer token, a Basic password (any user), or `?token=`. */
function bearsToken(request: IncomingMessage, url: URL, token: string): boolean {
  const authorization = request.headers.authorization ?? '';
  const bearer = /^Bearer (.+)$/i.exec(authorization)?.[1];
  const basic = /^Basic (.+)$/i.exec(authorization)?.[1];
  const password = basic && Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':');
  const given = bearer ?? password ?? url.searchParams.get('token') ?? '';
  return sameSecret(given, token);
}

/** Answers an upgrade request with an HTTP error and closes the connection: no socket is opened. */
function refuse(socket: Duplex, status: number, reason: string): void {
  logger.info('A phone system stream was refused', { status, reason });
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
