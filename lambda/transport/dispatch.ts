import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ValidationException } from '#api-model/errors';
import type { ServiceContext } from '#context';
import { operationsByName } from '#operations/index';
import type { RestRoute } from '#operations/operation';
import { failure, success } from './responses.ts';
import { restRoutes, WIRE_PROTOCOL_PATH, WIRE_TARGET_PREFIX } from './rest-routes.ts';

const routesByKey = new Map(restRoutes.map((route) => [`${route.method} ${route.path}`, route]));

/** Turns an API Gateway proxy event into an operation call and its result into a response, for either transport. */
export async function dispatch(event: APIGatewayProxyEvent, requestId: string, ctx: ServiceContext): Promise<APIGatewayProxyResult> {
  try {
    const { operation, input } = event.resource === WIRE_PROTOCOL_PATH ? readWireRequest(event) : readRestRequest(event);
    return success(await operation.call(input, ctx), requestId);
  } catch (error) {
    return failure(error, requestId);
  }
}

/** What a caller may give as its own correlation id: short, and nothing that could forge a log line. */
const CALLER_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id that follows a request through the logs and into the state machine runs it starts: the caller's own
 * (`x-correlation-id`), or else the request id it is answered with (x-amzn-RequestId, the SDKs' RequestId).
 */
export function correlationIdOf(event: APIGatewayProxyEvent, requestId: string): string {
  const given = header(event, 'x-correlation-id');
  return given && CALLER_CORRELATION_ID.test(given) ? given : requestId;
}

function readWireRequest(event: APIGatewayProxyEvent) {
  const target = header(event, 'x-amz-target');
  const name = target?.startsWith(WIRE_TARGET_PREFIX) ? target.slice(WIRE_TARGET_PREFIX.length) : undefined;
  const operation = name === undefined ? undefined : operationsByName.get(name);
  if (!operation) {
    throw new ValidationException(
      `X-Amz-Target must name a Voice ID operation as ${WIRE_TARGET_PREFIX}<Operation>; got ${target ?? 'nothing'}.`,
    );
  }
  return { operation, input: parseBody(event) };
}

function readRestRequest(event: APIGatewayProxyEvent) {
  const route = routesByKey.get(`${event.httpMethod} ${event.resource}`);
  if (!route) throw new ValidationException(`There is no route ${event.httpMethod} ${event.resource}.`);
  return {
    operation: route.operation,
    input: { ...parseBody(event), ...readQuery(route, event), ...decodedPathParameters(event) },
  };
}

function readQuery(route: RestRoute, event: APIGatewayProxyEvent): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(route.query ?? {})) {
    if (kind === 'list') {
      const values = event.multiValueQueryStringParameters?.[name];
      if (values) members[name] = values;
      continue;
    }
    const value = event.queryStringParameters?.[name];
    if (value === undefined) continue;
    // A non-numeric value is passed on as text so that validation names the member in its error.
    members[name] = kind === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return members;
}

function decodedPathParameters(event: APIGatewayProxyEvent): Record<string, string> {
  return Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([name, value]) => [name, decodedSegment(name, value ?? '')]));
}

/** A path member as the client meant it; a segment that is not valid percent-encoding is the client's to fix. */
function decodedSegment(name: string, segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationException(
      `The path member ${name} is not valid percent-encoding (UTF-8 bytes as %XX). Encode it with encodeURIComponent.`,
    );
  }
}

function parseBody(event: APIGatewayProxyEvent): Record<string, unknown> {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationException('The request body is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationException('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? undefined;
}
