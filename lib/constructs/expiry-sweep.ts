import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';

/**
 * Runs the expiry sweeper once a day (EventBridge Scheduler). DynamoDB TTL alone is not enough: it lags by up to
 * days and cannot cascade to a deleted domain's other items.
 */
export class ExpirySweep extends Construct {
  constructor(scope: Construct, id: string, props: { sweeper: IFunction }) {
    super(scope, id);
    new Schedule(this, 'Daily', {
      description: 'Erase data of domains deleted more than 30 days ago and expire stale speakers.',
      schedule: ScheduleExpression.rate(Duration.days(1)),
      target: new LambdaInvoke(props.sweeper, { retryAttempts: 2 }),
    });
  }
}
