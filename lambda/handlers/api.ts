import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { loadConfig } from '#config';
import { logger } from '#observability';
import { createContext, type OperationContext } from '#operations/context';
import { dispatch } from '#transport/dispatch';
import { failure } from '#transport/responses';

/**
 * The one API function behind every route, both the Voice ID wire protocol (`POST /`, which API Gateway cannot
 * split by X-Amz-Target) and the REST routes. One function keeps a single warm pool and one cold start for all
 * operations; each operation is still its own module (lambda/operations).
 */
let context: Promise<OperationContext> | undefined;

export async function handler(event: APIGatewayProxyEvent, lambdaContext?: Context): Promise<APIGatewayProxyResult> {
  if (lambdaContext) logger.addContext(lambdaContext);
  // A failed start (say, the secret could not be read) is not cached: the next request tries again.
  context ??= createContext(loadConfig()).catch((error) => {
    context = undefined;
    throw error;
  });
  try {
    return dispatch(event, await context);
  } catch (error) {
    return failure(error);
  }
}
