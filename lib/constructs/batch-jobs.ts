import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, JsonPath, LogLevel, Map as MapState, Pass, StateMachine, Succeed, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/**
 * The batch job state machine (StartSpeakerEnrollmentJob, StartFraudsterRegistrationJob): it fans a job's
 * requests across invocations of the job worker and gathers their results. Workers read the audio under the
 * caller's data-access role.
 */
export class BatchJobs extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: { worker: IFunction }) {
    super(scope, id);
    const processRequest = new LambdaInvoke(this, 'ProcessRequest', {
      lambdaFunction: props.worker,
      payload: TaskInput.fromObject({ task: 'process-request', job: JsonPath.objectAt('$.job'), request: JsonPath.objectAt('$.request') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    });
    const recordFailure = new Pass(this, 'RecordRequestFailure', {
      parameters: { 'RequestId.$': '$.request.RequestId', 'Error.$': '$.failure.Error', 'Cause.$': '$.failure.Cause' },
    });
    processRequest.addCatch(recordFailure, { resultPath: '$.failure' });

    const fanOut = new MapState(this, 'ProcessRequests', {
      itemsPath: JsonPath.stringAt('$.requests'),
      itemSelector: { 'job.$': '$.job', 'request.$': '$$.Map.Item.Value' },
      maxConcurrency: 10,
      resultPath: '$.results',
    });
    fanOut.itemProcessor(processRequest);

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(fanOut.next(new Succeed(this, 'Done'))),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_YEAR }),
        level: LogLevel.ALL,
      },
    });
  }
}
