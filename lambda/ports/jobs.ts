import type { EntryResult, JobRecord, JobReference, JobStatus, JobType, ManifestRequest } from '#api-model/job';
import type { Page, PagePosition } from './page.ts';
import type { StagedWrite } from './staged-write.ts';

/** One request of a job as stored: its place in the fan-out and, once done, its result. */
export interface JobEntry {
  index: number;
  batch: number;
  request: ManifestRequest;
  result?: EntryResult;
}

/** Thrown when an entry's result was already recorded (a retried batch): its change must not be made twice. */
export class EntryAlreadyDone extends Error {
  readonly name = 'EntryAlreadyDone';
}

/** Batch jobs of a domain: the record, the one-active-job lock per type, and the manifest's entries. */
export interface Jobs {
  /** Creates the job, refused while another job of its type is active in the domain. */
  create(job: JobRecord, tokenClaim?: StagedWrite): Promise<void>;
  find(domainId: string, type: JobType, jobId: string): Promise<JobRecord | undefined>;
  /** The job, or ResourceNotFoundException BATCH_JOB. */
  require(domainId: string, type: JobType, jobId: string): Promise<JobRecord>;
  list(domainId: string, type: JobType, status: JobStatus | undefined, limit: number, startKey?: PagePosition): Promise<Page<JobRecord>>;
  /** Writes the manifest's requests as entries in batches of `batchSize` and moves the job IN_PROGRESS. */
  start(job: JobRecord, requests: ManifestRequest[], batchSize: number, nowMs: number): Promise<JobRecord>;
  batch(job: JobRecord, batch: number): Promise<JobEntry[]>;
  entries(job: JobRecord): Promise<JobEntry[]>;
  /** The write of an entry's result, for the store that makes the entry's change to put in the same transaction (EntryAlreadyDone if taken). */
  entryDone(job: JobRecord, entry: JobEntry, result: EntryResult): StagedWrite;
  /** Records an entry's result alone; false when it was recorded already. */
  finishEntry(job: JobRecord, entry: JobEntry, result: EntryResult): Promise<boolean>;
  /** Counts a batch's entries into the job's progress, once per batch. */
  countBatch(job: JobRecord, batch: number, entries: number): Promise<void>;
  /** Ends the job with `status` and frees its type's lock; false when it had ended already. */
  end(job: JobRecord, status: JobStatus, nowMs: number, failure?: JobRecord['failure']): Promise<boolean>;
  /** Jobs of every domain still SUBMITTED or IN_PROGRESS. */
  activeJobs(): Promise<JobRecord[]>;
}

/**
 * Why a customer's file could not be read or written; the message says what to fix. UNREACHABLE is one problem for
 * an object that does not exist and one the role may not reach, so that a job's errors never tell whether an
 * object the role may not read exists.
 */
export class JobFileError extends Error {
  readonly name = 'JobFileError';
  constructor(
    readonly problem: 'ROLE' | 'UNREACHABLE' | 'TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

/** The customer's buckets as one job's DataAccessRoleArn sees them. */
export interface JobBucket {
  /** The object's bytes, refused (JobFileError TOO_LARGE) past `maxBytes`. */
  read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array>;
  /** Writes the object, encrypted under `kmsKeyId` when given. */
  write(bucket: string, key: string, body: string, kmsKeyId?: string): Promise<void>;
}

/** The customer's files of batch jobs (manifests, recordings, output), reached only under each job's role. */
export interface JobFiles {
  /** The buckets as `roleArn` sees them, the domain's ARN given as ExternalId (JobFileError ROLE when refused). */
  as(roleArn: string, domainArn: string, jobId: string): Promise<JobBucket>;
}

/** Runs of the batch job state machine. */
export interface JobRuns {
  start(job: JobReference): Promise<void>;
}
