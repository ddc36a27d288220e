import { z } from 'zod';
import {
  CUSTOM_MODEL_FORMATS,
  CUSTOM_SPEAKER_MODEL,
  type SpeakerModelSettings,
} from './biometrics/speaker-model-settings.ts';

/**
 * The only place that reads the environment. Handlers do not know whether they run in AWS or in the embedded
 * stack: only endpoints, credentials and names differ, and they all arrive here as environment variables, parsed
 * once when a handler starts. A missing or malformed setting stops the start with every problem named at once.
 */

const required = (name: string) => z.string({ error: `${name} must be set.` }).min(1, `${name} must be set.`);

/** Voice ID's default when unset; exceeding a quota is a ServiceQuotaExceededException. */
const quota = (name: string, voiceIdDefault: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return voiceIdDefault;
      const limit = Number(value);
      if (Number.isInteger(limit) && limit >= 1) return limit;
      ctx.addIssue({ code: 'custom', message: `${name} must be a positive whole number, not ${value}.` });
      return z.NEVER;
    });

const optional = z
  .string()
  .optional()
  .transform((value) => value || undefined);

/** The speaker model's settings, which the evaluation and calibration tools read too (loadSpeakerModelSettings). */
const SPEAKER_MODEL_FIELDS = {
  SPEAKER_MODEL: optional,
  SPEAKER_MODEL_DIR: optional,
  SPEAKER_MODEL_FILE: optional,
  SPEAKER_MODEL_SHA256: optional,
  SPEAKER_MODEL_FORMAT: optional,
};

const Environment = z.object({
  AWS_REGION: required('AWS_REGION'),
  VOICE_ID_ACCOUNT_ID: required('VOICE_ID_ACCOUNT_ID'),
  DOMAINS_TABLE: required('DOMAINS_TABLE'),
  WATCHLISTS_TABLE: required('WATCHLISTS_TABLE'),
  SPEAKERS_TABLE: required('SPEAKERS_TABLE'),
  FRAUDSTERS_TABLE: required('FRAUDSTERS_TABLE'),
  COUNTERS_TABLE: required('COUNTERS_TABLE'),
  IDEMPOTENCY_TABLE: required('IDEMPOTENCY_TABLE'),
  VOICEPRINTS_TABLE: required('VOICEPRINTS_TABLE'),
  SESSIONS_TABLE: required('SESSIONS_TABLE'),
  JOBS_TABLE: required('JOBS_TABLE'),
  QUOTA_DOMAINS: quota('QUOTA_DOMAINS', 3),
  QUOTA_SPEAKERS_PER_DOMAIN: quota('QUOTA_SPEAKERS_PER_DOMAIN', 100_000),
  QUOTA_WATCHLISTS_PER_DOMAIN: quota('QUOTA_WATCHLISTS_PER_DOMAIN', 3),
  QUOTA_FRAUDSTERS_PER_WATCHLIST: quota('QUOTA_FRAUDSTERS_PER_WATCHLIST', 500),
  QUOTA_SESSIONS_PER_DOMAIN: quota('QUOTA_SESSIONS_PER_DOMAIN', 50),
  QUOTA_SPEAKERS_PER_ENROLLMENT_JOB: quota('QUOTA_SPEAKERS_PER_ENROLLMENT_JOB', 10_000),
  QUOTA_FRAUDSTERS_PER_REGISTRATION_JOB: quota('QUOTA_FRAUDSTERS_PER_REGISTRATION_JOB', 500),
  // Voice ID's three years, unless a deployment's policy is shorter.
  SPEAKER_EXPIRY_DAYS: quota('SPEAKER_EXPIRY_DAYS', 3 * 365),
  BATCH_JOB_STATE_MACHINE_ARN: optional,
  REENCRYPTION_STATE_MACHINE_ARN: optional,
  DYNAMODB_ENDPOINT: optional,
  KMS_ENDPOINT: optional,
  S3_ENDPOINT: optional,
  STS_ENDPOINT: optional,
  STEP_FUNCTIONS_ENDPOINT: optional,
  TOKEN_SECRET: optional,
  TOKEN_SECRET_ARN: optional,
  ...SPEAKER_MODEL_FIELDS,
  SCORE_CALIBRATION_FILE: optional,
  AUDIT_EVENTS_FILE: optional,
  EVENT_BUS_NAME: optional,
  SPEECH_WORKERS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return 0;
      const workers = Number(value);
      if (Number.isInteger(workers) && workers >= 0) return workers;
      ctx.addIssue({ code: 'custom', message: `SPEECH_WORKERS must be a whole number (0 runs speech work in-process), not ${value}.` });
      return z.NEVER;
    }),
});

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
    voiceprints: string;
    sessions: string;
    jobs: string;
  };
  quotas: {
    domains: number;
    speakersPerDomain: number;
    watchlistsPerDomain: number;
    fraudstersPerWatchlist: number;
    /** Live sessions at once per domain. */
    sessionsPerDomain: number;
    /** Requests in one batch job's manifest. */
    speakersPerEnrollmentJob: number;
    fraudstersPerRegistrationJob: number;
  };
  /** A speaker not enrolled, re-enrolled or authenticated for this long has expired. */
  speakerExpiryMs: number;
  /** The state machine that runs batch jobs; set for the function that starts them (the API). */
  batchJobStateMachineArn?: string;
  /** The state machine that re-encrypts a domain's data under its new key; set for the function that starts it (the API). */
  reEncryptionStateMachineArn?: string;
  /** Set only in the embedded stack; in AWS the SDK's default endpoints are right. */
  endpoints: {
    dynamodb?: string;
    kms?: string;
    s3?: string;
    sts?: string;
    stepFunctions?: string;
  };
  /** Pagination tokens are sealed with a key derived from this secret: given directly, or read from Secrets Manager. */
  tokenSecret: { value: string } | { secretArn: string };
  /**
   * The speaker-embedding model: a built-in one by name (lambda/biometrics/speaker-model.ts lists them; unset means
   * the default) or an operator's own file (SPEAKER_MODEL=custom), and the directory of its file (unset means
   * model/out, where `npm install` builds the built-in ones).
   */
  speakerModel: SpeakerModelSettings;
  /** An operator's score calibration, written by `npm run calibrate`; unset means the one shipped with the model. */
  scoreCalibrationFile?: string;
  /**
   * Worker threads for speech detection and embedding; 0 runs them in the request's own thread, as Lambda should
   * (one request per sandbox). The embedded stack serves every call from one process and sets one per core.
   */
  speechWorkers: number;
  /**
   * Where audit events go: an EventBridge bus in AWS (EVENT_BUS_NAME, else the default bus, where Voice ID sent
   * its events), or a JSON-lines file (AUDIT_EVENTS_FILE, which the embedded stack sets in its data directory).
   */
  auditEvents: { eventBusName: string } | { file: string };
}

export class ConfigurationError extends Error {
  readonly name = 'ConfigurationError';
}

type SpeakerModelEnvironment = { [name in keyof typeof SPEAKER_MODEL_FIELDS]: string | undefined };

/** The settings, or the problems with them: an operator's file needs its path, its sha256 and its format. */
function speakerModelSettings(e: SpeakerModelEnvironment): { settings: SpeakerModelSettings; problems: string[] } {
  const directory = e.SPEAKER_MODEL_DIR;
  const customOnly = (['SPEAKER_MODEL_FILE', 'SPEAKER_MODEL_SHA256', 'SPEAKER_MODEL_FORMAT'] as const).filter((name) => e[name]);
  if (e.SPEAKER_MODEL !== CUSTOM_SPEAKER_MODEL) {
    const problems = customOnly.map((name) => `${name} is only used with SPEAKER_MODEL=${CUSTOM_SPEAKER_MODEL}.`);
    return { settings: { name: e.SPEAKER_MODEL, directory }, problems };
  }
  const problems: string[] = [];
  if (!e.SPEAKER_MODEL_FILE) problems.push(`SPEAKER_MODEL_FILE must name the model file when SPEAKER_MODEL is ${CUSTOM_SPEAKER_MODEL}.`);
  const sha256 = e.SPEAKER_MODEL_SHA256?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256)) problems.push(`SPEAKER_MODEL_SHA256 must be the model file's sha256 (64 hex digits), not ${e.SPEAKER_MODEL_SHA256 ?? 'unset'}.`);
  const format = CUSTOM_MODEL_FORMATS.find((known) => known === e.SPEAKER_MODEL_FORMAT);
  if (!format) problems.push(`SPEAKER_MODEL_FORMAT must be one of ${CUSTOM_MODEL_FORMATS.join(', ')}, not ${e.SPEAKER_MODEL_FORMAT ?? 'unset'}.`);
  const custom = e.SPEAKER_MODEL_FILE && format ? { file: e.SPEAKER_MODEL_FILE, sha256, format } : undefined;
  return { settings: { directory, custom }, problems };
}

/** Only the speaker model's settings, for the tools that embed speech outside the service (evaluation, calibration). */
export function loadSpeakerModelSettings(env: NodeJS.ProcessEnv = process.env): SpeakerModelSettings {
  const { settings, problems } = speakerModelSettings(z.object(SPEAKER_MODEL_FIELDS).parse(env));
  if (problems.length) throw new ConfigurationError(`The speaker model is not configured: ${problems.join(' ')}`);
  return settings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const parsed = Environment.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  if (parsed.success && !parsed.data.TOKEN_SECRET && !parsed.data.TOKEN_SECRET_ARN) {
    problems.push('TOKEN_SECRET_ARN (or TOKEN_SECRET) must be set.');
  }
  const speakerModel = parsed.success ? speakerModelSettings(parsed.data) : undefined;
  problems.push(...(speakerModel?.problems ?? []));
  if (!parsed.success || problems.length) {
    throw new ConfigurationError(`The service is not configured: ${problems.join(' ')}`);
  }
  const e = parsed.data;
  return {
    region: e.AWS_REGION,
    accountId: e.VOICE_ID_ACCOUNT_ID,
    tables: {
      domains: e.DOMAINS_TABLE,
      watchlists: e.WATCHLISTS_TABLE,
      speakers: e.SPEAKERS_TABLE,
      fraudsters: e.FRAUDSTERS_TABLE,
      counters: e.COUNTERS_TABLE,
      idempotency: e.IDEMPOTENCY_TABLE,
      voiceprints: e.VOICEPRINTS_TABLE,
      sessions: e.SESSIONS_TABLE,
      jobs: e.JOBS_TABLE,
    },
    quotas: {
      domains: e.QUOTA_DOMAINS,
      speakersPerDomain: e.QUOTA_SPEAKERS_PER_DOMAIN,
      watchlistsPerDomain: e.QUOTA_WATCHLISTS_PER_DOMAIN,
      fraudstersPerWatchlist: e.QUOTA_FRAUDSTERS_PER_WATCHLIST,
      sessionsPerDomain: e.QUOTA_SESSIONS_PER_DOMAIN,
      speakersPerEnrollmentJob: e.QUOTA_SPEAKERS_PER_ENROLLMENT_JOB,
      fraudstersPerRegistrationJob: e.QUOTA_FRAUDSTERS_PER_REGISTRATION_JOB,
    },
    speakerExpiryMs: e.SPEAKER_EXPIRY_DAYS * 24 * 3600 * 1000,
    batchJobStateMachineArn: e.BATCH_JOB_STATE_MACHINE_ARN,
    reEncryptionStateMachineArn: e.REENCRYPTION_STATE_MACHINE_ARN,
    endpoints: {
      dynamodb: e.DYNAMODB_ENDPOINT,
      kms: e.KMS_ENDPOINT,
      s3: e.S3_ENDPOINT,
      sts: e.STS_ENDPOINT,
      stepFunctions: e.STEP_FUNCTIONS_ENDPOINT,
    },
    tokenSecret: e.TOKEN_SECRET ? { value: e.TOKEN_SECRET } : { secretArn: e.TOKEN_SECRET_ARN! },
    speakerModel: speakerModel!.settings,
    scoreCalibrationFile: e.SCORE_CALIBRATION_FILE,
    speechWorkers: e.SPEECH_WORKERS,
    auditEvents: e.AUDIT_EVENTS_FILE ? { file: e.AUDIT_EVENTS_FILE } : { eventBusName: e.EVENT_BUS_NAME ?? 'default' },
  };
}
