import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** An error an emulated AWS service answers with (its `__type` and HTTP status). */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** An action takes the request's parsed JSON body, which it validates itself (see `validated`). */
export type ActionHandlers = Record<string, (input: unknown) => unknown>;

/** An action whose input must match `schema`; a request that does not is refused as the service would refuse it. */
export function validated<S extends z.ZodType>(schema: S, handler: (input: z.output<S>) => unknown): (input: unknown) => unknown {
  return (input) => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw new ServiceError('ValidationException', z.prettifyError(parsed.error));
    return handler(parsed.data);
  };
}

/** A request body over the limit its server sets, refused before it is read whole. */
export class BodyTooLarge extends Error {
  readonly name = 'BodyTooLarge';
}

export async function readBody(request: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const tooLarge = () => new BodyTooLarge(`The request body is over ${maxBytes} bytes, the most this endpoint takes.`);
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    bytes += (chunk as Buffer).length;
    if (bytes > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * A server speaking the AWS JSON protocol (`X-Amz-Target: <Prefix>.<Action>`), for the services that have no
 * installable local engine (KMS) or whose engine is a library (Step Functions).
 */
export async function startJsonProtocolServer(name: string, actions: ActionHandlers): Promise<{ server: Server; url: string }> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    try {
      const action =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const handler = actions[action];
      if (!handler) throw new ServiceError('UnknownOperationException', `${name} emulator does not implement ${action}.`);
      const body = (await readBody(request)).toString('utf8');
      reply(200, (await handler(body ? (JSON.parse(body) as unknown) : {})) ?? {});
    } catch (error) {
      const known = error instanceof ServiceError ? error : new ServiceError('InternalFailure', String(error), 500);
      reply(known.status, { __type: known.type, message: known.message });
    }
  };
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
