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
