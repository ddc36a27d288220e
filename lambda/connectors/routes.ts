import { timingSafeEqual } from 'node:crypto';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { logger } from '#observability';
import type { CallSettings } from './call-stream.ts';

/**
 * How a connector opens its calls' sessions, by route (the last segment of the connector's URL path, `default`
 * when there is none): the domain for calls whose phone system names none, and StartSession's settings.
 */
export const connectorRoute = z.strictObject({
  domainId: z.string().optional(),
  authentication: z
    .strictObject({
      Enabled: z.boolean().optional(),
      AcceptanceThreshold: z.number().optional(),
      RequiredSpeechSeconds: z.number().optional(),
    })
    .optional(),
  fraudDetection: z
    .strictObject({ Enabled: z.boolean().optional(), RiskThreshold: z.number().optional(), WatchlistId: z.string().optional() })
    .optional(),
  enrollAtEnd: z.boolean().optional(),
  /** Where the calls' decision changes are posted, signed with `secret` (by default the gateway's webhook secret). */
  webhook: z.strictObject({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(16).optional() }).optional(),
});
export type ConnectorRoute = z.infer<typeof connectorRoute>;

/** A connector's routes, by the path segment that names each. */
const connectorRoutes = z.strictObject({ routes: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), connectorRoute) });

/**
 * The connectors' configuration (`VOICE_ID_CONNECTORS_FILE` locally): each connector's routes, `default` among
 * them unless it is given. Secrets (a Twilio auth token, an AudioHook API key and client secret) come from the environment, not from this file.
 */
export const connectorsConfig = z.strictObject({
  publicUrl: z.string().url().optional(),
  twilio: connectorRoutes.optional(),
  audiohook: connectorRoutes.optional(),
  websocket: connectorRoutes.optional(),
  audiosocket: z.strictObject({ port: z.number().int().min(0).max(65535).optional(), route: connectorRoute }).optional(),
});
export type ConnectorsConfig = z.infer<typeof connectorsConfig>;

/**
 * A call's session settings: the domain and caller the phone system named, else the route's domain. A string when
 * the call names no domain at all (the connector refuses it with that reason).
 */
export function settingsFor(route: ConnectorRoute, call: { callId: string; domainId?: string; speakerId?: string }): CallSettings | string {
  const domainId = call.domainId ?? route.domainId;
  if (!domainId) return 'The call names no DomainId, and its route has no domainId.';
  return {
    domainId,
    callId: call.callId,
    speakerId: call.speakerId || undefined,
    authentication: route.authentication,
    fraudDetection: route.fraudDetection,
    enrollAtEnd: route.enrollAtEnd,
    webhook: route.webhook?.secret ? { url: route.webhook.url, secret: route.webhook.secret } : undefined,
  };
}

/** The routes, with the gateway's webhook secret for each webhook that names none of its own. */
export function withWebhookSecret(routes: Record<string, ConnectorRoute>, secret: string): Record<string, ConnectorRoute> {
  return Object.fromEntries(
    Object.entries(routes).map(([name, route]) => [name, route.webhook ? { ...route, webhook: { secret, ...route.webhook } } : route]),
  );
}

/** The WebSocket close codes a connector answers with (RFC 6455, section 7.4.1). */
export const CLOSE = {
  normal: 1000,
  /** A frame that is not the protocol's (malformed JSON, a message out of order). */
  invalidData: 1007,
  /** Audio in an encoding the connector does not take. */
  unsupported: 1003,
  /** The call may not go on: no domain, an unknown one, a session that could not start. */
  policy: 1008,
} as const;

/** Closes the socket with a code and a reason (at most 123 bytes, as the protocol allows), and logs why. */
export function closeWith(socket: WebSocket, code: number, reason: string): void {
  // A client's mistake, not the service's: INFO, which the functions log every request at too.
  logger.info('A phone system stream was closed', { code, reason });
  socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
}

/** A phone system's JSON message, or undefined when the text is not JSON (the connector says so in its own way). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a credential or signature a request presents is the expected one, compared in constant time. */
export function sameSecret(given: string | Buffer, expected: string | Buffer): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
