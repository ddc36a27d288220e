import * as path from 'node:path';
import { SFNClient, type StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { currentCorrelationId, logger, withCorrelationId } from '#observability';
import { openExecutions } from '#store/executions';
import { correlationIdOf } from '#transport/dispatch';

jest.mock('#composition', () => ({ contextOnFirstUse: () => () => Promise.resolve({}) }));
// A task that logs, standing for every task of the worker.
jest.mock('#workflows/batch-job-tasks', () => ({
  prepareJob: () => {
    jest.requireActual<typeof import('#observability')>('#observability').logger.error('preparing');
    return Promise.resolve({ batches: [] });
  },
}));

/** The JSON lines Powertools' logger writes while `work` runs. */
async function logLines(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const writeError = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await work();
  } finally {
    write.mockRestore();
    writeError.mockRestore();
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const event = (headers: Record<string, string>) => ({ headers }) as unknown as APIGatewayProxyEvent;

describe('the correlation id', () => {
  it("is the caller's x-correlation-id (any case) when it is safe to log, else the request id", () => {
    expect(correlationIdOf(event({ 'X-Correlation-Id': 'order-42:call.7' }), 'req-1')).toBe('order-42:call.7');
    expect(correlationIdOf(event({}), 'req-1')).toBe('req-1');
    for (const forged of ['two\nlines', 'x'.repeat(129), '{"level":"ERROR"}', '']) {
      expect(correlationIdOf(event({ 'x-correlation-id': forged }), 'req-1')).toBe('req-1');
    }
  });

  it('is on every log line written under it, as correlation_id, and concurrent work keeps its own', async () => {
    const lines = await logLines(() =>
      Promise.all(
        ['a', 'b'].map((id) =>
          withCorrelationId(id, async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            logger.error('working', { on: id });
          }),
        ),
      ).then(() => logger.error('outside')),
    );
    expect(lines.map((line) => [line.message, line.on, line.correlation_id])).toEqual([
      ['working', 'a', 'a'],
      ['working', 'b', 'b'],
      ['outside', undefined, undefined],
    ]);
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('is given to the state machine runs a request starts; a run started outside one is correlated by its name', async () => {
    const send = jest.spyOn(SFNClient.prototype, 'send').mockResolvedValue({} as never);
    const { jobExecutions, reEncryptions } = openExecutions({
      region: 'eu-west-1',
      endpoints: {},
      batchJobStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:jobs',
      reEncryptionStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:re-encryption',
    });
    const job = { domainId: 'dom-1', jobId: 'job-1', jobType: 'SPEAKER_ENROLLMENT' as const };
    await withCorrelationId('req-7', () => jobExecutions.start(job));
    await withCorrelationId('req-8', () => reEncryptions.start({ domainId: 'dom-1', kmsKeyId: 'key-1' }, 'dom-1-1700000000000'));
    await reEncryptions.start({ domainId: 'dom-2', kmsKeyId: 'key-1' }, 'dom-2-1700000000000');
    const inputs = send.mock.calls.map(
      ([command]) => JSON.parse((command as StartExecutionCommand).input.input!) as { correlationId: string },
    );
    expect(inputs.map((input) => input.correlationId)).toEqual(['req-7', 'req-8', 'dom-2-1700000000000']);
    expect(inputs[0]).toEqual({ job, correlationId: 'req-7' });
    send.mockRestore();
  });

  it("is on the worker's log lines for each task it is handed", async () => {
    // By path, as Lambda and the embedded stack load a handler (nothing imports one).
    const { handler } = (await import(path.join(__dirname, '..', '..', 'lambda', 'handlers', 'batch-job-worker.ts'))) as {
      handler: (event: object) => Promise<unknown>;
    };
    const lines = await logLines(() =>
      handler({ task: 'prepare', job: { domainId: 'dom-1', jobId: 'job-1', jobType: 'SPEAKER_ENROLLMENT' }, correlationId: 'req-7' }),
    );
    expect(lines.map((line) => [line.message, line.correlation_id])).toEqual([['preparing', 'req-7']]);
  });
});
