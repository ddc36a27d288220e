import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, type IChainable, JitterType, JsonPath, LogLevel, StateMachine, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { type DataRetention, retainedLogGroup } from './data-retention.ts';

/**
 * The team's defaults for the state machines whose tasks are the batch job worker (batch jobs, domain
 * re-encryption), in one place, as ServiceFunction holds the functions'.
 */

/** Where a run's correlation id is in its state (lambda/store/executions.ts puts it in the input). */
export const CORRELATION_ID_PATH = '$.correlationId';

/**
 * A task that invokes the worker with `payload` (its handler's event) and the run's correlation id, and puts the
 * answer at `resultPath`. A throttled invocation (the account's concurrency spent, which a small account's is
 * whenever a job runs beside busy API traffic) is waited out for up to half an hour rather than failing the task:
 * a tight account slows jobs down instead of failing them. The task's own retries and catches come after this.
 */
export function workerTask(
  scope: Construct,
  id: string,
  worker: IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
): LambdaInvoke {
  const task = new LambdaInvoke(scope, id, {
    lambdaFunction: worker,
    payload: TaskInput.fromObject({ ...payload, correlationId: JsonPath.stringAt(CORRELATION_ID_PATH) }),
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
    resultPath,
  });
  task.addRetry({
    errors: ['Lambda.TooManyRequestsException'],
    interval: Duration.seconds(10),
    backoffRate: 2,
    maxDelay: Duration.minutes(2),
    jitterStrategy: JitterType.FULL,
    maxAttempts: 20,
  });
  return task;
}

/**
 * A state machine (`StateMachine` in `scope`) with a day's timeout, X-Ray, and every transition logged (for the
 * deployment's log retention) without its data: state holds keys and positions, but faults' messages are not ours
 * to vouch for.
 */
export function workerStateMachine(scope: Construct, definition: IChainable, retention: DataRetention): StateMachine {
  return new StateMachine(scope, 'StateMachine', {
    definitionBody: DefinitionBody.fromChainable(definition),
    timeout: Duration.hours(24),
    tracingEnabled: true,
    logs: {
      destination: retainedLogGroup(scope, 'Logs', retention),
      level: LogLevel.ALL,
      includeExecutionData: false,
    },
  });
}
