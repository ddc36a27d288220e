/**
 * Every handler is instrumented alike (lambda/observability.ts `instrumented`): the invocation's Lambda context
 * on its log lines and a ColdStart metric on its first invocation. Run as Lambda would (a function name, so that
 * metrics are on, and an on-demand sandbox), each handler loaded by path in a fresh module registry.
 */
import * as path from 'node:path';
import type { Context } from 'aws-lambda';

jest.mock('#composition', () => ({ contextOnFirstUse: () => () => Promise.resolve({}) }));
// Workflow steps that log, standing for the work of the worker and the sweeper.
const logging = (message: string, result: object) => () => {
  jest.requireActual<typeof import('#observability')>('#observability').logger.error(message);
  return Promise.resolve(result);
};
jest.mock('#workflows/batch-job-tasks', () => ({
  prepareJob: logging('preparing', { batches: [] }),
  failAbandonedJobs: logging('failing', { abandonedJobs: 0 }),
}));
jest.mock('#workflows/erase-deleted-domains', () => ({ eraseDeletedDomains: logging('erasing', { erasedDomains: 0 }) }));
jest.mock('#workflows/expire-speakers', () => ({ expireSpeakers: logging('expiring', { expiredSpeakers: 0 }) }));

const lambdaContext = (functionName: string, awsRequestId: string) =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
  }) as Context;

/** Everything the handler writes to stdout and stderr, one JSON document a line. */
async function output(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const metricNames = (lines: Record<string, unknown>[]) =>
  lines.flatMap(
    (line) =>
      (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } | undefined)?.CloudWatchMetrics[0].Metrics.map(
        (m) => m.Name,
      ) ?? [],
  );

describe.each([
  ['batch-job-worker', { task: 'prepare', job: { domainId: 'dom-1', jobId: 'job-1', jobType: 'SPEAKER_ENROLLMENT' } }, 'preparing'],
  ['expiry-sweeper', {}, 'erasing'],
])('the %s handler', (handlerName, event, message) => {
  let handler: (event: object, context: Context) => Promise<unknown>;

  beforeAll(async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = `voice-id-${handlerName}`;
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    jest.resetModules();
    ({ handler } = (await import(path.join(__dirname, '..', '..', 'lambda', 'handlers', `${handlerName}.ts`))) as {
      handler: typeof handler;
    });
  });

  afterAll(() => {
    for (const name of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'POWERTOOLS_METRICS_DISABLED'])
      delete process.env[name];
  });

  it('logs with the Lambda context, and counts a cold start once per sandbox', async () => {
    const first = await output(() => handler(event, lambdaContext(`voice-id-${handlerName}`, 'request-1')));
    expect(first.find((line) => line.message === message)).toMatchObject({
      function_name: `voice-id-${handlerName}`,
      function_request_id: 'request-1',
      cold_start: true,
    });
    expect(metricNames(first)).toEqual(['ColdStart']);

    const second = await output(() => handler(event, lambdaContext(`voice-id-${handlerName}`, 'request-2')));
    expect(second.find((line) => line.message === message)).toMatchObject({ function_request_id: 'request-2', cold_start: false });
    expect(metricNames(second)).toEqual([]);
  });
});

describe('the api handler', () => {
  beforeAll(() => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'voice-id-api';
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    jest.resetModules();
  });

  afterAll(() => {
    for (const name of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'POWERTOOLS_METRICS_DISABLED'])
      delete process.env[name];
  });

  it('counts a cold start once, and every answer by its kind', async () => {
    const { handler } = (await import(path.join(__dirname, '..', '..', 'lambda', 'handlers', 'api.ts'))) as {
      handler: (event: object, context: Context) => Promise<{ statusCode: number }>;
    };
    // A wire-protocol call that names no operation: answered 400 before any store is reached.
    const event = { httpMethod: 'POST', path: '/', resource: '/', headers: {}, body: '{}', requestContext: { requestId: 'request-1' } };
    const first = await output(() => handler(event, lambdaContext('voice-id-api', 'request-1')));
    expect(metricNames(first)).toEqual(['ColdStart', 'ClientErrors']);
    const second = await output(() => handler(event, lambdaContext('voice-id-api', 'request-2')));
    expect(metricNames(second)).toEqual(['ClientErrors']);
  });
});
