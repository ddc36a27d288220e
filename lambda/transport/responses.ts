import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { InternalServerException, VoiceIdError } from '#api-model/errors';
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
 * clients read; `Message` is the member the model declares. Anything that is not a VoiceIdError is a bug or an
 * outage: it is logged in full and answered as InternalServerException without internals.
 */
export function failure(error: unknown, requestId: string = randomUUID()): APIGatewayProxyResult {
  let known: VoiceIdError;
  if (error instanceof VoiceIdError) {
    known = error;
  } else {
    logger.error('Unexpected error', { error: error as Error, requestId });
    known = new InternalServerException(`The service could not complete the request (request id ${requestId}). Retry it.`);
  }
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
