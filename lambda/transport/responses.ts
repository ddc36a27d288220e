import type { APIGatewayProxyResult } from 'aws-lambda';
import { AccessDeniedException, InternalServerException, ThrottlingException, ValidationException, VoiceIdError } from '#api-model/errors';
import { logger } from '#observability';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

export function success(body: object, requestId: string): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': requestId },
    body: JSON.stringify(body),
  };
}

/**
 * The single mapping from errors to Voice ID's error shape, for both transports. `message` is what AWS JSON
 * clients read; `Message` is the member the model declares. An AWS service that still throttles us after the SDK's
 * retries is answered as Voice ID answered its own throttling, so clients back off. Anything else that is not a
 * VoiceIdError is a bug or an outage: its detail goes to the log under the request id, and the caller gets only
 * that id, never a message, stack trace or path from inside the service.
 */
export function failure(error: unknown, requestId: string): APIGatewayProxyResult {
  const known = asVoiceIdError(error, requestId);
  return {
    statusCode: known.statusCode,
    headers: {
      'Content-Type': JSON_CONTENT_TYPE,
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': known.name,
    },
    body: JSON.stringify({ __type: known.name, message: known.message, Message: known.message, ...known.details() }),
  };
}

/** What the embedded stack's gateway answers to a request that IAM authorization would refuse in AWS. */
export function accessDenied(message: string, requestId: string): APIGatewayProxyResult {
  return failure(new AccessDeniedException(message), requestId);
}

/**
 * What the gateway answers itself, before the function runs, is a Voice ID error too, so that every client reads
 * every refusal: a refused signature is AccessDeniedException, throttling ThrottlingException, anything else the
 * caller sent (no such route or method, a body over 10 MB, headers too large) ValidationException, each with API
 * Gateway's own status. The deployed API's gateway responses (lib/constructs/voice-id-api.ts, keyed by API
 * Gateway's response types) and the embedded gateway's answers (gatewayRefusal) are both made from this.
 */
export const GATEWAY_ERROR_TYPES = {
  ACCESS_DENIED: 'AccessDeniedException',
  MISSING_AUTHENTICATION_TOKEN: 'AccessDeniedException',
  INVALID_SIGNATURE: 'AccessDeniedException',
  EXPIRED_TOKEN: 'AccessDeniedException',
  UNAUTHORIZED: 'AccessDeniedException',
  THROTTLED: 'ThrottlingException',
  QUOTA_EXCEEDED: 'ThrottlingException',
  DEFAULT_4XX: 'ValidationException',
  DEFAULT_5XX: 'InternalServerException',
} as const;

/** A request the embedded gateway refuses before any handler (DEFAULT_4XX above), with the status API Gateway gives it. */
export function gatewayRefusal(statusCode: number, message: string, requestId: string): APIGatewayProxyResult {
  return { ...failure(new ValidationException(message), requestId), statusCode };
}

function asVoiceIdError(error: unknown, requestId: string): VoiceIdError {
  if (error instanceof VoiceIdError) return error;
  if (isThrottling(error)) {
    logger.warn('Throttled by an AWS service', { requestId, errorName: (error as Error).name });
    return new ThrottlingException('The service is receiving more requests than it can take. Retry with backoff.');
  }
  logger.error('Unexpected error', { error: error as Error, requestId });
  return new InternalServerException(`The service could not complete the request (request id ${requestId}). Retry it.`);
}

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
]);

/** AWS SDK v3 marks throttling errors it gave up retrying with `$retryable.throttling`; older shapes only by name. */
function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  return retryable?.throttling === true || THROTTLING_ERRORS.has(error.name);
}
