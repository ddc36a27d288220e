/**
 * The only place that reads the environment. Handlers do not know whether they run in AWS or in the embedded
 * stack: only endpoints, credentials and names differ, and they all arrive here as environment variables.
 */

export interface ServiceConfig {
  region: string;
  accountId: string;
  tables: {
    domains: string;
    watchlists: string;
    idempotency: string;
  };
  /** Set only in the embedded stack; in AWS the SDK's default endpoints are right. */
  endpoints: {
    dynamodb?: string;
    kms?: string;
    s3?: string;
    stepFunctions?: string;
  };
  /** Pagination tokens are sealed with a key derived from this secret: given directly, or read from Secrets Manager. */
  tokenSecret: { value: string } | { secretArn: string };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`The environment variable ${name} must be set.`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return {
    region: required(env, 'AWS_REGION'),
    accountId: required(env, 'VOICE_ID_ACCOUNT_ID'),
    tables: {
      domains: required(env, 'DOMAINS_TABLE'),
      watchlists: required(env, 'WATCHLISTS_TABLE'),
      idempotency: required(env, 'IDEMPOTENCY_TABLE'),
    },
    endpoints: {
      dynamodb: env.DYNAMODB_ENDPOINT,
      kms: env.KMS_ENDPOINT,
      s3: env.S3_ENDPOINT,
      stepFunctions: env.STEPFUNCTIONS_ENDPOINT,
    },
    tokenSecret: env.TOKEN_SECRET ? { value: env.TOKEN_SECRET } : { secretArn: required(env, 'TOKEN_SECRET_ARN') },
  };
}
