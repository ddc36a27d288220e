import { z } from 'zod';
import { parseInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

/**
 * A REST route of an operation. Members keep their Voice ID names in paths, query strings and bodies, so REST and
 * the wire protocol share every request and response shape.
 */
export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An API Gateway resource path; `{Member}` segments fill request members. */
  path: string;
  summary: string;
  /** Query string members and how to read them; a list member may repeat (`?TagKeys=a&TagKeys=b`). */
  query?: Record<string, 'string' | 'integer' | 'list'>;
}

/** The query members of every List operation. */
export const page = { MaxResults: 'integer', NextToken: 'string' } as const;

/**
 * Everything the service knows about one operation, declared once in its module: the wire protocol, the REST
 * routes, API Gateway's resources and the OpenAPI document are all derived from it.
 */
export interface Operation<R extends object = object> {
  /** The Voice ID name: `X-Amz-Target: VoiceID.<name>` on the wire. */
  readonly name: string;
  readonly input: z.ZodObject;
  /** Absent for an operation reachable only over the wire protocol. */
  readonly route?: RestRoute;
  /** Validates the request members (anything a client sent), then runs the operation. */
  call(input: unknown, ctx: OperationContext): Promise<R>;
}

export function defineOperation<S extends z.ZodObject, R extends object>(definition: {
  name: string;
  input: S;
  route?: RestRoute;
  run(request: z.output<S>, ctx: OperationContext): Promise<R>;
}): Operation<R> {
  const { name, input, route } = definition;
  return { name, input, route, call: (members, ctx) => definition.run(parseInput(input, members), ctx) };
}
