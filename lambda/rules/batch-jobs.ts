import type { z } from 'zod';
import { AccessDeniedException } from '#api-model/errors';
import { newResourceId } from '#api-model/ids';
import {
  type EnrollmentConfig,
  type JobRecord,
  type JobStatus,
  type JobType,
  presentFullJob,
  presentJobSummary,
  type RegistrationConfig,
  type startJobInput,
} from '#api-model/job';
import { DEFAULT_RISK_THRESHOLD } from '#biometrics/scoring';
import type { Needs } from '#context';
import { oncePerClientToken } from './client-token.ts';
import { dataAccessRoleRefusal } from './data-access-role.ts';
import { listPage } from './paging.ts';

/**
 * What the Start, Describe and List operations of the two job types share: they differ only in names and in
 * their configuration (EnrollmentConfig / RegistrationConfig).
 */

const OPERATION = { SPEAKER_ENROLLMENT: 'StartSpeakerEnrollmentJob', FRAUDSTER_REGISTRATION: 'StartFraudsterRegistrationJob' } as const;

/**
 * FraudsterSimilarityThreshold when unset. Voice ID documented none; two recordings at the score of the acceptance
 * threshold Voice ID recommended are the same voice as far as authentication is concerned, so they are here too.
 */
export const DEFAULT_FRAUDSTER_SIMILARITY_THRESHOLD = 90;

type StartJobRequest = z.output<typeof startJobInput>;

/** The job's configuration with Voice ID's defaults filled in, the watchlist named or else the domain's default. */
type JobConfig = { enrollmentConfig: EnrollmentConfig } | { registrationConfig: RegistrationConfig };

export function enrollmentConfig(
  request:
    | {
        ExistingEnrollmentAction?: 'SKIP' | 'OVERWRITE';
        FraudDetectionConfig?: { FraudDetectionAction?: 'FAIL' | 'IGNORE'; RiskThreshold?: number; WatchlistIds?: string[] };
      }
    | undefined,
  defaultWatchlistId: string,
): JobConfig {
  const fraud = request?.FraudDetectionConfig;
  return {
    enrollmentConfig: {
      ExistingEnrollmentAction: request?.ExistingEnrollmentAction ?? 'SKIP',
      FraudDetectionConfig: {
        FraudDetectionAction: fraud?.FraudDetectionAction ?? 'FAIL',
        RiskThreshold: fraud?.RiskThreshold ?? DEFAULT_RISK_THRESHOLD,
        WatchlistIds: fraud?.WatchlistIds ?? [defaultWatchlistId],
      },
    },
  };
}

export function registrationConfig(
  request:
    | { DuplicateRegistrationAction?: 'SKIP' | 'REGISTER_AS_NEW'; FraudsterSimilarityThreshold?: number; WatchlistIds?: string[] }
    | undefined,
  defaultWatchlistId: string,
): JobConfig {
  return {
    registrationConfig: {
      DuplicateRegistrationAction: request?.DuplicateRegistrationAction ?? 'SKIP',
      FraudsterSimilarityThreshold: request?.FraudsterSimilarityThreshold ?? DEFAULT_FRAUDSTER_SIMILARITY_THRESHOLD,
      WatchlistIds: request?.WatchlistIds ?? [defaultWatchlistId],
    },
  };
}

/**
 * Records a SUBMITTED job and starts its execution. Everything that can be checked now is (the role, the domain,
 * the watchlist, one active job per type): a role outside the deployment's bound is refused with
 * AccessDeniedException, as Voice ID refused a caller without iam:PassRole on it. The manifest is read by the job
 * itself, under the job's role, and a bad one fails the job with FailureDetails, as in Voice ID.
 */
export async function startJob(
  ctx: Needs<'accountId' | 'dataAccessRolePrefix' | 'domains' | 'idempotency' | 'jobExecutions' | 'jobs' | 'now' | 'watchlists'>,
  jobType: JobType,
  request: StartJobRequest & { WatchlistIds?: string[] },
  configure: (defaultWatchlistId: string) => JobConfig,
) {
  const refusal = dataAccessRoleRefusal(ctx, request.DataAccessRoleArn);
  if (refusal) throw new AccessDeniedException(refusal);
  const domain = await ctx.domains.require(request.DomainId);
  const config = configure(domain.defaultWatchlistId);
  const watchlistIds =
    'enrollmentConfig' in config ? config.enrollmentConfig.FraudDetectionConfig.WatchlistIds : config.registrationConfig.WatchlistIds;
  for (const watchlistId of watchlistIds) await ctx.watchlists.require(domain.domainId, watchlistId);
  const operation = OPERATION[jobType];
  const scope = { operation, owner: domain.domainId, clientToken: request.ClientToken, request };
  return oncePerClientToken<{ Job: ReturnType<typeof presentFullJob> }>(ctx, scope, async (claim) => {
    const now = ctx.now();
    const job: JobRecord = {
      domainId: domain.domainId,
      jobId: newResourceId(),
      jobType,
      jobName: request.JobName,
      status: 'SUBMITTED',
      dataAccessRoleArn: request.DataAccessRoleArn,
      inputS3Uri: request.InputDataConfig.S3Uri,
      outputS3Uri: request.OutputDataConfig.S3Uri,
      outputKmsKeyId: request.OutputDataConfig.KmsKeyId,
      ...config,
      createdAt: now,
      updatedAt: now,
    };
    const response = { Job: presentFullJob(job) };
    await ctx.jobs.create(job, claim(response));
    try {
      await ctx.jobExecutions.start(job);
    } catch (error) {
      // A job that never ran must not hold the domain's one active place.
      await ctx.jobs.end(job, 'FAILED', ctx.now(), { statusCode: 500, message: 'The job could not be started. Start it again.' });
      throw error;
    }
    return response;
  });
}

export async function describeJob(ctx: Needs<'domains' | 'jobs'>, jobType: JobType, domainId: string, jobId: string) {
  await ctx.domains.require(domainId);
  return { Job: presentFullJob(await ctx.jobs.require(domainId, jobType, jobId)) };
}

export async function listJobs(
  ctx: Needs<'domains' | 'jobs' | 'now' | 'pageTokens'>,
  jobType: JobType,
  request: { DomainId: string; JobStatus?: JobStatus; MaxResults?: number; NextToken?: string },
) {
  await ctx.domains.require(request.DomainId);
  const { items, NextToken } = await listPage(
    ctx,
    `List/${jobType}/${request.DomainId}/${request.JobStatus ?? ''}`,
    request,
    100,
    (limit, start) => ctx.jobs.list(request.DomainId, jobType, request.JobStatus, limit, start),
    presentJobSummary,
  );
  return { JobSummaries: items, NextToken };
}
