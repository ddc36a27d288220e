import { App, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { stackPropsFromContext } from '../../lib/stack-parameters';

const fromContext = (context: Record<string, unknown>) => stackPropsFromContext(new App({ context }).node);

/** The message a refused context is answered with. */
function refusal(context: Record<string, unknown>): string {
  try {
    fromContext(context);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('The context was accepted.');
}

describe('stack parameters from CDK context', () => {
  it('leaves every default alone when nothing is given', () => {
    expect(JSON.parse(JSON.stringify(fromContext({})))).toEqual({});
  });

  it('reads text from -c and JSON from cdk.json alike', () => {
    const fromCommandLine = fromContext({
      apiMemorySize: '2048',
      batchJobWorkerMemorySize: '3008',
      expirySweeperMemorySize: '512',
      apiReservedConcurrency: '50',
      batchJobMaxConcurrency: '40',
      logRetentionDays: '90',
      quotas: '{"domains":10,"sessionsPerDomain":500}',
      speakerExpiryDays: '365',
      removalPolicy: 'destroy',
      alarmEmail: 'ops@example.com',
    });
    const fromCdkJson = fromContext({
      apiMemorySize: 2048,
      batchJobWorkerMemorySize: 3008,
      expirySweeperMemorySize: 512,
      apiReservedConcurrency: 50,
      batchJobMaxConcurrency: 40,
      logRetentionDays: 90,
      quotas: { domains: 10, sessionsPerDomain: 500 },
      speakerExpiryDays: 365,
      removalPolicy: 'destroy',
      alarmEmail: 'ops@example.com',
    });
    expect(fromCommandLine).toEqual(fromCdkJson);
    expect(fromCdkJson).toEqual({
      apiMemorySize: 2048,
      batchJobWorkerMemorySize: 3008,
      expirySweeperMemorySize: 512,
      apiReservedConcurrency: 50,
      batchJobMaxConcurrency: 40,
      logRetention: RetentionDays.THREE_MONTHS,
      quotas: { domains: 10, sessionsPerDomain: 500 },
      speakerExpiryDays: 365,
      removalPolicy: RemovalPolicy.DESTROY,
      alarmDestination: { email: 'ops@example.com' },
    });
    expect(fromContext({ alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:on-call' }).alarmDestination).toEqual({
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:on-call',
    });
  });

  it('refuses wrong values, naming every one', () => {
    const message = refusal({
      apiMemorySize: '64',
      batchJobMaxConcurrency: 'many',
      apiReservedConcurrency: '0',
      logRetentionDays: '100',
      quotas: '{"domain":10}',
      speakerExpiryDays: '2000',
      removalPolicy: 'snapshot',
      alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q',
      alarmEmail: 'not-an-address',
    });
    expect(message).toMatch(/^Stack parameters \(CDK context\) are not valid: /);
    for (const name of ['apiMemorySize', 'batchJobMaxConcurrency', 'apiReservedConcurrency', 'logRetentionDays', 'quotas', 'speakerExpiryDays', 'removalPolicy', 'alarmTopicArn', 'alarmEmail']) {
      expect(message).toContain(`${name}: `);
    }
    expect(message).toContain('must be one of CloudWatch Logs');
  });

  it('takes an alarm topic or an address, not both', () => {
    expect(() => fromContext({ alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:on-call', alarmEmail: 'ops@example.com' })).toThrow(
      'alarmEmail: give alarmTopicArn or alarmEmail, not both',
    );
  });
});
