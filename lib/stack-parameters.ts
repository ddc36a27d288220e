import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import { VALUE_FORMS } from '#environment';
import type { ServiceQuotas, VoiceIdStackProps } from './voice-id-stack.ts';

/**
 * The stack's parameters as CDK context (cdk.json's "context", or `cdk deploy -c name=value`), checked before
 * anything is synthesized: a wrong value stops `cdk synth`/`deploy` with every problem named, rather than reaching
 * CloudFormation halfway through a deployment. Values from `-c` arrive as text, from cdk.json as JSON.
 */

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();

const RETENTION_DAYS = Object.values(RetentionDays).filter((days): days is number => typeof days === 'number');

const QUOTAS = z.strictObject({
  domains: whole(1, 1_000_000),
  speakersPerDomain: whole(1, 100_000_000),
  watchlistsPerDomain: whole(1, 1_000_000),
  fraudstersPerWatchlist: whole(1, 1_000_000),
  sessionsPerDomain: whole(1, 1_000_000),
  speakersPerEnrollmentJob: whole(1, 1_000_000),
  fraudstersPerRegistrationJob: whole(1, 1_000_000),
} satisfies Record<keyof ServiceQuotas, unknown>);

/** `-c quotas='{"domains":10}'` gives text; cdk.json an object. Text that is not JSON is left to fail as "not an object". */
const fromJsonText = (value: unknown) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const StackContext = z
  .object({
    // Lambda's limits on memory.
    apiMemorySize: whole(128, 10_240),
    batchJobWorkerMemorySize: whole(128, 10_240),
    expirySweeperMemorySize: whole(128, 10_240),
    apiReservedConcurrency: whole(1, 100_000),
    // A Distributed Map runs at most 10,000 child executions at once.
    batchJobMaxConcurrency: whole(1, 10_000),
    logRetentionDays: z.coerce
      .number()
      .refine((days) => RETENTION_DAYS.includes(days), {
        error: `must be one of CloudWatch Logs' retention periods: ${RETENTION_DAYS.join(', ')} (9999: never expire)`,
      })
      .optional(),
    quotas: z.preprocess(fromJsonText, QUOTAS.optional()),
    // Voice ID's own three years at most.
    speakerExpiryDays: whole(1, 3 * 365),
    removalPolicy: z.enum([RemovalPolicy.RETAIN, RemovalPolicy.DESTROY]).optional(),
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, { error: 'must be an SNS topic ARN' })
      .optional(),
    alarmEmail: z.email().optional(),
    // x86_64 for a region or account without Graviton Lambda.
    architecture: z.enum(['arm64', 'x86_64']).optional(),
    // A path, checked by the stack with the functions' own reader.
    scoreCalibrationFile: z.string().min(1).optional(),
    // The functions check the same forms at their start (lambda/config.ts).
    dataAccessRolePrefix: z
      .string()
      .regex(VALUE_FORMS.dataAccessRolePrefix, {
        error:
          'must be what DataAccessRoleArns start with after "role/": a path (voice-id/) or a name prefix (voice-id-), without wildcards',
      })
      .optional(),
    domainKmsKeys: z.preprocess(
      fromJsonText,
      z
        .array(z.string().regex(VALUE_FORMS.domainKmsKey, { error: 'must be a KMS key ARN or an alias (alias/name, or alias/prefix*)' }))
        .min(1, { error: 'must list at least one key; leave it out to allow any key' })
        .optional(),
    ),
  })
  .refine((context) => !(context.alarmTopicArn && context.alarmEmail), {
    error: 'give alarmTopicArn or alarmEmail, not both',
    path: ['alarmEmail'],
  });

export type StackContext = z.infer<typeof StackContext>;

/** The names the context may give, as the README documents them. */
export const STACK_PARAMETERS = Object.keys(StackContext.shape);

export class StackParameterError extends Error {
  readonly name = 'StackParameterError';
}

/** The stack's props from `node`'s context; the defaults (VoiceIdStackProps) for what it does not give. */
export function stackPropsFromContext(node: Node): VoiceIdStackProps {
  const given = Object.fromEntries(STACK_PARAMETERS.map((name) => [name, node.tryGetContext(name) as unknown]));
  const parsed = StackContext.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new StackParameterError(`Stack parameters (CDK context) are not valid: ${problems.join('; ')}.`);
  }
  const { logRetentionDays, alarmTopicArn, alarmEmail, ...props } = parsed.data;
  return {
    ...props,
    logRetention: logRetentionDays,
    alarmDestination: alarmTopicArn ? { topicArn: alarmTopicArn } : alarmEmail ? { email: alarmEmail } : undefined,
  };
}
