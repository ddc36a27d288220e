import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeFraudsterRegistrationJobCommand,
  DescribeSpeakerEnrollmentJobCommand,
  StartFraudsterRegistrationJobCommand,
  StartSpeakerEnrollmentJobCommand,
  VoiceIDClient,
} from '@aws-sdk/client-voice-id';
import type { LocalEndpoints } from '#bin/local-endpoints';
import { prepareWav } from './audio.ts';
import type { Caller } from './inputs.ts';
import type { JobOutput } from './summary.ts';

/** The two services a batch job needs: Voice ID (this project's, or AWS's) and the S3 it reads recordings from. */
export interface Services {
  voiceId: VoiceIDClient;
  s3: S3Client;
  local: boolean;
}

/** The embedded stack's service and S3 (path-style) with its credentials; AWS's with the default chain otherwise. */
export function services(local: LocalEndpoints | undefined): Services {
  if (!local) return { voiceId: new VoiceIDClient({}), s3: new S3Client({}), local: false };
  const { region, credentials } = local;
  return {
    voiceId: new VoiceIDClient({ endpoint: local.voiceId, region, credentials }),
    s3: new S3Client({ endpoint: local.s3, region, credentials, forcePathStyle: true }),
    local: true,
  };
}

/** Creates `bucket` unless it exists. */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw error;
  }
  const region = await s3.config.region();
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region !== 'us-east-1' && { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
    }),
  );
  return true;
}

export interface AudioSpecification {
  S3Uri: string;
  ChannelId?: 0 | 1;
}

/** A caller whose recordings are uploaded: what one request of the manifest names. */
export interface UploadedCaller {
  id: string;
  audio: AudioSpecification[];
}

export interface UploadEvents {
  converted(file: string, conversion: string): void;
  /** A recording left out; `reason` names it. */
  skippedFile(reason: string): void;
  /** A caller left out: none of its recordings could be used. */
  skippedCaller(id: string): void;
  uploaded(done: number, total: number): void;
}

/**
 * Uploads every caller's recordings under `s3://bucket/prefix/`, converted to what Voice ID reads, a few at a time.
 * A file that cannot be used is left out (`events.skippedFile`), and so is a caller left without recordings.
 */
export async function uploadCallers(
  s3: S3Client,
  bucket: string,
  prefix: string,
  callers: Caller[],
  events: UploadEvents,
): Promise<UploadedCaller[]> {
  const work = callers.flatMap((caller, c) => caller.recordings.map((recording, r) => ({ caller, c, recording, r })));
  const audio: (AudioSpecification | undefined)[][] = callers.map((caller) => caller.recordings.map(() => undefined));
  let next = 0;
  let done = 0;
  const uploader = async () => {
    while (next < work.length) {
      const { caller, c, recording, r } = work[next++];
      const name = path
        .basename(recording.file)
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .replace(/\.wav$/i, '');
      const key = `${prefix}/${String(c).padStart(5, '0')}-${caller.id.replace(/[^A-Za-z0-9._-]/g, '_')}/${r}-${name}.wav`;
      try {
        const prepared = prepareWav(readFileSync(recording.file), recording.file);
        if (recording.channel === 1 && prepared.channels === 1) throw new Error(`${recording.file} is mono: it has no channel 1.`);
        if (prepared.conversion) events.converted(recording.file, prepared.conversion);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: prepared.bytes, ContentType: 'audio/wav' }));
        audio[c][r] = { S3Uri: `s3://${bucket}/${key}`, ...(prepared.channels === 2 && { ChannelId: recording.channel }) };
      } catch (error) {
        if ((error as { $metadata?: unknown }).$metadata) throw error; // S3 refused: nothing else will go either
        events.skippedFile(error instanceof Error ? error.message : String(error));
      }
      events.uploaded(++done, work.length);
    }
  };
  await Promise.all(Array.from({ length: 8 }, uploader));
  return callers.flatMap((caller, c) => {
    const uploaded = audio[c].filter((spec): spec is AudioSpecification => spec !== undefined);
    if (uploaded.length === 0) events.skippedCaller(caller.id);
    return uploaded.length ? [{ id: caller.id, audio: uploaded }] : [];
  });
}

/** The Voice ID manifest of a job: one request per caller, its RequestId the caller's id. */
export function manifest(callers: UploadedCaller[], fraudsters: boolean) {
  return fraudsters
    ? { Version: '1.0', FraudsterRegistrationRequests: callers.map(({ id, audio }) => ({ RequestId: id, AudioSpecifications: audio })) }
    : {
        Version: '1.0',
        SpeakerEnrollmentRequests: callers.map(({ id, audio }) => ({ RequestId: id, SpeakerId: id, AudioSpecifications: audio })),
      };
}

export interface JobRequest {
  domainId: string;
  roleArn: string;
  inputUri: string;
  outputUri: string;
  jobName: string;
  fraudsters: boolean;
  overwrite: boolean;
  watchlistId?: string;
}

/** Starts the job; its JobId. */
export async function startJob(voiceId: VoiceIDClient, request: JobRequest): Promise<string> {
  const common = {
    DomainId: request.domainId,
    JobName: request.jobName,
    DataAccessRoleArn: request.roleArn,
    InputDataConfig: { S3Uri: request.inputUri },
    OutputDataConfig: { S3Uri: request.outputUri },
  };
  const watchlist = request.watchlistId ? { WatchlistIds: [request.watchlistId] } : {};
  const { Job } = request.fraudsters
    ? await voiceId.send(new StartFraudsterRegistrationJobCommand({ ...common, RegistrationConfig: { ...watchlist } }))
    : await voiceId.send(
        new StartSpeakerEnrollmentJobCommand({
          ...common,
          EnrollmentConfig: {
            ExistingEnrollmentAction: request.overwrite ? 'OVERWRITE' : 'SKIP',
            ...(request.watchlistId && { FraudDetectionConfig: { ...watchlist } }),
          },
        }),
      );
  return Job!.JobId!;
}

export interface JobState {
  JobStatus: string;
  PercentComplete: number;
  failure?: string;
}

/** Describes the job every `intervalMs` until it has ended, reporting each state; the last one. */
export async function waitForJob(
  voiceId: VoiceIDClient,
  target: { DomainId: string; JobId: string; fraudsters: boolean },
  onState: (state: JobState) => void,
  intervalMs = 1000,
): Promise<JobState> {
  const { DomainId, JobId } = target;
  for (;;) {
    const { Job } = target.fraudsters
      ? await voiceId.send(new DescribeFraudsterRegistrationJobCommand({ DomainId, JobId }))
      : await voiceId.send(new DescribeSpeakerEnrollmentJobCommand({ DomainId, JobId }));
    const details = Job!.FailureDetails;
    const state: JobState = {
      JobStatus: Job!.JobStatus!,
      PercentComplete: Job!.JobProgress?.PercentComplete ?? 0,
      failure: details && `${details.StatusCode}: ${details.Message}`,
    };
    onState(state);
    if (state.JobStatus !== 'SUBMITTED' && state.JobStatus !== 'IN_PROGRESS') return state;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Where Voice ID writes the output file: `<output S3Uri>/<JobId>/<input file name>.out`. */
export function outputFileUri(outputUri: string, jobId: string, inputUri: string): string {
  return `${outputUri.replace(/\/+$/, '')}/${jobId}/${inputUri.split('/').pop()}.out`;
}

export async function readOutput(s3: S3Client, uri: string): Promise<JobOutput> {
  const [, , Bucket, ...key] = uri.split('/');
  const object = await s3.send(new GetObjectCommand({ Bucket, Key: key.join('/') }));
  return JSON.parse(await object.Body!.transformToString()) as JobOutput;
}
