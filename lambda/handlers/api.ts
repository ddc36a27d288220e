import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { contextOnFirstUse } from '#composition';
import { instrumented, metrics, withCorrelationId } from '#observability';
import { correlationIdOf, dispatch } from '#transport/dispatch';
import { failure } from '#transport/responses';

const serviceContext = contextOnFirstUse();

/**
 * The one API function behind every route, both the Voice ID wire protocol (`POST /`, which API Gateway cannot
 * split by X-Amz-Target) and the REST routes. One function keeps a single warm pool and one cold start for all
 * operations; each operation is still its own module (lambda/operations).
 */
export const handler = instrumented((event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const requestId = event.requestContext?.requestId ?? randomUUID();
  return withCorrelationId(correlationIdOf(event, requestId), () => answer(event, requestId));
});

async function answer(event: APIGatewayProxyEvent, requestId: string): Promise<APIGatewayProxyResult> {
  let response: APIGatewayProxyResult;
  try {
    response = await dispatch(event, requestId, await serviceContext());
  } catch (error) {
    // Only a failed start reaches here (dispatch answers every error of a request itself).
    response = failure(error, requestId);
  }
  metrics.addMetric(response.statusCode >= 500 ? 'Faults' : response.statusCode >= 400 ? 'ClientErrors' : 'Successes', MetricUnit.Count, 1);
  return response;
}
