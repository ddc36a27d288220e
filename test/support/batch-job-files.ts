import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { newResourceId } from '#api-model/ids';
import type { JobRecord } from '#api-model/job';
import { LIBRISPEECH } from './calls.ts';
import { endpoints } from './clients.ts';

/** A customer's bucket of recordings, manifests and job output in the local S3, and the role jobs read it as. */
export const ROLE = 'arn:aws:iam::000000000000:role/voice-id-batch-access';
export const BUCKET = `recordings-${Date.now()}`;

export function s3(): S3Client {
  const e = endpoints();
  return new S3Client({ endpoint: e.s3, region: e.region, credentials: e.credentials, forcePathStyle: true });
}

export async function createBucket(): Promise<void> {
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
}

export async function put(key: string, body: Uint8Array | string): Promise<string> {
  await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return `s3://${BUCKET}/${key}`;
}

/**
 * The input of a speaker enrollment job on a stack of a test's own (its S3 client given): every LibriSpeech file
 * uploaded to a bucket `recordings`, and a manifest of `callers` requests, caller i enrolled from every file of the
 * i-th of `voices` in turn (all the set's speakers unless told). What the restart tests stop in the middle.
 */
export async function stageEnrollmentJob(
  client: S3Client,
  { callers, callerPrefix, voices = () => true }: { callers: number; callerPrefix: string; voices?: (speaker: string) => boolean },
) {
  await client.send(new CreateBucketCommand({ Bucket: 'recordings' }));
  const files = readFileSync(path.join(LIBRISPEECH, 'manifest.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  for (const [file] of files) {
    await client.send(new PutObjectCommand({ Bucket: 'recordings', Key: file, Body: readFileSync(path.join(LIBRISPEECH, file)) }));
  }
  const speakers = [...new Set(files.map(([, speaker]) => speaker))].filter(voices);
  const requests = Array.from({ length: callers }, (_, i) => ({
    RequestId: `r${i}`,
    SpeakerId: `${callerPrefix}${i}`,
    AudioSpecifications: files
      .filter(([, speaker]) => speaker === speakers[i % speakers.length])
      .map(([file]) => ({ S3Uri: `s3://recordings/${file}` })),
  }));
  const manifest = JSON.stringify({ Version: '1.0', SpeakerEnrollmentRequests: requests });
  await client.send(new PutObjectCommand({ Bucket: 'recordings', Key: 'manifest.json', Body: manifest }));
  return { InputDataConfig: { S3Uri: 's3://recordings/manifest.json' }, OutputDataConfig: { S3Uri: 's3://recordings/output' } };
}

/** A speaker's LibriSpeech files `from`..`to` (manifest order), uploaded as they are, as AudioSpecifications. */
export async function upload(speaker: string, from: number, to: number) {
  const manifest = readFileSync(path.join(LIBRISPEECH, 'manifest.csv'), 'utf8').trim().split('\n').slice(1);
  const files = manifest
    .map((line) => line.split(','))
    .filter(([, who]) => who === speaker)
    .slice(from, to);
  return Promise.all(files.map(async ([file]) => ({ S3Uri: await put(`audio/${file}`, readFileSync(path.join(LIBRISPEECH, file))) })));
}

export async function readJson<T>(uri: string): Promise<T> {
  const [, , bucket, ...key] = uri.split('/');
  const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }));
  return JSON.parse(await object.Body!.transformToString()) as T;
}

/** Describes a job until it has ended. */
export async function until<T extends { JobStatus?: string }>(describe: () => Promise<T>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const job = await describe();
    if (job.JobStatus !== 'SUBMITTED' && job.JobStatus !== 'IN_PROGRESS') return job;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('The job did not end within 150 s.');
}

/**
 * A job record as StartSpeakerEnrollmentJob would store it (SUBMITTED, reading `inputS3Uri` as ROLE, fraud check
 * off), changed by `change`: for tests that put a job in the store themselves, so that no execution runs it.
 */
export function jobRecord(domainId: string, change: Partial<JobRecord> = {}): JobRecord {
  const now = Date.now();
  return {
    domainId,
    jobId: newResourceId(),
    jobType: 'SPEAKER_ENROLLMENT',
    status: 'SUBMITTED',
    dataAccessRoleArn: ROLE,
    inputS3Uri: `s3://${BUCKET}/manifests/any.json`,
    outputS3Uri: `s3://${BUCKET}/fault-output`,
    enrollmentConfig: {
      ExistingEnrollmentAction: 'SKIP',
      FraudDetectionConfig: { FraudDetectionAction: 'IGNORE', RiskThreshold: 50, WatchlistIds: [] },
    },
    createdAt: now,
    updatedAt: now,
    ...change,
  };
}
