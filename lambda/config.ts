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
    speakers: string;
    fraudsters: string;
    counters: string;
    idempotency: string;
  };
  /** Voice ID's default quotas unless configured; exceeding one is a ServiceQuotaExceededException. */
  quotas: {
    domains: number;
    speakersPerDomain: number;
    watchlistsPerDomain: number;
    fraudstersPerWatchlist: number;
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

function quota(env: NodeJS.ProcessEnv, name: string, voiceIdDefault: number): number {
  const value = env[name];
  if (value === undefined || value === '') return voiceIdDefault;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`${name} must be a positive whole number, not ${value}.`);
  return limit;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return {
    region: required(env, 'AWS_REGION'),
    accountId: required(env, 'VOICE_ID_ACCOUNT_ID'),
    tables: {
      domains: required(env, 'DOMAINS_TABLE'),
      watchlists: required(env, 'WATCHLISTS_TABLE'),
      speakers: required(env, 'SPEAKERS_TABLE'),
      fraudsters: required(env, 'FRAUDSTERS_TABLE'),
      counters: required(env, 'COUNTERS_TABLE'),
      idempotency: required(env, 'IDEMPOTENCY_TABLE'),
    },
    quotas: {
      domains: quota(env, 'QUOTA_DOMAINS', 3),
      speakersPerDomain: quota(env, 'QUOTA_SPEAKERS_PER_DOMAIN', 100_000),
      watchlistsPerDomain: quota(env, 'QUOTA_WATCHLISTS_PER_DOMAIN', 3),
      fraudstersPerWatchlist: quota(env, 'QUOTA_FRAUDSTERS_PER_WATCHLIST', 500),
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

/** The speaker-embedding model a deployment uses (lambda/biometrics/speaker-model.ts lists the known ones). */
export function speakerModelName(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SPEAKER_MODEL || undefined;
}
