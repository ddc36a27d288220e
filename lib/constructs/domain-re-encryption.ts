import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Choice, Condition, DefinitionBody, Errors, Fail, JsonPath, LogLevel, StateMachine, Succeed, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface DomainReEncryptionProps {
  worker: IFunction;
}

/**
 * Re-encrypts a domain's data after UpdateDomain moved it to a new KMS key (README "Your KMS keys"):
 *   ReEncryptPage (the worker's `re-encrypt-domain` task: one page of voiceprints or session speech re-sealed under
 *   the new key) -> Done? (a Choice: loop until the task says done) ; RecordFailure marks the domain FAILED when a
 *   page keeps faulting. The task itself records COMPLETED, or FAILED when KMS refuses a key.
 * State carries only the domain's id, the key and a page position (domain id and an owner or session id), never a
 * value. The embedded stack runs this same definition.
 */
export class DomainReEncryption extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: DomainReEncryptionProps) {
    super(scope, id);
    const target = { domainId: JsonPath.stringAt('$.domainId'), kmsKeyId: JsonPath.stringAt('$.kmsKeyId') };
    const page = new LambdaInvoke(this, 'ReEncryptPage', {
      lambdaFunction: props.worker,
      payload: TaskInput.fromObject({ task: 're-encrypt-domain', ...target, position: JsonPath.objectAt('$.position') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      resultPath: '$.position',
    });
    // Every page may be done again: values are re-sealed only where they are still what was read.
    page.addRetry({ errors: [Errors.ALL], maxAttempts: 3, interval: Duration.seconds(2), backoffRate: 2 });
    const recordFailure = new LambdaInvoke(this, 'RecordReEncryptionFailure', {
      lambdaFunction: props.worker,
      payload: TaskInput.fromObject({ task: 're-encryption-failed', ...target }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      resultPath: JsonPath.DISCARD,
    }).next(new Fail(this, 'ReEncryptionFailed'));
    page.addCatch(recordFailure, { resultPath: '$.failure' });
    const loop = new Choice(this, 'Done?')
      .when(Condition.booleanEquals('$.position.done', true), new Succeed(this, 'ReEncrypted'))
      .otherwise(page);

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(page.next(loop)),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_YEAR }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });
  }
}
