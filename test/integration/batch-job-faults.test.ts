import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceContext } from '#context';
import { counterIds } from '#store/quota-counters';
import { createBucket, jobRecord, put, readJson, upload } from '#test/support/batch-job-files';
import { serviceContext, serviceTables } from '#test/support/clients';
import { interceptDynamoDb } from '#test/support/dynamodb-faults';
import { newDomain } from '#test/support/voice-id-errors';
import { BATCH_SIZE, failAbandonedJobs, finishJob, JOB_DEADLINE_MS, prepareJob, processBatch } from '#workflows/batch-job-tasks';

/**
 * Faults in the middle of a job. The job's tasks run here as the state machine runs them (the same functions,
 * against the stack's engines); faults are injected at the AWS SDK, the way an outage or a killed worker shows
 * itself, and nothing of the service is mocked. Whatever fails and is retried, no request is lost, and none is
 * enrolled or counted twice.
 */
describe('a batch job under faults', () => {
  let ctx: ServiceContext;
  let domainId: string;

  beforeAll(async () => {
    ctx = await serviceContext();
    domainId = (await newDomain('batch-job-faults')).DomainId!;
    await createBucket();
  });
  afterAll(() => ctx.speech.close());
  afterEach(() => jest.restoreAllMocks());

  /** Reading these objects fails as if S3 or the network broke. */
  function failReading(keys: Set<string>) {
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const send = S3Client.prototype.send as (this: S3Client, command: unknown) => Promise<unknown>;
    jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: unknown) {
      if (command instanceof GetObjectCommand && keys.has(command.input.Key!))
        return Promise.reject(new Error('injected fault: connection reset')) as never;
      return send.call(this, command) as never;
    });
  }

  async function speakersOfDomain() {
    const { client, names } = await serviceTables();
    const { Items } = await client.send(
      new QueryCommand({
        TableName: names.speakers,
        KeyConditionExpression: 'domainId = :d AND begins_with(itemId, :id)',
        ExpressionAttributeValues: { ':d': domainId, ':id': 'id#' },
      }),
    );
    const { Item } = await client.send(new GetCommand({ TableName: names.counters, Key: { counterId: counterIds.speakers(domainId) } }));
    return { speakers: (Items ?? []).map((item) => item.customerSpeakerId as string).sort(), counted: Item?.count as number };
  }

  it('names ExpectedBucketOwner on every S3 call of a job, and fails an object the role may not read as it fails one that does not exist', async () => {
    const tag = Date.now();
    const unreadable = await put(`audio/unreadable-${tag}.wav`, 'RIFF');
    const missing = `s3://${unreadable.split('/')[2]}/audio/missing-${tag}.wav`;
    const unreadableManifest = await put(`manifests/unreadable-${tag}.json`, '{}');
    const missingManifest = unreadableManifest.replace('unreadable-', 'missing-');
    const manifest = await put(
      `manifests/owners-${tag}.json`,
      JSON.stringify({
        Version: '1.0',
        SpeakerEnrollmentRequests: [
          { RequestId: 'missing', SpeakerId: 'caller-missing', AudioSpecifications: [{ S3Uri: missing }] },
          { RequestId: 'unreadable', SpeakerId: 'caller-unreadable', AudioSpecifications: [{ S3Uri: unreadable }] },
        ],
      }),
    );
    // S3 refuses the role these objects, as a bucket policy or a key policy would.
    const refused = new Set([unreadable, unreadableManifest].map((uri) => uri.split('/').slice(3).join('/')));
    const calls: { command: string; owner?: string }[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const send = S3Client.prototype.send as (this: S3Client, command: unknown) => Promise<unknown>;
    jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: unknown) {
      const { input } = command as { input: { Key?: string; ExpectedBucketOwner?: string } };
      calls.push({ command: (command as object).constructor.name, owner: input.ExpectedBucketOwner });
      if (refused.has(input.Key!)) {
        const denied = new S3ServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
          message: 'Access Denied',
        });
        return Promise.reject(denied) as never;
      }
      return send.call(this, command) as never;
    });

    const run = async (inputS3Uri: string) => {
      const job = jobRecord(domainId, { inputS3Uri });
      await ctx.jobs.create(job);
      const ref = { domainId, jobId: job.jobId, jobType: job.jobType };
      const { batches } = await prepareJob(ctx, ref);
      for (const batch of batches) await processBatch(ctx, ref, batch);
      if (batches.length) await finishJob(ctx, ref);
      return ctx.jobs.require(domainId, job.jobType, job.jobId);
    };
    const [job, unreadableJob, missingJob] = [await run(manifest), await run(unreadableManifest), await run(missingManifest)];
    jest.restoreAllMocks();

    expect(calls.length).toBeGreaterThanOrEqual(6);
    expect(calls.filter((call) => call.owner !== '000000000000')).toEqual([]);
    // The same words for both, but for the object's own URI: nothing says which one exists.
    const unnamed = (message: string, uri: string) => message.replace(uri, '<object>');
    expect(unnamed(unreadableJob.failure!.message, unreadableManifest)).toBe(unnamed(missingJob.failure!.message, missingManifest));
    const output = await readJson<{ Errors: { RequestId: string; ErrorCode: number; ErrorMessage: string }[] }>(
      `${job.outputS3Uri}/${job.jobId}/${manifest.split('/').pop()}.out`,
    );
    const errors = Object.fromEntries(output.Errors.map((e) => [e.RequestId, e]));
    expect(errors.unreadable.ErrorCode).toBe(400);
    expect(errors.missing.ErrorCode).toBe(400);
    expect(unnamed(errors.unreadable.ErrorMessage, unreadable)).toBe(unnamed(errors.missing.ErrorMessage, missing));
    expect(errors.missing.ErrorMessage).toBe(
      `${missing} does not exist or the DataAccessRoleArn may not read it: it needs s3:GetObject on it (and kms:Decrypt on its key when it is encrypted with one).`,
    );
  });

  it('retries a failed batch without enrolling or counting anyone twice, and gives up on a request that keeps failing', async () => {
    // Two batches: r0-r9 and r10. The test stack's domains hold 5 speakers, so r4-r9 are requests without a SpeakerId.
    const speakers: Record<number, string> = { 0: 'spk1688', 1: 'spk1998', 2: 'spk2033', 3: 'spk2414', 10: 'spk2609' };
    const requests = await Promise.all(
      Array.from({ length: 11 }, async (_, i) =>
        speakers[i]
          ? { RequestId: `r${i}`, SpeakerId: `caller-${i}`, AudioSpecifications: await upload(speakers[i], 0, 10) }
          : { RequestId: `r${i}`, AudioSpecifications: [] },
      ),
    );
    const enrolled = ['caller-0', 'caller-1', 'caller-2', 'caller-3'];
    const manifest = await put(
      `manifests/faults-${Date.now()}.json`,
      JSON.stringify({ Version: '1.0', SpeakerEnrollmentRequests: requests }),
    );
    const job = jobRecord(domainId, { inputS3Uri: manifest });
    // Created in the store, not through the API, so that only this test runs the job's tasks.
    await ctx.jobs.create(job);
    const ref = { domainId, jobId: job.jobId, jobType: job.jobType };
    expect(await prepareJob(ctx, ref)).toEqual({ batches: [0, 1] });
    expect(BATCH_SIZE).toBe(10);

    // Request r3's recording cannot be read: the batch fails after doing the rest of it.
    const r3Audio = requests[3].AudioSpecifications[0].S3Uri.split('/').slice(3).join('/');
    failReading(new Set([r3Audio]));
    await expect(processBatch(ctx, ref, 0)).rejects.toThrow('injected fault');
    const firstRun = await ctx.jobs.batch(await ctx.jobs.require(domainId, job.jobType, job.jobId), 0);
    expect((await speakersOfDomain()).speakers).toEqual(['caller-0', 'caller-1', 'caller-2']);
    expect(firstRun.map((entry) => entry.result?.kind)).toEqual([
      'enrollment',
      'enrollment',
      'enrollment',
      undefined,
      ...Array<string>(6).fill('error'),
    ]);
    jest.restoreAllMocks();

    // The state machine's retry: only r3 is processed; the others keep the results of the first run.
    expect(await processBatch(ctx, ref, 0)).toEqual({ processed: 10 });
    const retried = await ctx.jobs.batch(await ctx.jobs.require(domainId, job.jobType, job.jobId), 0);
    expect(retried.filter((entry) => entry.index !== 3)).toEqual(firstRun.filter((entry) => entry.index !== 3));
    expect(retried[3].result).toMatchObject({ kind: 'enrollment', EnrollmentStatus: 'NEW_ENROLLMENT', CustomerSpeakerId: 'caller-3' });
    // A second delivery of the same task changes nothing.
    await processBatch(ctx, ref, 0);
    expect(await ctx.jobs.batch(await ctx.jobs.require(domainId, job.jobType, job.jobId), 0)).toEqual(retried);
    expect(await speakersOfDomain()).toEqual({ speakers: enrolled, counted: 4 });

    // Batch 1 (r10) fails every time, and the progress write of a finished batch fails once after its work.
    const r10Audio = requests[10].AudioSpecifications[0].S3Uri.split('/').slice(3).join('/');
    failReading(new Set([r10Audio]));
    await expect(processBatch(ctx, ref, 1)).rejects.toThrow('injected fault');
    await expect(processBatch(ctx, ref, 1)).rejects.toThrow('injected fault');
    jest.restoreAllMocks();

    const described = await ctx.jobs.require(domainId, job.jobType, job.jobId);
    expect(described.finishedCount).toBe(10);
    expect(await finishJob(ctx, ref)).toEqual({ status: 'COMPLETED_WITH_ERRORS' });
    const output = await readJson<{ Errors: { RequestId: string; ErrorCode: number }[]; SuccessfulEnrollments: { RequestId: string }[] }>(
      `${job.outputS3Uri}/${job.jobId}/${manifest.split('/').pop()}.out`,
    );
    expect(output.Errors.map((e) => [e.RequestId, e.ErrorCode])).toEqual([
      ...['r4', 'r5', 'r6', 'r7', 'r8', 'r9'].map((id) => [id, 400]),
      ['r10', 500],
    ]);
    expect(output.SuccessfulEnrollments.map((e) => e.RequestId)).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(await speakersOfDomain()).toEqual({ speakers: enrolled, counted: 4 });
    // Ending is safe to repeat.
    expect(await finishJob(ctx, ref)).toEqual({ status: 'COMPLETED_WITH_ERRORS' });
  });

  it('ends FAILED, at the daily sweep, a job whose execution was lost a day ago, and leaves a recent one', async () => {
    const job = (createdAt: number) =>
      jobRecord(domainId, {
        jobType: 'FRAUDSTER_REGISTRATION',
        status: 'IN_PROGRESS',
        enrollmentConfig: undefined,
        createdAt,
        updatedAt: createdAt,
      });
    const abandoned = job(Date.now() - JOB_DEADLINE_MS - 60_000);
    await ctx.jobs.create(abandoned);
    expect(await failAbandonedJobs(ctx)).toEqual({ abandonedJobs: 1 });
    expect(await ctx.jobs.require(domainId, abandoned.jobType, abandoned.jobId)).toMatchObject({
      status: 'FAILED',
      failure: { statusCode: 500, message: expect.stringMatching(/did not finish within 24 hours/) as string },
    });
    // The domain's place is free again: a new job may start, and a young one is left to run.
    const running = job(Date.now());
    await ctx.jobs.create(running);
    expect(await failAbandonedJobs(ctx)).toEqual({ abandonedJobs: 0 });
    expect((await ctx.jobs.require(domainId, running.jobType, running.jobId)).status).toBe('IN_PROGRESS');
    await ctx.jobs.end(running, 'FAILED', Date.now(), { statusCode: 500, message: 'test' });
  });

  it('counts a batch towards progress once, when its progress write failed after its work', async () => {
    const requests = [{ RequestId: 'only', SpeakerId: 'progress-caller', AudioSpecifications: await upload('spk533', 0, 10) }];
    const manifest = await put(
      `manifests/progress-${Date.now()}.json`,
      JSON.stringify({ Version: '1.0', SpeakerEnrollmentRequests: requests }),
    );
    const job = jobRecord(domainId, {
      inputS3Uri: manifest,
      enrollmentConfig: {
        ExistingEnrollmentAction: 'OVERWRITE',
        FraudDetectionConfig: { FraudDetectionAction: 'IGNORE', RiskThreshold: 50, WatchlistIds: [] },
      },
    });
    await ctx.jobs.create(job);
    const ref = { domainId, jobId: job.jobId, jobType: job.jobType };
    await prepareJob(ctx, ref);
    let failed = false;
    interceptDynamoDb((command, send) => {
      const progress = command instanceof UpdateCommand && String(command.input.UpdateExpression).includes('finishedCount');
      if (progress && !failed) {
        failed = true;
        return Promise.reject(new Error('injected fault: worker killed'));
      }
      return send(command);
    });
    await expect(processBatch(ctx, ref, 0)).rejects.toThrow('worker killed');
    await processBatch(ctx, ref, 0);
    await processBatch(ctx, ref, 0);
    expect((await ctx.jobs.require(domainId, job.jobType, job.jobId)).finishedCount).toBe(1);
    const [entry] = await ctx.jobs.batch(await ctx.jobs.require(domainId, job.jobType, job.jobId), 0);
    expect(entry.result).toMatchObject({ EnrollmentStatus: 'NEW_ENROLLMENT' });
  });
});
