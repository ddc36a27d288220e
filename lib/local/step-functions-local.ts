import { randomUUID } from 'node:crypto';
import type { RunOptions, StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { z } from 'zod';
import { ServiceError, startJsonProtocolServer, validated } from './json-protocol-server.ts';
import { type LocalTemplate, localFunctionArn, localStateMachineArn } from './template.ts';

export type TaskHandler = (payload: unknown) => Promise<unknown>;

type JsonValue = Parameters<StateMachine['run']>[0];
type TaskOverrides = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Branch = Pick<StateMachineDefinition, 'States'>;

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

/**
 * The Step Functions API (StartExecution, DescribeExecution) over aws-local-stepfunctions, running the state
 * machine definitions CDK synthesized. Task states whose resource is one of our functions call its handler
 * in-process. Executions live in memory: a restart forgets them.
 */
export async function startLocalStepFunctions(stateMachines: LocalTemplate['stateMachines'], functions: Record<string, TaskHandler>) {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const byArn = new Map(Object.entries(stateMachines).map(([id, { definition }]) => [localStateMachineArn(id), asDefinition(definition)]));
  const handlersByArn = new Map(Object.entries(functions).map(([id, handler]) => [localFunctionArn(id), handler]));
  const executions = new Map<string, Execution>();

  const run = (definition: StateMachineDefinition, execution: Execution) => {
    const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
    const overrides: TaskOverrides = {};
    collectTasks(definition, (stateName, resource) => {
      const handler = handlersByArn.get(resource);
      // What a handler returns is JSON, as Lambda would serialize it for Step Functions.
      if (handler) overrides[stateName] = (input) => handler(input) as Promise<JsonValue>;
    });
    machine
      .run(JSON.parse(execution.input) as JsonValue, { overrides: { taskResourceLocalHandlers: overrides } })
      .result.then(
        (output) => Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
        (error: Error & { cause?: unknown }) =>
          Object.assign(execution, { status: 'FAILED', error: error.name, cause: String(error.message) }),
      )
      .finally(() => (execution.stopDate = Date.now()));
  };

  /** StartExecution: a name already used with the same input is the same execution, as in Step Functions. */
  const start = (stateMachineArn: string, input: string, name: string = randomUUID()) => {
    const definition = byArn.get(stateMachineArn);
    if (!definition) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = executions.get(executionArn);
    if (existing && existing.input !== input)
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    if (existing) return existing;
    const execution: Execution = { executionArn, stateMachineArn, name, status: 'RUNNING', input, startDate: Date.now() };
    executions.set(executionArn, execution);
    run(definition, execution);
    return execution;
  };

  const api = await startJsonProtocolServer('Step Functions', {
    StartExecution: validated(
      z.object({ stateMachineArn: z.string(), input: z.string().default('{}'), name: z.string().optional() }),
      ({ stateMachineArn, input, name }) => {
        const execution = start(stateMachineArn, input, name);
        return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
      },
    ),
    DescribeExecution: validated(z.object({ executionArn: z.string() }), ({ executionArn }) => {
      const execution = executions.get(executionArn);
      if (!execution) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      return {
        ...execution,
        startDate: execution.startDate / 1000,
        stopDate: execution.stopDate && execution.stopDate / 1000,
      };
    }),
  });
  return { ...api, start };
}

/**
 * The shape `collectTasks` relies on; aws-local-stepfunctions validates the rest of the Amazon States Language
 * when it builds the machine.
 */
const definitionShape = z.object({ StartAt: z.string(), States: z.record(z.string(), z.object({ Type: z.string() })) });

function asDefinition(definition: unknown): StateMachineDefinition {
  definitionShape.parse(definition);
  return definition as StateMachineDefinition;
}

/** Visits every Task state, including those inside Map and Parallel states. */
function collectTasks(definition: Branch, visit: (stateName: string, resource: string) => void): void {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') visit(name, state.Resource);
    if (state.Type === 'Map') {
      if (state.ItemProcessor) collectTasks(state.ItemProcessor, visit);
      if (state.Iterator) collectTasks(state.Iterator, visit);
    }
    if (state.Type === 'Parallel') for (const branch of state.Branches) collectTasks(branch, visit);
  }
}
