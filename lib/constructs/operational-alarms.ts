import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type IMetric, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Where alarms are sent: an existing SNS topic, or a new one that mails an address. Neither: alarms only show in CloudWatch. */
export type AlarmDestination = { topicArn: string } | { email: string };

export interface OperationalAlarmsProps {
  /** Each function by the name its alarms carry. */
  functions: Record<string, IFunction>;
  stateMachines: Record<string, IStateMachine>;
  api: RestApi;
  /** The expiry schedule's dead letters. */
  deadLetterQueue: IQueue;
  destination?: AlarmDestination;
  /** A new topic's key follows the stack's choice. */
  removalPolicy: RemovalPolicy;
}

/**
 * The alarms an operator expects, each raised by a single event in five minutes: nothing here is expected to fail
 * in normal running (the API answers callers' mistakes with 4XX, and the functions catch what a request did wrong),
 * so one fault is worth a look. Missing data (no traffic) is not a breach.
 */
export class OperationalAlarms extends Construct {
  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const topic = props.destination && alarmTopic(this, props.destination, props.removalPolicy);
    const period = Duration.minutes(5);
    const alarm = (name: string, description: string, metric: IMetric) => {
      const raised = new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (topic) raised.addAlarmAction(new SnsAction(topic));
    };

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, `${name} failed an invocation (an uncaught fault or a timeout).`, fn.metricErrors({ period }));
      // The account's (or the reserved) concurrency is spent: API requests are refused, worker tasks wait.
      alarm(`${name}Throttles`, `${name} was throttled: its concurrency is spent.`, fn.metricThrottles({ period }));
    }
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}ExecutionsNotSucceeded`,
        `A ${name} execution failed, timed out or was aborted.`,
        new MathExpression({
          expression: 'failed + timedOut + aborted',
          usingMetrics: {
            failed: machine.metricFailed({ period }),
            timedOut: machine.metricTimedOut({ period }),
            aborted: machine.metricAborted({ period }),
          },
          period,
        }),
      );
    }
    alarm(
      'Api5XX',
      'API Gateway answered 5XX: an internal error, or the API function failed or timed out.',
      props.api.deploymentStage.metricServerError({ period }),
    );
    alarm(
      'ExpirySweepDeadLetters',
      'A daily expiry sweep could not be handed to the sweeper: see the dead-letter queue.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period }),
    );
  }
}

/**
 * A new topic is encrypted with its own key, which CloudWatch may use to publish: the AWS-managed SNS key admits
 * no such grant, and the service's data key is not to be shared with alarms.
 */
function alarmTopic(scope: Construct, destination: AlarmDestination, removalPolicy: RemovalPolicy): ITopic {
  if ('topicArn' in destination) return Topic.fromTopicArn(scope, 'Topic', destination.topicArn);
  const key = new Key(scope, 'TopicKey', { description: 'Encrypts the Voice ID alarm topic', enableKeyRotation: true, removalPolicy });
  key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
  const topic = new Topic(scope, 'Topic', { displayName: 'Voice ID alarms', masterKey: key, enforceSSL: true });
  topic.addSubscription(new EmailSubscription(destination.email));
  return topic;
}
