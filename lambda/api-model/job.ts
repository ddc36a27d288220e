import { z } from 'zod';
import { toEpochSeconds } from './domain.ts';
import { clientToken, kmsKeyId, maxResults, nextToken, resourceId, resourceName, threshold } from './validation.ts';

/**
 * Batch jobs: StartSpeakerEnrollmentJob and StartFraudsterRegistrationJob, their records, the manifest files they
 * read and the output files they write (../shared/docs/voice-id-reference.md, "Batch job files").
 */

export type JobType = 'SPEAKER_ENROLLMENT' | 'FRAUDSTER_REGISTRATION';

export type JobStatus = 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED';

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['SUBMITTED', 'IN_PROGRESS'];

export interface EnrollmentConfig {
  ExistingEnrollmentAction: 'SKIP' | 'OVERWRITE';
  FraudDetectionConfig: { FraudDetectionAction: 'FAIL' | 'IGNORE'; RiskThreshold: number; WatchlistIds: string[] };
}

export interface RegistrationConfig {
  DuplicateRegistrationAction: 'SKIP' | 'REGISTER_AS_NEW';
  FraudsterSimilarityThreshold: number;
  WatchlistIds: string[];
}

export interface JobRecord {
  domainId: string;
  jobId: string;
  jobType: JobType;
  jobName?: string;
  status: JobStatus;
  dataAccessRoleArn: string;
  inputS3Uri: string;
  outputS3Uri: string;
  outputKmsKeyId?: string;
  /** SPEAKER_ENROLLMENT jobs only. */
  enrollmentConfig?: EnrollmentConfig;
  /** FRAUDSTER_REGISTRATION jobs only. */
  registrationConfig?: RegistrationConfig;
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
  /** Requests in the manifest (known once it is read) and requests finished, for JobProgress. */
  requestCount?: number;
  finishedCount?: number;
  failure?: { statusCode: number; message: string };
}

/** What the state machine is given: enough to find the job, never its data (execution histories keep input). */
export interface JobReference {
  domainId: string;
  jobId: string;
  jobType: JobType;
}

export const isActive = (job: JobRecord) => ACTIVE_JOB_STATUSES.includes(job.status);

/** The SpeakerEnrollmentJobSummary / FraudsterRegistrationJobSummary shape of the List operations. */
export function presentJobSummary(job: JobRecord) {
  const percent = job.requestCount ? Math.floor((100 * (job.finishedCount ?? 0)) / job.requestCount) : 0;
  return {
    DomainId: job.domainId,
    JobId: job.jobId,
    JobName: job.jobName,
    JobStatus: job.status,
    CreatedAt: toEpochSeconds(job.createdAt),
    EndedAt: job.endedAt === undefined ? undefined : toEpochSeconds(job.endedAt),
    JobProgress: { PercentComplete: isActive(job) ? Math.min(percent, 99) : 100 },
    FailureDetails: job.failure && { StatusCode: job.failure.statusCode, Message: job.failure.message },
  };
}

function presentJob(job: JobRecord) {
  return {
    ...presentJobSummary(job),
    DataAccessRoleArn: job.dataAccessRoleArn,
    InputDataConfig: { S3Uri: job.inputS3Uri },
    OutputDataConfig: { S3Uri: job.outputS3Uri, KmsKeyId: job.outputKmsKeyId },
  };
}

/** The SpeakerEnrollmentJob / FraudsterRegistrationJob shape of Describe and Start. */
export function presentFullJob(job: JobRecord) {
  return job.jobType === 'SPEAKER_ENROLLMENT'
    ? { ...presentJob(job), EnrollmentConfig: job.enrollmentConfig }
    : { ...presentJob(job), RegistrationConfig: job.registrationConfig };
}

// --- Requests --------------------------------------------------------------------------------------------------

const s3Uri = (member: string) =>
  z
    .string({ error: `${member} is required and must be a string.` })
    .max(1024, `${member} must be at most 1024 characters long.`)
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, `${member} must be an S3 URI: s3://<bucket>/<key>.`);

/** `s3://bucket/key` as bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, key: '' } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

export const dataAccessRoleArn = z
  .string({ error: 'DataAccessRoleArn is required and must be a string.' })
  .min(20, 'DataAccessRoleArn must be at least 20 characters long.')
  .max(2048, 'DataAccessRoleArn must be at most 2048 characters long.')
  .regex(
    /^arn:aws(-[^:]+)?:iam::[0-9]{12}:role\/.+$/,
    'DataAccessRoleArn must be the ARN of an IAM role (arn:aws:iam::<account>:role/<name>).',
  );

const watchlistIds = z
  .array(resourceId('WatchlistId'), { error: 'WatchlistIds must be a list of WatchlistIds.' })
  .length(1, 'WatchlistIds must name exactly one watchlist.')
  .optional();

/** The members both Start operations take. */
export const startJobInput = z.object({
  DomainId: resourceId('DomainId'),
  ClientToken: clientToken.optional(),
  JobName: resourceName('JobName').optional(),
  DataAccessRoleArn: dataAccessRoleArn,
  InputDataConfig: z.object({ S3Uri: s3Uri('InputDataConfig.S3Uri') }, { error: 'InputDataConfig is required: {"S3Uri": "s3://..."}.' }),
  OutputDataConfig: z.object(
    { S3Uri: s3Uri('OutputDataConfig.S3Uri'), KmsKeyId: kmsKeyId.optional() },
    { error: 'OutputDataConfig is required: {"S3Uri": "s3://...", "KmsKeyId": "..."}.' },
  ),
});

export const enrollmentConfigInput = z
  .object({
    ExistingEnrollmentAction: z.enum(['SKIP', 'OVERWRITE'], { error: 'ExistingEnrollmentAction must be SKIP or OVERWRITE.' }).optional(),
    FraudDetectionConfig: z
      .object({
        FraudDetectionAction: z.enum(['FAIL', 'IGNORE'], { error: 'FraudDetectionAction must be FAIL or IGNORE.' }).optional(),
        RiskThreshold: threshold('RiskThreshold').optional(),
        WatchlistIds: watchlistIds,
      })
      .optional(),
  })
  .optional();

export const registrationConfigInput = z
  .object({
    DuplicateRegistrationAction: z
      .enum(['SKIP', 'REGISTER_AS_NEW'], { error: 'DuplicateRegistrationAction must be SKIP or REGISTER_AS_NEW.' })
      .optional(),
    FraudsterSimilarityThreshold: threshold('FraudsterSimilarityThreshold').optional(),
    WatchlistIds: watchlistIds,
  })
  .optional();

/** The members of the List operations. */
export const listJobsInput = z.object({
  DomainId: resourceId('DomainId'),
  JobStatus: z
    .enum(['SUBMITTED', 'IN_PROGRESS', 'COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'], {
      error: 'JobStatus must be SUBMITTED, IN_PROGRESS, COMPLETED, COMPLETED_WITH_ERRORS or FAILED.',
    })
    .optional(),
  MaxResults: maxResults(100).optional(),
  NextToken: nextToken.optional(),
});

export const describeJobInput = z.object({ DomainId: resourceId('DomainId'), JobId: resourceId('JobId') });

// --- Manifest and output files ---------------------------------------------------------------------------------

/** Voice ID's limit of audio files per request. */
export const MAX_AUDIO_FILES_PER_REQUEST = 10;

const requestId = z
  .string({ error: 'RequestId is required and must be a string.' })
  .min(1, 'RequestId must not be empty.')
  .max(256, 'RequestId must be at most 256 characters long.');

const audioSpecifications = z
  .array(
    z.object({
      S3Uri: s3Uri('AudioSpecifications[].S3Uri'),
      ChannelId: z.union([z.literal(0), z.literal(1)], { error: 'ChannelId must be 0 or 1.' }).optional(),
    }),
    { error: 'AudioSpecifications is required: a list of {"S3Uri", "ChannelId"}.' },
  )
  .min(1, 'AudioSpecifications must name at least one audio file.')
  .max(MAX_AUDIO_FILES_PER_REQUEST, `AudioSpecifications may name at most ${MAX_AUDIO_FILES_PER_REQUEST} audio files.`);

export type AudioSpecification = z.output<typeof audioSpecifications>[number];

/**
 * One request of a manifest as the job keeps it. A request that does not parse is kept too, with its problem, so
 * that the output reports it (error 400) rather than the whole job failing over one bad line.
 */
export interface ManifestRequest {
  RequestId: string;
  SpeakerId?: string;
  AudioSpecifications: AudioSpecification[];
  problem?: string;
}

const manifestShape = (jobType: JobType) =>
  z.object(
    {
      Version: z.literal('1.0', { error: 'The manifest\'s Version must be "1.0".' }),
      [jobType === 'SPEAKER_ENROLLMENT' ? 'SpeakerEnrollmentRequests' : 'FraudsterRegistrationRequests']: z.array(z.unknown(), {
        error: `The manifest must hold a list named ${jobType === 'SPEAKER_ENROLLMENT' ? 'SpeakerEnrollmentRequests' : 'FraudsterRegistrationRequests'}.`,
      }),
    },
    { error: 'The manifest must be a JSON object.' },
  );

const speakerRequest = z.object({
  RequestId: requestId,
  SpeakerId: z
    .string({ error: 'SpeakerId is required and must be a string.' })
    .min(1, 'SpeakerId must not be empty.')
    .max(256, 'SpeakerId must be at most 256 characters long.')
    .regex(
      /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
      'SpeakerId must be a CustomerSpeakerId: letters, digits, _ and -, starting with a letter or digit.',
    ),
  AudioSpecifications: audioSpecifications,
});
const fraudsterRequest = z.object({ RequestId: requestId, AudioSpecifications: audioSpecifications });

export class ManifestError extends Error {
  readonly name = 'ManifestError';
}

/**
 * The requests of a manifest file. A file that is not a manifest, a RequestId used twice, or more requests than
 * `limit` fail the job (ManifestError); a request that is itself malformed becomes an entry error.
 */
export function parseManifest(text: string, jobType: JobType, limit: number): ManifestRequest[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ManifestError('The input file is not valid JSON. Give a Voice ID manifest: {"Version": "1.0", ...}.');
  }
  const shape = manifestShape(jobType).safeParse(json);
  if (!shape.success) throw new ManifestError(shape.error.issues[0].message);
  const listName = jobType === 'SPEAKER_ENROLLMENT' ? 'SpeakerEnrollmentRequests' : 'FraudsterRegistrationRequests';
  const entries = (shape.data as Record<string, unknown[]>)[listName];
  if (entries.length === 0) throw new ManifestError(`The manifest's ${listName} is empty: there is nothing to do.`);
  if (entries.length > limit) {
    throw new ManifestError(`The manifest holds ${entries.length} requests; a job takes at most ${limit}. Split it into several jobs.`);
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const id = (entry as { RequestId?: unknown } | null)?.RequestId;
    const RequestId = typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : `#${index}`;
    if (seen.has(RequestId)) {
      throw new ManifestError(`The RequestId ${RequestId} appears more than once in the manifest; each request needs its own.`);
    }
    seen.add(RequestId);
    const parsed = (jobType === 'SPEAKER_ENROLLMENT' ? speakerRequest : fraudsterRequest).safeParse(entry);
    if (!parsed.success) return { RequestId, AudioSpecifications: [], problem: parsed.error.issues[0].message };
    return parsed.data;
  });
}

/** Voice ID's ErrorCode of an output entry: bad request (and too little speech, a failed fraud check), quota, conflict, fault. */
export type EntryErrorCode = 400 | 402 | 409 | 500;

/** What became of one request: one entry of the output file. */
export type EntryResult =
  | { kind: 'error'; ErrorCode: EntryErrorCode; ErrorMessage: string }
  | {
      kind: 'enrollment';
      GeneratedSpeakerId: string;
      CustomerSpeakerId: string;
      EnrollmentStatus: 'DUPLICATE_SKIPPED' | 'NEW_ENROLLMENT' | 'ENROLLMENT_OVERWRITE';
    }
  | {
      kind: 'registration';
      GeneratedFraudsterId: string;
      RegistrationStatus: 'DUPLICATE_SKIPPED' | 'NEW_REGISTRATION';
      FraudsterSimilarityScore?: number;
    };

/** The output file, exactly as Voice ID wrote it. */
export function outputFile(jobType: JobType, results: { requestId: string; result: EntryResult }[]) {
  const Errors = results.flatMap(({ requestId, result }) =>
    result.kind === 'error' ? [{ RequestId: requestId, ErrorCode: result.ErrorCode, ErrorMessage: result.ErrorMessage }] : [],
  );
  const successes = results.flatMap(({ requestId, result }) => {
    if (result.kind === 'error') return [];
    const { kind: _kind, ...members } = result;
    return [{ RequestId: requestId, ...members }];
  });
  return jobType === 'SPEAKER_ENROLLMENT'
    ? { Version: '1.0', Errors, SuccessfulEnrollments: successes }
    : { Version: '1.0', Errors, SuccessfulRegistrations: successes };
}

/** `<output S3Uri>/<JobId>/<input file name>.out`, as Voice ID named it. */
export function outputLocation(job: JobRecord): { bucket: string; key: string } {
  const { bucket, key } = parseS3Uri(job.outputS3Uri);
  const inputName = parseS3Uri(job.inputS3Uri).key.split('/').pop() || 'input';
  const prefix = key.replace(/\/+$/, '');
  return { bucket, key: `${prefix ? `${prefix}/` : ''}${job.jobId}/${inputName}.out` };
}
