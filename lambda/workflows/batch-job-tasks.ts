import { jobEndedRecord } from '#api-model/audit-event';
import { type DomainRecord, domainArn } from '#api-model/domain';
import { ConflictException, ResourceNotFoundException, ServiceQuotaExceededException, ValidationException } from '#api-model/errors';
import {
  type EntryErrorCode,
  type EntryResult,
  isActive,
  type JobRecord,
  type JobReference,
  type JobStatus,
  ManifestError,
  outputFile,
  outputLocation,
  parseManifest,
  parseS3Uri,
  presentFullJob,
} from '#api-model/job';
import { AudioFormatError } from '#biometrics/errors';
import { newSpeechStream, readSpeechStream } from '#biometrics/speech-stream';
import { ENROLLMENT_SPEECH_SECONDS, type Voiceprint } from '#biometrics/voiceprint';
import { decodeWav, MAX_WAV_BYTES } from '#biometrics/wav';
import type { Needs } from '#context';
import { logger } from '#observability';
import { EntryAlreadyDone, type JobBucket, type JobEntry, JobFileError } from '#ports/jobs';
import { publishAuditRecord } from '#rules/audit';
import { dataAccessRoleRefusal } from '#rules/data-access-role';
import { enrollSpeaker, registerFraudster, screenAgainstWatchlist } from '#rules/enrollment';

/**
 * The work of a batch job, one task per state of the batch job state machine (lib/constructs/batch-jobs.ts):
 *   prepare -> process-batch (one per batch, in parallel) -> finish, and fail when any of them gives up.
 * Every task is safe to run again: a request's result is written in the same transaction as its enrollment or
 * registration, and a request that has a result is never processed again.
 */

/** Requests per task of the fan-out: about a minute of work per invocation in Lambda. */
export const BATCH_SIZE = 10;

/** Manifests are JSON of at most 10,000 requests; this leaves room for long URIs. */
const MAX_MANIFEST_BYTES = 20 * 1024 * 1024;

/** A request that cannot succeed, with the ErrorCode and message its output entry carries. */
class EntryError extends Error {
  readonly name = 'EntryError';
  constructor(
    readonly code: EntryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const batchNumbers = (requests: number) => Array.from({ length: Math.ceil(requests / BATCH_SIZE) }, (_, i) => i);

async function openJob(ctx: Needs<'jobs'>, ref: JobReference): Promise<JobRecord> {
  return ctx.jobs.require(ref.domainId, ref.jobType, ref.jobId);
}

/** Ends the job and, when this call ended it (a repeated task does not), publishes its audit event. */
async function endJob(
  ctx: Needs<'accountId' | 'auditEvents' | 'jobs' | 'now' | 'region'>,
  job: JobRecord,
  status: JobStatus,
  failure?: JobRecord['failure'],
): Promise<void> {
  const endedAt = ctx.now();
  if (!(await ctx.jobs.end(job, status, endedAt, failure))) return;
  const ended = presentFullJob({ ...job, status, endedAt, failure });
  await publishAuditRecord(ctx, jobEndedRecord(job.jobType, job.domainId, ended));
}

/**
 * The customer's buckets as the job's role sees them. The role is checked against the deployment's bound again
 * before it is assumed: the bound may have narrowed since the job was accepted, and the worker's IAM policy is
 * not the only guard (a policy widened by hand, the embedded stack's STS, which has no policies).
 */
async function jobBucket(ctx: Needs<'accountId' | 'dataAccessRolePrefix' | 'jobFiles' | 'region'>, job: JobRecord) {
  const refusal = dataAccessRoleRefusal(ctx, job.dataAccessRoleArn);
  if (refusal) throw new JobFileError('ROLE', refusal);
  return ctx.jobFiles.as(job.dataAccessRoleArn, domainArn(ctx.region, ctx.accountId, job.domainId), job.jobId);
}

/**
 * Reads and checks the manifest under the job's role and stores its requests. A manifest that cannot be read or is
 * not one fails the job (FailureDetails say why) and writes nothing else. Returns the batches to fan out; a job
 * already under way (a resumed execution) keeps the requests it stored.
 */
export async function prepareJob(
  ctx: Needs<'accountId' | 'auditEvents' | 'dataAccessRolePrefix' | 'jobFiles' | 'jobs' | 'now' | 'quotas' | 'region'>,
  ref: JobReference,
): Promise<{ batches: number[] }> {
  const job = await openJob(ctx, ref);
  if (job.status === 'IN_PROGRESS') return { batches: batchNumbers(job.requestCount ?? 0) };
  if (job.status !== 'SUBMITTED') return { batches: [] };
  try {
    const bucket = await jobBucket(ctx, job);
    const { bucket: name, key } = parseS3Uri(job.inputS3Uri);
    const text = new TextDecoder().decode(await bucket.read(name, key, MAX_MANIFEST_BYTES));
    const limit = job.jobType === 'SPEAKER_ENROLLMENT' ? ctx.quotas.speakersPerEnrollmentJob : ctx.quotas.fraudstersPerRegistrationJob;
    const requests = parseManifest(text, job.jobType, limit);
    await ctx.jobs.start(job, requests, BATCH_SIZE, ctx.now());
    return { batches: batchNumbers(requests.length) };
  } catch (error) {
    if (!(error instanceof ManifestError) && !(error instanceof JobFileError)) throw error;
    const where = error instanceof ManifestError ? `The input file ${job.inputS3Uri} is not a usable manifest: ` : '';
    await endJob(ctx, job, 'FAILED', { statusCode: 400, message: `${where}${error.message}` });
    return { batches: [] };
  }
}

/**
 * Processes the requests of one batch that have no result yet. A request that cannot succeed gets its error
 * entry and the others go on; an unexpected fault on one request is thrown after the rest of the batch is done,
 * so that the state machine retries the batch, which then takes up only what is still open.
 */
export async function processBatch(
  ctx: Needs<
    | 'accountId'
    | 'dataAccessRolePrefix'
    | 'domains'
    | 'fraudsters'
    | 'jobFiles'
    | 'jobs'
    | 'now'
    | 'quotas'
    | 'region'
    | 'scoring'
    | 'speakerExpiryMs'
    | 'speakers'
    | 'speech'
    | 'voiceprints'
  >,
  ref: JobReference,
  batch: number,
): Promise<{ processed: number }> {
  const job = await openJob(ctx, ref);
  if (!isActive(job)) return { processed: 0 };
  const domain = await ctx.domains.require(job.domainId);
  const entries = await ctx.jobs.batch(job, batch);
  const bucket = await jobBucket(ctx, job);
  let fault: Error | undefined;
  for (const entry of entries.filter((e) => !e.result)) {
    try {
      await processEntry(ctx, domain, job, bucket, entry);
    } catch (error) {
      if (error instanceof EntryAlreadyDone) continue;
      const known = entryError(error);
      if (known) {
        await ctx.jobs.finishEntry(job, entry, { kind: 'error', ErrorCode: known.code, ErrorMessage: known.message });
      } else {
        logger.error('A batch job request failed; the batch will be retried', { jobId: job.jobId, requestIndex: entry.index, error });
        fault ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  }
  if (fault) throw fault;
  await ctx.jobs.countBatch(job, batch, entries.length);
  return { processed: entries.length };
}

async function processEntry(
  ctx: Needs<'fraudsters' | 'jobs' | 'now' | 'quotas' | 'scoring' | 'speakerExpiryMs' | 'speakers' | 'speech' | 'voiceprints'>,
  domain: DomainRecord,
  job: JobRecord,
  bucket: JobBucket,
  entry: JobEntry,
): Promise<void> {
  if (entry.request.problem) throw new EntryError(400, entry.request.problem);
  const done = (result: EntryResult) => ctx.jobs.entryDone(job, entry, result);
  if (job.enrollmentConfig) {
    const config = job.enrollmentConfig;
    const fraudCheck = config.FraudDetectionConfig;
    const { speaker, status } = await enrollSpeaker(ctx, domain, {
      speakerId: entry.request.SpeakerId!,
      existingEnrollmentAction: config.ExistingEnrollmentAction,
      voiceprint: async () => {
        const voice = await requestVoiceprint(ctx, bucket, entry);
        if (fraudCheck.FraudDetectionAction === 'FAIL') {
          const risk = await screenAgainstWatchlist(ctx, domain, fraudCheck.WatchlistIds[0], voice, fraudCheck.RiskThreshold);
          if (risk.decision === 'HIGH_RISK') {
            throw new EntryError(
              400,
              `The speaker's voice matches the known fraudster ${risk.fraudsterId} (risk score ${risk.riskScore}, RiskThreshold ${fraudCheck.RiskThreshold}), so it was not enrolled. FraudDetectionAction IGNORE enrolls such speakers anyway.`,
            );
          }
        }
        return voice;
      },
      also: (enrolled, status) =>
        done({
          kind: 'enrollment',
          GeneratedSpeakerId: enrolled.speakerId,
          CustomerSpeakerId: enrolled.customerSpeakerId,
          EnrollmentStatus: status,
        }),
    });
    if (status === 'DUPLICATE_SKIPPED') {
      await ctx.jobs.finishEntry(job, entry, {
        kind: 'enrollment',
        GeneratedSpeakerId: speaker.speakerId,
        CustomerSpeakerId: speaker.customerSpeakerId,
        EnrollmentStatus: status,
      });
    }
    return;
  }
  const config = job.registrationConfig!;
  const voice = await requestVoiceprint(ctx, bucket, entry);
  const watchlistId = config.WatchlistIds[0];
  const closest = await screenAgainstWatchlist(ctx, domain, watchlistId, voice, config.FraudsterSimilarityThreshold);
  if (closest.decision === 'HIGH_RISK' && config.DuplicateRegistrationAction === 'SKIP') {
    await ctx.jobs.finishEntry(job, entry, {
      kind: 'registration',
      GeneratedFraudsterId: closest.fraudsterId!,
      RegistrationStatus: 'DUPLICATE_SKIPPED',
      FraudsterSimilarityScore: closest.riskScore,
    });
    return;
  }
  await registerFraudster(ctx, domain, [watchlistId], voice, (fraudster) =>
    done({
      kind: 'registration',
      GeneratedFraudsterId: fraudster.fraudsterId,
      RegistrationStatus: 'NEW_REGISTRATION',
      FraudsterSimilarityScore: closest.fraudsterId ? closest.riskScore : undefined,
    }),
  );
}

/** The voiceprint of a request's recordings (each file's chosen channel, in order), which needs 30 s of net speech. */
async function requestVoiceprint(ctx: Needs<'speech'>, bucket: JobBucket, entry: JobEntry): Promise<Voiceprint> {
  let stream = newSpeechStream(ctx.speech.model);
  for (const audio of entry.request.AudioSpecifications) {
    const { bucket: name, key } = parseS3Uri(audio.S3Uri);
    const bytes = await bucket.read(name, key, MAX_WAV_BYTES);
    let samples: Float32Array;
    try {
      ({ samples } = decodeWav(bytes, audio.ChannelId ?? 0));
    } catch (error) {
      if (error instanceof AudioFormatError) throw new EntryError(400, `${audio.S3Uri}: ${error.message}`);
      throw error;
    }
    stream = await ctx.speech.feed(stream, samples);
  }
  const { voiceprint } = readSpeechStream(await ctx.speech.finish(stream));
  const speechSeconds = voiceprint?.speechSeconds ?? 0;
  if (!voiceprint || speechSeconds < ENROLLMENT_SPEECH_SECONDS) {
    throw new EntryError(
      400,
      `The recordings hold ${speechSeconds.toFixed(1)} s of net speech; ${ENROLLMENT_SPEECH_SECONDS} s are needed. Add recordings of the same caller.`,
    );
  }
  return voiceprint;
}

/** The output entry of an error that is the request's own; undefined for a fault worth retrying. */
function entryError(error: unknown): EntryError | undefined {
  if (error instanceof EntryError) return error;
  if (error instanceof JobFileError) return new EntryError(400, error.message);
  if (error instanceof ServiceQuotaExceededException) return new EntryError(402, error.message);
  if (error instanceof ConflictException && error.conflictType === 'SPEAKER_OPTED_OUT') return new EntryError(409, error.message);
  if (error instanceof ValidationException || error instanceof ResourceNotFoundException) return new EntryError(400, error.message);
  return undefined;
}

/**
 * Ends the job: a request still without a result (its batch gave up after retries) gets error 500, the output
 * file is written under the job's role (SSE-KMS with the job's key), and the job is COMPLETED, or
 * COMPLETED_WITH_ERRORS when any request failed. An output that cannot be written fails the job, saying why.
 */
export async function finishJob(
  ctx: Needs<'accountId' | 'auditEvents' | 'dataAccessRolePrefix' | 'jobFiles' | 'jobs' | 'now' | 'region'>,
  ref: JobReference,
): Promise<{ status: string }> {
  const job = await openJob(ctx, ref);
  if (!isActive(job)) return { status: job.status };
  const gaveUp: EntryResult = {
    kind: 'error',
    ErrorCode: 500,
    ErrorMessage: 'The request failed on an internal error, also when retried. Submit it again in a new job.',
  };
  for (const entry of await ctx.jobs.entries(job)) {
    if (!entry.result) await ctx.jobs.finishEntry(job, entry, gaveUp);
  }
  // Read again: a run still going elsewhere may have given an open request its own result first.
  const results = (await ctx.jobs.entries(job)).map((entry) => ({ requestId: entry.request.RequestId, result: entry.result ?? gaveUp }));
  const { bucket: name, key } = outputLocation(job);
  try {
    const bucket = await jobBucket(ctx, job);
    await bucket.write(name, key, JSON.stringify(outputFile(job.jobType, results)), job.outputKmsKeyId);
  } catch (error) {
    if (!(error instanceof JobFileError)) throw error;
    await endJob(ctx, job, 'FAILED', { statusCode: 400, message: `The output file could not be written: ${error.message}` });
    return { status: 'FAILED' };
  }
  const status = results.some(({ result }) => result.kind === 'error') ? 'COMPLETED_WITH_ERRORS' : 'COMPLETED';
  await endJob(ctx, job, status);
  return { status };
}

/** Ends a job whose execution gave up on an unexpected fault (logged with the job's id). */
export async function failJob(
  ctx: Needs<'accountId' | 'auditEvents' | 'jobs' | 'now' | 'region'>,
  ref: JobReference,
): Promise<{ status: string }> {
  const job = await openJob(ctx, ref);
  await endJob(ctx, job, 'FAILED', {
    statusCode: 500,
    message: 'The job stopped on an internal error. Requests already processed keep their results; start a new job for the rest.',
  });
  return { status: 'FAILED' };
}

/** Longer than the state machine's 24-hour timeout: a job still active after this has lost its execution. */
export const JOB_DEADLINE_MS = 25 * 3600 * 1000;

/**
 * The daily sweep's check on jobs: one still active a day after it started has lost its execution (the state
 * machine's 24-hour timeout ends an execution without running its Catch), and would hold its domain's one active
 * place for good. It is ended FAILED; its requests keep their results.
 */
export async function failAbandonedJobs(
  ctx: Needs<'accountId' | 'auditEvents' | 'jobs' | 'now' | 'region'>,
): Promise<{ abandonedJobs: number }> {
  const cutoff = ctx.now() - JOB_DEADLINE_MS;
  let abandonedJobs = 0;
  for (const job of await ctx.jobs.activeJobs()) {
    if (job.createdAt >= cutoff) continue;
    await endJob(ctx, job, 'FAILED', {
      statusCode: 500,
      message:
        'The job did not finish within 24 hours and was stopped. Requests already processed keep their results; start a new job for the rest.',
    });
    abandonedJobs++;
  }
  return { abandonedJobs };
}

/** Jobs still SUBMITTED or IN_PROGRESS, in every domain. */
export async function activeJobs(ctx: Needs<'jobs'>): Promise<JobReference[]> {
  return (await ctx.jobs.activeJobs()).map(({ domainId, jobId, jobType }) => ({ domainId, jobId, jobType }));
}
