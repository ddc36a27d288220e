import { ConflictException, ValidationException } from '#api-model/errors';
import { logger } from '#observability';
import { failure } from '#transport/responses';

const body = (result: { body: string }) => JSON.parse(result.body) as Record<string, unknown>;

describe('the error mapping', () => {
  it('answers a Voice ID error with its type, status, message and extra members', () => {
    const result = failure(new ConflictException('CONCURRENT_CHANGES', 'Describe it and try again.'), 'req-1');
    expect(result.statusCode).toBe(409);
    expect(result.headers).toEqual({
      'Content-Type': 'application/x-amz-json-1.0',
      'x-amzn-RequestId': 'req-1',
      'x-amzn-ErrorType': 'ConflictException',
    });
    expect(body(result)).toEqual({
      __type: 'ConflictException',
      message: 'Describe it and try again.',
      Message: 'Describe it and try again.',
      ConflictType: 'CONCURRENT_CHANGES',
    });
    expect(failure(new ValidationException('Name is required.'), 'req-2').statusCode).toBe(400);
  });

  it('never returns the message, stack or paths of an unexpected error, only a request id to quote', () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const error = new TypeError("Cannot read properties of undefined (reading 'kmsKeyId') at /work/main/lambda/store/x.ts:12");
    const result = failure(error, 'req-3');

    expect(result.statusCode).toBe(500);
    expect(body(result)).toEqual({
      __type: 'InternalServerException',
      message: 'The service could not complete the request (request id req-3). Retry it.',
      Message: 'The service could not complete the request (request id req-3). Retry it.',
    });
    expect(result.body).not.toMatch(/kmsKeyId|lambda\/store|TypeError|at /);
    // The detail goes to the log, under the id the caller was given.
    expect(logged).toHaveBeenCalledWith('Unexpected error', { error, requestId: 'req-3' });
    logged.mockRestore();
  });

  it('answers an AWS service that still throttles after the SDK retries as ThrottlingException 429', () => {
    const warned = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const byFlag = Object.assign(new Error('Rate exceeded'), { name: 'SomeServiceError', $retryable: { throttling: true } });
    const byName = Object.assign(new Error('Throughput exceeds the provisioned rate'), { name: 'ProvisionedThroughputExceededException' });
    for (const error of [byFlag, byName]) {
      const result = failure(error, 'req-4');
      expect(result.statusCode).toBe(429);
      expect(body(result)).toEqual({
        __type: 'ThrottlingException',
        message: 'The service is receiving more requests than it can take. Retry with backoff.',
        Message: 'The service is receiving more requests than it can take. Retry with backoff.',
      });
    }
    warned.mockRestore();
  });

  it('treats a thrown non-Error as unexpected', () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect(failure('a string', 'req-5').statusCode).toBe(500);
    logged.mockRestore();
  });
});
