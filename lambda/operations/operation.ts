import { z } from 'zod';
import type { AuditErrorInfo, AuditMapping, AuditRecord } from '#api-model/audit-event';
import { VoiceIdError } from '#api-model/errors';
import { parseInput } from '#api-model/validation';
import type { Needs, ServiceContext } from '#context';
import { logger } from '#observability';
import { publishAuditRecord } from '#rules/audit';

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
  call(input: unknown, ctx: ServiceContext): Promise<R>;
}

export function defineOperation<S extends z.ZodObject, R extends object, K extends keyof ServiceContext>(definition: {
  name: string;
  input: S;
  route?: RestRoute;
  /** The members of the context the operation touches: `run` is handed these and no others. */
  uses: readonly K[];
  /**
   * The audit event of each call (README "Audit events"), for operations that change or decide something: SUCCESS
   * after `run`, FAILURE with Voice ID's errorInfo when it throws. A request refused by validation of its members
   * names nothing reliably and is not reported.
   */
  audit?: AuditMapping<z.output<S>, R>;
  run(request: z.output<S>, ctx: Needs<K>): Promise<R>;
}): Operation<R> {
  const { name, input, route, audit, uses } = definition;
  const call = async (members: unknown, ctx: ServiceContext): Promise<R> => {
    const request = parseInput(input, members);
    const needed = Object.fromEntries(uses.map((member) => [member, ctx[member]])) as Needs<K>;
    if (!audit) return definition.run(request, needed);
    let response: R;
    try {
      response = await definition.run(request, needed);
    } catch (error) {
      await publishAudit(ctx, audit, request, undefined, errorInfo(error));
      throw error;
    }
    await publishAudit(ctx, audit, request, response);
    return response;
  };
  return { name, input, route, call };
}

/** Publishes one transaction's audit event; never fails the transaction (AuditEvents is best effort too). */
async function publishAudit<Request, R>(
  ctx: ServiceContext,
  audit: AuditMapping<Request, R>,
  request: Request,
  response: R | undefined,
  error?: AuditErrorInfo,
): Promise<void> {
  const domainId = (request as { DomainId?: unknown }).DomainId;
  if (typeof domainId !== 'string') return;
  try {
    const record: AuditRecord = {
      detailType: audit.detailType,
      action: audit.action,
      domainId,
      subject: audit.subject(request, response),
      errorInfo: error,
    };
    await publishAuditRecord(ctx, record);
  } catch (failure) {
    logger.warn('An audit event could not be built', { action: audit.action, error: failure as Error });
  }
}

/** Voice ID's errorInfo of an error: a VoiceIdError as its caller sees it, anything else as the internal error it is answered as. */
function errorInfo(error: unknown): AuditErrorInfo {
  if (error instanceof VoiceIdError) return { errorCode: error.statusCode, errorMessage: error.message, errorType: error.name };
  return { errorCode: 500, errorMessage: 'The service could not complete the request.', errorType: 'InternalServerException' };
}
