import {
  DescribeFraudsterRegistrationJobCommand,
  DescribeSpeakerEnrollmentJobCommand,
  StartFraudsterRegistrationJobCommand,
  StartSpeakerEnrollmentJobCommand,
} from '@aws-sdk/client-voice-id';
import { put, readJson, until } from '#test/support/batch-job-files';
import { serviceConfig, voiceId } from '#test/support/clients';
import { badPcm, lyingWav } from './audio.ts';
import { differences, type Failure, snapshotTables, stillAnswers } from './harness.ts';
import { inputSeed, Random } from './random.ts';
import { asciiWord, deepNesting, type Fixtures, type FuzzValue, oddString, toJson } from './values.ts';

interface JobOutput {
  Errors?: { RequestId: string; ErrorCode: number; ErrorMessage: string }[];
  SuccessfulEnrollments?: unknown[];
  SuccessfulRegistrations?: unknown[];
}

export interface JobsSummary {
  jobs: number;
  requests: number;
  byStatus: Record<string, number>;
  errorsByCode: Record<string, number>;
  failures: Failure[];
  milliseconds: number;
}

/** Bad recordings: lying WAVs, raw PCM, text, nothing at all, a file that does not exist. */
async function badRecording(r: Random, f: Fixtures, name: string): Promise<{ [member: string]: FuzzValue }> {
  const key = `fuzz/recordings/${name}`;
  return await r.weighted<() => Promise<{ [member: string]: FuzzValue }> | { [member: string]: FuzzValue }>([
    [6, async () => ({ S3Uri: await put(`${key}.wav`, lyingWav(r)), ...(r.chance(0.3) ? { ChannelId: 1 } : {}) })],
    [1, async () => ({ S3Uri: await put(`${key}.pcm`, badPcm(r)) })],
    [1, async () => ({ S3Uri: await put(`${key}.txt`, oddString(r)) })],
    [1, async () => ({ S3Uri: await put(`${key}.wav`, new Uint8Array(0)) })],
    [1, () => ({ S3Uri: `s3://${f.bucket}/fuzz/nowhere/${asciiWord(r, 8)}.wav` })],
    [
      1,
      () => ({
        S3Uri: r.pick([
          's3://',
          's3:///x.wav',
          `s3://${f.bucket}`,
          `s3://${f.bucket}/${oddString(r)}`,
          `s3://no-such-bucket-${asciiWord(r, 6).toLowerCase()}/a.wav`,
        ]),
      }),
    ],
    [1, async () => ({ S3Uri: await put(`${key}.wav`, lyingWav(r)), ChannelId: r.pick<FuzzValue>([2, -1, '0', null, 0.5]) })],
  ])();
}

/** A manifest's text, and how many requests it has when it can be run (each must get its error). */
interface Manifest {
  text: string;
  requests?: number;
  note: string;
}

/**
 * A manifest that cannot be run whole (not JSON, the wrong shape, no requests, repeated ids, deep or huge), or one
 * whose every request is bad (malformed, or naming recordings no caller can be enrolled from).
 */
async function badManifest(r: Random, f: Fixtures, fraudsters: boolean, job: number): Promise<Manifest> {
  const member = fraudsters ? 'FraudsterRegistrationRequests' : 'SpeakerEnrollmentRequests';
  const request = async (i: number): Promise<{ [member: string]: FuzzValue }> => ({
    RequestId: r.chance(0.9) ? `request-${i}` : oddString(r),
    ...(fraudsters ? {} : { SpeakerId: r.chance(0.9) ? `fuzz-caller-${job}-${i}` : oddString(r) }),
    AudioSpecifications: await Promise.all(Array.from({ length: r.between(1, 3) }, (_, k) => badRecording(r, f, `${job}-${i}-${k}`))),
  });
  return await r.weighted<() => Promise<Manifest> | Manifest>([
    [1, () => ({ text: r.pick(['', 'not json', '{"Version":', '\u0000\u0000', '\ufeff{}']), note: 'not JSON' })],
    [1, () => ({ text: r.pick(['[]', '"manifest"', '42', 'null']), note: 'not an object' })],
    [1, () => ({ text: toJson({ Version: '1.0', [member]: [] }), note: 'no requests' })],
    [1, () => ({ text: toJson({ Version: '1.0', [member]: r.pick<FuzzValue>(['all', 1, {}, null]) }), note: 'requests not a list' })],
    [1, () => ({ text: toJson({ Version: '1.0', [member]: deepNesting(r) }), note: 'deep' })],
    [1, async () => ({ text: toJson({ Version: '1.0', [member]: [await request(0), await request(0)] }), note: 'repeated RequestId' })],
    [
      1,
      () => ({
        text: toJson({ Version: '1.0', [member]: new Array<FuzzValue>(fraudsters ? 501 : 10_001).fill({ RequestId: 'x' }) }),
        note: 'over the quota',
      }),
    ],
    [
      5,
      async () => {
        const count = r.between(1, 6);
        const requests = await Promise.all(Array.from({ length: count }, (_, i) => request(i)));
        // Requests malformed in themselves: the wrong types, unknown members, too many recordings.
        if (r.chance(0.3))
          requests.push({
            RequestId: `malformed-${job}`,
            AudioSpecifications: r.pick<FuzzValue>([[], 'x', new Array<FuzzValue>(11).fill({ S3Uri: 's3://b/k' })]),
            [oddString(r)]: 1,
          });
        return { text: toJson({ Version: '1.0', [member]: requests }), requests: requests.length, note: 'bad recordings' };
      },
    ],
  ])();
}

/**
 * Runs `count` batch jobs of bad manifests and recordings on the fixtures' domain, alternately enrollment and
 * registration jobs (one of each kind may be active at once). Each must end FAILED with a 4xx reason, or
 * COMPLETED_WITH_ERRORS with a 4xx error per request; no speaker, fraudster or voiceprint may appear; the service
 * must still answer. The jobs' own records are written, as accepted jobs must be: only those tables may change.
 */
export async function fuzzBatchJobs(options: { seed: number; count: number; fixtures: Fixtures }): Promise<JobsSummary> {
  const { seed, fixtures: f } = options;
  const started = Date.now();
  const summary: JobsSummary = { jobs: 0, requests: 0, byStatus: {}, errorsByCode: {}, failures: [], milliseconds: 0 };
  const { tables } = serviceConfig();
  const biometric = (snapshot: Map<string, string[]>) =>
    new Map([tables.speakers, tables.fraudsters, tables.voiceprints, tables.counters].map((name) => [name, snapshot.get(name) ?? []]));
  const before = biometric(await snapshotTables());
  for (let job = 0; job < options.count; job++) {
    // Job seeds sit far past any input index, so that they never repeat an input's choices.
    const r = new Random(inputSeed(seed, 1_000_000_000 + job));
    const fraudsters = job % 2 === 1;
    const manifest = await badManifest(r, f, fraudsters, job);
    const name = `fuzz-${job}-${asciiWord(r, 6)}.json`;
    const fail = (reason: string) =>
      summary.failures.push({
        seed,
        index: job,
        kind: 'batch-job',
        reason,
        input: `${fraudsters ? 'registration' : 'enrollment'} job, manifest ${manifest.note}: ${JSON.stringify(manifest.text.slice(0, 300))}`,
      });
    // Now and then a job the service cannot run at all: a role of another account, an output bucket that is not there.
    const setting = r.weighted([
      [8, 'as given'],
      [1, 'role of another account'],
      [1, 'no output bucket'],
    ]);
    const start = {
      DomainId: f.domainId,
      DataAccessRoleArn: setting === 'role of another account' ? 'arn:aws:iam::111122223333:role/voice-id-batch-access' : f.roleArn,
      InputDataConfig: { S3Uri: await put(`fuzz/manifests/${name}`, Buffer.from(manifest.text)) },
      OutputDataConfig: {
        S3Uri: setting === 'no output bucket' ? `s3://no-such-bucket-${asciiWord(r, 8).toLowerCase()}/out` : `s3://${f.bucket}/fuzz-output`,
      },
    };
    manifest.note += `, ${setting}`;
    if (setting !== 'as given') manifest.requests = undefined;
    // A job the service refuses at the start (a role outside the deployment's bound) is refused with a 4xx and
    // leaves nothing behind: an answer as good as a job that ends FAILED.
    const refusedAtStart = (error: unknown) => {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      if (status < 400 || status >= 500) throw error;
      return undefined;
    };
    const ended = fraudsters
      ? await (async () => {
          const { Job } = await voiceId().send(new StartFraudsterRegistrationJobCommand(start));
          return until(
            async () =>
              (await voiceId().send(new DescribeFraudsterRegistrationJobCommand({ DomainId: f.domainId, JobId: Job!.JobId }))).Job!,
          );
        })().catch(refusedAtStart)
      : await (async () => {
          const { Job } = await voiceId().send(new StartSpeakerEnrollmentJobCommand(start));
          return until(
            async () => (await voiceId().send(new DescribeSpeakerEnrollmentJobCommand({ DomainId: f.domainId, JobId: Job!.JobId }))).Job!,
          );
        })().catch(refusedAtStart);
    summary.jobs++;
    const status = ended ? (ended.JobStatus ?? 'none') : 'REFUSED_AT_START';
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
    if (ended?.JobStatus === 'FAILED') {
      const { StatusCode, Message } = ended.FailureDetails ?? {};
      if (!StatusCode || StatusCode < 400 || StatusCode >= 500 || !Message) fail(`FAILED with ${JSON.stringify(ended.FailureDetails)}`);
      summary.errorsByCode[`job ${StatusCode}`] = (summary.errorsByCode[`job ${StatusCode}`] ?? 0) + 1;
    } else if (ended?.JobStatus === 'COMPLETED_WITH_ERRORS') {
      const output = await readJson<JobOutput>(`s3://${f.bucket}/fuzz-output/${ended.JobId}/${name}.out`);
      const successes = [...(output.SuccessfulEnrollments ?? []), ...(output.SuccessfulRegistrations ?? [])];
      if (successes.length) fail(`enrolled or registered ${successes.length} requests from bad recordings`);
      summary.requests += (output.Errors ?? []).length;
      for (const error of output.Errors ?? []) {
        summary.errorsByCode[String(error.ErrorCode)] = (summary.errorsByCode[String(error.ErrorCode)] ?? 0) + 1;
        if (error.ErrorCode < 400 || error.ErrorCode >= 500 || !error.ErrorMessage)
          fail(`request ${error.RequestId}: ${error.ErrorCode} ${error.ErrorMessage}`);
      }
      if (manifest.requests !== undefined && (output.Errors ?? []).length !== manifest.requests)
        fail(`${(output.Errors ?? []).length} errors for ${manifest.requests} requests`);
    } else if (ended) fail(`ended ${status}`);
    const down = await stillAnswers(f);
    if (down) fail(`afterwards: ${down}`);
  }
  for (const change of differences(before, biometric(await snapshotTables()))) {
    summary.failures.push({ seed, index: -1, kind: 'batch-job', reason: `bad jobs changed a table: ${change}`, input: '' });
  }
  summary.milliseconds = Date.now() - started;
  return summary;
}
