import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Choice, Condition, Errors, Fail, JsonPath, type StateMachine, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { taskPayload } from '#workflows/worker-tasks';
import type { DataRetention } from './data-retention.ts';
import { workerStateMachine, workerTask } from './worker-state-machine.ts';

export interface DomainReEncryptionProps {
  worker: IFunction;
  retention: DataRetention;
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
    const page = workerTask(
      this,
      'ReEncryptPage',
      props.worker,
      taskPayload('re-encrypt-domain', { ...target, position: JsonPath.objectAt('$.position') }),
      '$.position',
    );
    // Every page may be done again: values are re-sealed only where they are still what was read.
    page.addRetry({ errors: [Errors.ALL], maxAttempts: 3, interval: Duration.seconds(2), backoffRate: 2 });
    const recordFailure = workerTask(
      this,
      'RecordReEncryptionFailure',
      props.worker,
      taskPayload('re-encryption-failed', target),
      JsonPath.DISCARD,
    ).next(new Fail(this, 'ReEncryptionFailed'));
    page.addCatch(recordFailure, { resultPath: '$.failure' });
    const loop = new Choice(this, 'Done?')
      .when(Condition.booleanEquals('$.position.done', true), new Succeed(this, 'ReEncrypted'))
      .otherwise(page);

    this.stateMachine = workerStateMachine(this, page.next(loop), props.retention);
  }
}
