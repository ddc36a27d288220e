import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localFunctionArn, type LocalTemplate } from './template';
import { ServiceError, startJsonProtocolServer } from './json-protocol-server';

// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks.
(Promise as unknown as { withResolvers: unknown }).withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

export type TaskHandler = (payload: unknown) => Promise<unknown>;

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

export const localStateMachineArn = (logicalId: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${logicalId}`;

/**
 * The Step Functions API (StartExecution, DescribeExecution) over aws-local-stepfunctions, running the state
 * machine definitions CDK synthesized. Task states whose resource is one of our functions call its handler
 * in-process. Executions live in memory: a restart forgets them.
 */
export async function startLocalStepFunctions(
  stateMachines: LocalTemplate['stateMachines'],
  functions: Record<string, TaskHandler>,
) {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const byArn = new Map(Object.entries(stateMachines).map(([id, { definition }]) => [localStateMachineArn(id), definition]));
  const handlersByArn = new Map(Object.entries(functions).map(([id, handler]) => [localFunctionArn(id), handler]));
  const executions = new Map<string, Execution>();

  const run = (definition: any, execution: Execution) => {
    const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
    const overrides: Record<string, (input: any) => Promise<any>> = {};
    collectTasks(definition, (stateName, resource) => {
      const handler = handlersByArn.get(resource);
      if (handler) overrides[stateName] = (input) => handler(input) as Promise<any>;
    });
    machine
      .run(JSON.parse(execution.input), { overrides: { taskResourceLocalHandlers: overrides } })
      .result.then(
        (output) => Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
        (error: Error & { cause?: unknown }) =>
          Object.assign(execution, { status: 'FAILED', error: error.name, cause: String(error.message) }),
      )
      .finally(() => (execution.stopDate = Date.now()));
  };

  return startJsonProtocolServer('Step Functions', {
    StartExecution: ({ stateMachineArn, input = '{}', name = randomUUID() }) => {
      const definition = byArn.get(stateMachineArn);
      if (!definition) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
      const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      const execution: Execution = { executionArn, stateMachineArn, name, status: 'RUNNING', input, startDate: Date.now() };
      executions.set(executionArn, execution);
      run(definition, execution);
      return { executionArn, startDate: execution.startDate / 1000 };
    },
    DescribeExecution: ({ executionArn }) => {
      const execution = executions.get(executionArn);
      if (!execution) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      return {
        ...execution,
        startDate: execution.startDate / 1000,
        stopDate: execution.stopDate && execution.stopDate / 1000,
      };
    },
  });
}

/** Visits every Task state, including those inside Map and Parallel states. */
function collectTasks(definition: any, visit: (stateName: string, resource: string) => void): void {
  for (const [name, state] of Object.entries<any>(definition.States ?? {})) {
    if (state.Type === 'Task') visit(name, state.Resource);
    if (state.ItemProcessor) collectTasks(state.ItemProcessor, visit);
    if (state.Iterator) collectTasks(state.Iterator, visit);
    for (const branch of state.Branches ?? []) collectTasks(branch, visit);
  }
}
