import { RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * What the deployment keeps, and for how long: one value handed to every construct that stores something, so a
 * throwaway stack opts into deletion in one place and nothing is left behind on its own default.
 */
export interface DataRetention {
  /** RETAIN (the default) keeps tables, keys, the secret and logs on `cdk destroy`; DESTROY deletes them. */
  removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  logRetention: RetentionDays;
}

/** A log group that keeps its events as long as `retention` says, and outlives the stack unless told otherwise. */
export function retainedLogGroup(scope: Construct, id: string, retention: DataRetention): LogGroup {
  return new LogGroup(scope, id, { retention: retention.logRetention, removalPolicy: retention.removalPolicy });
}

/** Whether `cdk destroy` may delete the stack's data: DynamoDB's own guard follows the same choice. */
export const deletionProtected = (retention: DataRetention) => retention.removalPolicy === RemovalPolicy.RETAIN;
