import { Aws, type CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DistributedMap, Errors, Fail, JsonPath, Pass, type StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { taskPayload } from '#workflows/worker-tasks';
import type { DataRetention } from './data-retention.ts';
import { CORRELATION_ID_PATH, workerStateMachine, workerTask } from './worker-state-machine.ts';

export interface BatchJobsProps {
  worker: IFunction;
  retention: DataRetention;
  /** Batches processed at once, each by one worker invocation of 10 requests (VoiceIdStackProps.batchJobMaxConcurrency). */
  maxConcurrency: number;
}

/**
 * The batch job state machine (StartSpeakerEnrollmentJob, StartFraudsterRegistrationJob):
 *   Prepare (read and check the manifest under the job's role, store its requests in batches)
 *   -> ProcessBatches (a Distributed Map: each batch is a child execution, so 10,000 requests stay far inside
 *      one execution's 25,000-event history, and run side by side)
 *   -> Finish (write the output file, end the job); Fail ends the job if any of them gives up.
 * State carries only the job's key and batch numbers (a 10,000-request job is 1,000 numbers), never a manifest:
 * the 256 KB state limit is never near, and nothing of a caller lands in execution histories. The manifest is read
 * by the worker rather than by the map's ItemReader because it must be read as the job's DataAccessRoleArn, and
 * checked whole before anything is written. The embedded stack runs this same definition (its engine runs a
 * Distributed Map as an ordinary Map over the same task code).
 */
export class BatchJobs extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: BatchJobsProps) {
    super(scope, id);
    const task = (name: string, payload: Record<string, unknown>, resultPath: string) =>
      workerTask(this, name, props.worker, payload, resultPath);
    const job = JsonPath.objectAt('$.job');

    const prepare = task('Prepare', taskPayload('prepare', { job }), '$.prepared');
    const processBatch = task('ProcessBatch', taskPayload('process-batch', { job, batch: JsonPath.numberAt('$.batch') }), JsonPath.DISCARD);
    // A batch is retried after a fault (it takes up only its requests still open); one that keeps failing is
    // left, and Finish gives its open requests error 500 rather than holding up the rest of the job.
    processBatch.addRetry({ errors: [Errors.ALL], maxAttempts: 2, interval: Duration.seconds(2), backoffRate: 2 });
    processBatch.addCatch(new Pass(this, 'BatchGaveUp'), { resultPath: JsonPath.DISCARD });

    const fanOut = new DistributedMap(this, 'ProcessBatches', {
      itemsPath: JsonPath.stringAt('$.prepared.batches'),
      itemSelector: { 'job.$': '$.job', 'batch.$': '$$.Map.Item.Value', 'correlationId.$': CORRELATION_ID_PATH },
      maxConcurrency: props.maxConcurrency,
      mapExecutionType: StateMachineType.STANDARD,
      resultPath: JsonPath.DISCARD,
    });
    fanOut.itemProcessor(processBatch);

    const finish = task('Finish', taskPayload('finish', { job }), '$.finished');
    const fail = task('RecordFailure', taskPayload('fail', { job }), JsonPath.DISCARD).next(new Fail(this, 'JobFailed'));
    for (const step of [prepare, fanOut, finish]) step.addCatch(fail, { resultPath: '$.failure' });

    this.stateMachine = workerStateMachine(this, prepare.next(fanOut).next(finish), props.retention);
  }

  /**
   * The resources cdk-nag names for the Distributed Map's grant on its own child executions (CDK writes them from
   * the state machine's ARN), so the stack can acknowledge exactly these.
   */
  childExecutionFindings(): string[] {
    const stack = Stack.of(this);
    const shown = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const name = JSON.stringify({
      'Fn::Select': [6, { 'Fn::Split': [':', { Ref: stack.getLogicalId(this.stateMachine.node.defaultChild as CfnResource) }] }],
    });
    const executions = `arn:<AWS::Partition>:states:${shown(stack.region, '<AWS::Region>')}:${shown(stack.account, '<AWS::AccountId>')}:execution:${name}`;
    return [`Resource::${executions}:*`, `Resource::${executions}/*:*`];
  }
}

/**
 * Lets the worker act as a job's DataAccessRoleArn: only roles of this account (Voice ID's rule too) whose path
 * and name start with `rolePrefix` (VoiceIdStackProps.dataAccessRolePrefix), the bound the service also checks
 * before it accepts a job and before it assumes the role (lambda/rules/data-access-role.ts). Each role's trust
 * policy then decides whether this deployment may use it, and for which domain (sts:ExternalId, README).
 */
export function grantJobRoleUse(worker: IFunction, rolePrefix: string): void {
  worker.addToRolePolicy(
    new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${rolePrefix}*`] }),
  );
}
