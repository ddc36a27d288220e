import { App } from 'aws-cdk-lib';
import { stackPropsFromContext } from '#lib/stack-parameters';
import { EVERY_PARAMETER } from '#test/support/stack-parameters';

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
    const { logRetention, ...others } = EVERY_PARAMETER;
    const inCdkJson = { ...others, logRetentionDays: logRetention, alarmEmail: 'ops@example.com' };
    const onCommandLine = Object.fromEntries(
      Object.entries(inCdkJson).map(([name, value]) => [name, typeof value === 'object' ? JSON.stringify(value) : String(value)]),
    );
    const expected = { ...EVERY_PARAMETER, alarmDestination: { email: 'ops@example.com' } };
    expect(fromContext(inCdkJson)).toEqual(expected);
    expect(fromContext(onCommandLine)).toEqual(expected);
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
      architecture: 'sparc',
      dataAccessRolePrefix: 'voice-id-*',
      domainKmsKeys: '["arn:aws:kms:eu-west-1:123456789012:alias/x"]',
    });
    expect(message).toMatch(/^Stack parameters \(CDK context\) are not valid: /);
    for (const name of [
      'apiMemorySize',
      'batchJobMaxConcurrency',
      'apiReservedConcurrency',
      'logRetentionDays',
      'quotas',
      'speakerExpiryDays',
      'removalPolicy',
      'alarmTopicArn',
      'alarmEmail',
      'architecture',
      'dataAccessRolePrefix',
      'domainKmsKeys.0',
    ]) {
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
