import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { accessDenied, failure, gatewayRefusal } from '#transport/responses';
import { BodyTooLarge, readBody } from './json-protocol-server.ts';
import { type LocalCredentials, SignatureRejected, signedQuery, verifySignature } from './sigv4-verifier.ts';
import type { LocalTemplate } from './template.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** API Gateway's payload quota: a larger request is refused (413) before its body is read whole. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  method: string;
  resource: string;
  pattern: RegExp;
  parameterNames: string[];
  handler: ProxyHandler;
}

/**
 * What API Gateway does in AWS, for the embedded stack: serves the routes of the synthesized template, checks
 * SigV4 as IAM authorization would, and calls the route's handler with an API Gateway proxy event.
 */
export async function startApiGateway(options: {
  routes: LocalTemplate['routes'];
  handlers: Record<string, ProxyHandler>;
  credentials: LocalCredentials;
  port: number;
}): Promise<{ server: Server; url: string }> {
  const routes: CompiledRoute[] = options.routes.map((route) => {
    const parameterNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const pattern = new RegExp(`^${route.path.replace(/\{\w+\}/g, '([^/]+)')}$`);
    return { method: route.method, resource: route.path, pattern, parameterNames, handler: options.handlers[route.functionId] };
  });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const send = (result: APIGatewayProxyResult) => {
      response.writeHead(result.statusCode, result.headers as Record<string, string>);
      response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    };
    const requestId = randomUUID();
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const body = await readBody(request, MAX_REQUEST_BYTES);
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
      );
      const query = signedQuery(url.searchParams);
      await verifySignature({ method: request.method ?? 'GET', path: url.pathname, query, headers, body }, options.credentials);

      const candidates = routes.filter((route) => route.pattern.test(url.pathname));
      const route = candidates.find((candidate) => candidate.method === request.method);
      if (!route) {
        send(
          candidates.length
            ? gatewayRefusal(405, `${request.method} is not a method of ${url.pathname}; see docs/openapi.json for the routes.`, requestId)
            : gatewayRefusal(404, `There is no route ${url.pathname}; see docs/openapi.json for the routes.`, requestId),
        );
        return;
      }
      const values = route.pattern.exec(url.pathname)!.slice(1);
      const event = proxyEvent({
        resource: route.resource,
        path: url.pathname,
        method: route.method,
        headers,
        query: url.searchParams,
        pathParameters: Object.fromEntries(route.parameterNames.map((name, i) => [name, values[i]])),
        body: body.toString('utf8'),
        requestId,
        accessKey: options.credentials.accessKeyId,
        sourceIp: request.socket.remoteAddress,
      });
      send(await route.handler(event));
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // As API Gateway answers it; the rest of the body is not read, so the connection closes.
        response.setHeader('Connection', 'close');
        send(gatewayRefusal(413, 'Request Too Long: API Gateway takes at most 10 MB. Send audio in smaller chunks.', requestId));
        return;
      }
      send(error instanceof SignatureRejected ? accessDenied(error.message, requestId) : failure(error, requestId));
    }
  };
  const server = createServer((request, response) => void handle(request, response));
  server.on('clientError', refuseMalformedRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * A request Node's HTTP parser refuses before there is a request to handle: headers over its 16 KB (API Gateway
 * takes 10 KB), or not HTTP/1.1. Node would answer a bare 431 or 400; this answers the same status with a Voice ID
 * error, then closes the connection, as Node does.
 */
function refuseMalformedRequest(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const result = gatewayRefusal(
    tooLarge ? 431 : 400,
    tooLarge
      ? 'The request line and headers are too large: API Gateway takes at most 10 KB of them.'
      : 'The request is not valid HTTP/1.1.',
    randomUUID(),
  );
  const headers = Object.entries({ ...result.headers, 'Content-Length': Buffer.byteLength(result.body), Connection: 'close' })
    .map(([name, value]) => `${name}: ${String(value)}\r\n`)
    .join('');
  // An answer to HEAD has no body (a client would read one as the start of the next answer).
  const head = error.rawPacket?.toString('latin1', 0, 5) === 'HEAD ';
  socket.end(`HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode]}\r\n${headers}\r\n${head ? '' : result.body}`);
}

/** The API Gateway proxy event (REST API, integration type AWS_PROXY) of a request that matched a route. */
export function proxyEvent(request: {
  resource: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  query?: URLSearchParams;
  pathParameters?: Record<string, string>;
  body: string;
  requestId: string;
  accessKey: string;
  sourceIp?: string;
}): APIGatewayProxyEvent {
  const query = request.query ?? new URLSearchParams();
  const pathParameters = request.pathParameters ?? {};
  return {
    resource: request.resource,
    path: request.path,
    httpMethod: request.method,
    headers: request.headers,
    multiValueHeaders: {},
    queryStringParameters: query.size ? Object.fromEntries(query) : null,
    multiValueQueryStringParameters: query.size ? Object.fromEntries([...query.keys()].map((key) => [key, query.getAll(key)])) : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: request.body.length ? request.body : null,
    isBase64Encoded: false,
    requestContext: {
      requestId: request.requestId,
      resourcePath: request.resource,
      httpMethod: request.method,
      path: request.path,
      stage: 'local',
      identity: { accessKey: request.accessKey, sourceIp: request.sourceIp },
    },
  } as unknown as APIGatewayProxyEvent;
}
