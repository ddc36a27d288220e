import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export type ActionHandlers = Record<string, (input: any) => Promise<unknown> | unknown>;

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A server speaking the AWS JSON protocol (`X-Amz-Target: <Prefix>.<Action>`), for the services that have no
 * installable local engine (KMS) or whose engine is a library (Step Functions).
 */
export async function startJsonProtocolServer(name: string, actions: ActionHandlers): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    try {
      const action = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const handler = actions[action];
      if (!handler) throw new ServiceError('UnknownOperationException', `${name} emulator does not implement ${action}.`);
      const body = (await readBody(request)).toString('utf8');
      reply(200, (await handler(body ? JSON.parse(body) : {})) ?? {});
    } catch (error) {
      const known = error instanceof ServiceError ? error : new ServiceError('InternalFailure', String(error), 500);
      reply(known.status, { __type: known.type, message: known.message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
