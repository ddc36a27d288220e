import { z } from 'zod';
import { CUSTOM_MODEL_FORMATS, CUSTOM_SPEAKER_MODEL, type SpeakerModelSettings } from '#biometrics/speaker-model-settings';
import { ENV, VALUE_FORMS } from './environment.ts';

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

/** The same schema for every variable of a group (the tables, the endpoints). */
const each = <Names extends Record<string, string>, S>(names: Names, schema: (name: string) => S) =>
  Object.fromEntries(Object.values(names).map((name) => [name, schema(name)])) as { [K in keyof Names as Names[K]]: S };

/** The speaker model's settings, which the evaluation and calibration tools read too (loadSpeakerModelSettings). */
const SPEAKER_MODEL_FIELDS = each(ENV.speakerModel, () => optional);

const dataAccessRolePrefix = required(ENV.dataAccessRolePrefix).regex(VALUE_FORMS.dataAccessRolePrefix, {
  error: (issue) =>
    `${ENV.dataAccessRolePrefix} must be what DataAccessRoleArns start with after "role/" (a path such as voice-id/ or a name prefix such as voice-id-; letters, digits and +=,.@_-/, no wildcards), not ${String(issue.input)}.`,
});

/** Comma-separated; unset or empty allows any key the service may use. */
const domainKmsKeys = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const entries = (value ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries.filter((entry) => !VALUE_FORMS.domainKmsKey.test(entry))) {
      ctx.addIssue({
        code: 'custom',
        message: `${ENV.domainKmsKeys} must list key ARNs or aliases (alias/name, or alias/prefix* for every alias it begins), separated by commas; ${entry} is neither.`,
      });
    }
    return entries;
  });

const Environment = z.object({
  [ENV.region]: required(ENV.region),
  [ENV.accountId]: required(ENV.accountId),
  ...each(ENV.tables, required),
  [ENV.quotas.domains]: quota(ENV.quotas.domains, 3),
  [ENV.quotas.speakersPerDomain]: quota(ENV.quotas.speakersPerDomain, 100_000),
  [ENV.quotas.watchlistsPerDomain]: quota(ENV.quotas.watchlistsPerDomain, 3),
  [ENV.quotas.fraudstersPerWatchlist]: quota(ENV.quotas.fraudstersPerWatchlist, 500),
  [ENV.quotas.sessionsPerDomain]: quota(ENV.quotas.sessionsPerDomain, 50),
  [ENV.quotas.speakersPerEnrollmentJob]: quota(ENV.quotas.speakersPerEnrollmentJob, 10_000),
  [ENV.quotas.fraudstersPerRegistrationJob]: quota(ENV.quotas.fraudstersPerRegistrationJob, 500),
  // Voice ID's three years, unless a deployment's policy is shorter.
  [ENV.speakerExpiryDays]: quota(ENV.speakerExpiryDays, 3 * 365),
  [ENV.dataAccessRolePrefix]: dataAccessRolePrefix,
  [ENV.domainKmsKeys]: domainKmsKeys,
  ...each(ENV.stateMachines, () => optional),
  ...each(ENV.endpoints, () => optional),
  [ENV.tokenSecret]: optional,
  [ENV.tokenSecretArn]: optional,
  ...SPEAKER_MODEL_FIELDS,
  [ENV.scoreCalibrationFile]: optional,
  [ENV.auditEventsFile]: optional,
  [ENV.eventBusName]: optional,
  [ENV.speechWorkers]: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return 0;
      const workers = Number(value);
      if (Number.isInteger(workers) && workers >= 0) return workers;
      ctx.addIssue({
        code: 'custom',
        message: `${ENV.speechWorkers} must be a whole number (0 runs speech work in-process), not ${value}.`,
      });
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
  /**
   * What a batch job's DataAccessRoleArn must start with after `role/` (a path, a name prefix): the bound of the
   * worker's sts:AssumeRole policy, checked before a job is accepted and again before its role is assumed.
   */
  dataAccessRolePrefix: string;
  /** The KMS keys domains may be given (key ARNs; aliases, `*` ending a prefix); empty allows any the service may use. */
  domainKmsKeys: string[];
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
  const { name, directory, file, sha256: digest, format: formatName } = ENV.speakerModel;
  const customOnly = [file, digest, formatName].filter((variable) => e[variable]);
  if (e[name] !== CUSTOM_SPEAKER_MODEL) {
    const problems = customOnly.map((variable) => `${variable} is only used with ${name}=${CUSTOM_SPEAKER_MODEL}.`);
    return { settings: { name: e[name], directory: e[directory] }, problems };
  }
  const problems: string[] = [];
  if (!e[file]) problems.push(`${file} must name the model file when ${name} is ${CUSTOM_SPEAKER_MODEL}.`);
  const sha256 = e[digest]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256))
    problems.push(`${digest} must be the model file's sha256 (64 hex digits), not ${e[digest] ?? 'unset'}.`);
  const format = CUSTOM_MODEL_FORMATS.find((known) => known === e[formatName]);
  if (!format) problems.push(`${formatName} must be one of ${CUSTOM_MODEL_FORMATS.join(', ')}, not ${e[formatName] ?? 'unset'}.`);
  const custom = e[file] && format ? { file: e[file], sha256, format } : undefined;
  return { settings: { directory: e[directory], custom }, problems };
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
  if (parsed.success && !parsed.data[ENV.tokenSecret] && !parsed.data[ENV.tokenSecretArn]) {
    problems.push(`${ENV.tokenSecretArn} (or ${ENV.tokenSecret}) must be set.`);
  }
  const speakerModel = parsed.success ? speakerModelSettings(parsed.data) : undefined;
  problems.push(...(speakerModel?.problems ?? []));
  if (!parsed.success || problems.length) {
    throw new ConfigurationError(`The service is not configured: ${problems.join(' ')}`);
  }
  const e = parsed.data;
  const { [ENV.tokenSecret]: tokenSecret, [ENV.auditEventsFile]: auditEventsFile } = e;
  /** The values of a group of variables, under the group's own keys. */
  const values = <Names extends Record<string, keyof typeof e>>(names: Names) =>
    Object.fromEntries(Object.entries(names).map(([key, name]) => [key, e[name]])) as { [K in keyof Names]: (typeof e)[Names[K]] };
  return {
    region: e[ENV.region],
    accountId: e[ENV.accountId],
    tables: values(ENV.tables),
    quotas: values(ENV.quotas),
    speakerExpiryMs: e[ENV.speakerExpiryDays] * 24 * 3600 * 1000,
    dataAccessRolePrefix: e[ENV.dataAccessRolePrefix],
    domainKmsKeys: e[ENV.domainKmsKeys],
    batchJobStateMachineArn: e[ENV.stateMachines.batchJobs],
    reEncryptionStateMachineArn: e[ENV.stateMachines.reEncryption],
    endpoints: values(ENV.endpoints),
    tokenSecret: tokenSecret ? { value: tokenSecret } : { secretArn: e[ENV.tokenSecretArn]! },
    speakerModel: speakerModel!.settings,
    scoreCalibrationFile: e[ENV.scoreCalibrationFile],
    speechWorkers: e[ENV.speechWorkers],
    auditEvents: auditEventsFile ? { file: auditEventsFile } : { eventBusName: e[ENV.eventBusName] ?? 'default' },
  };
}
