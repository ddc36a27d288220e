import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Runs the expiry sweeper once a day (EventBridge Scheduler). DynamoDB TTL alone is not enough: it lags by up to
 * days and cannot cascade to a deleted domain's other items.
 *
 * The scheduler invokes the sweeper asynchronously, so it sees only failures to hand the event over (throttling,
 * a missing permission): those land in the dead-letter queue after the retries. The sweeper's own faults are
 * counted by its Errors metric; both are alarmed on (OperationalAlarms).
 */
export class ExpirySweep extends Construct {
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: { sweeper: IFunction; removalPolicy: RemovalPolicy }) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A day's run that never started is worth a look for as long as SQS keeps anything.
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    new Schedule(this, 'Daily', {
      description: 'Erase data of domains deleted more than 30 days ago and expire stale speakers.',
      schedule: ScheduleExpression.rate(Duration.days(1)),
      target: new LambdaInvoke(props.sweeper, { retryAttempts: 2, deadLetterQueue: this.deadLetterQueue }),
    });
  }
}
