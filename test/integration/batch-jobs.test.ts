import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeFraudsterRegistrationJobCommand,
  DescribeSpeakerEnrollmentJobCommand,
  EvaluateSessionCommand,
  ListSpeakerEnrollmentJobsCommand,
  OptOutSpeakerCommand,
  StartFraudsterRegistrationJobCommand,
  StartSpeakerEnrollmentJobCommand,
  type StartSpeakerEnrollmentJobCommandInput,
} from '@aws-sdk/client-voice-id';
import { encodeWav } from '#biometrics/wav';
import { BUCKET, createBucket, jobRecord, put, ROLE, readJson, s3, until, upload } from '#test/support/batch-job-files';
import { call, callAudio, sessions } from '#test/support/calls';
import { serviceContext, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';
import { prepareJob } from '#workflows/batch-job-tasks';

/**
 * Batch jobs with real speech (LibriSpeech test-other, 8 kHz) uploaded to the local S3, driven through the official
 * SDK and the whole state machine: every kind of entry a Voice ID output file reports, re-runs, a bad manifest,
 * duplicate fraudsters, and the enrolled callers then authenticating.
 */
const enrollmentJob =
  (DomainId: string) =>
  async (manifest: unknown, extra: Partial<StartSpeakerEnrollmentJobCommandInput> = {}) => {
    const name = `manifest-${Math.random().toString(36).slice(2)}.json`;
    const { Job } = await voiceId().send(
      new StartSpeakerEnrollmentJobCommand({
        DomainId,
        DataAccessRoleArn: ROLE,
        InputDataConfig: { S3Uri: await put(`manifests/${name}`, typeof manifest === 'string' ? manifest : JSON.stringify(manifest)) },
        OutputDataConfig: { S3Uri: `s3://${BUCKET}/output` },
        ...extra,
      }),
    );
    expect(Job!.JobStatus).toBe('SUBMITTED');
    const ended = await until(
      async () => (await voiceId().send(new DescribeSpeakerEnrollmentJobCommand({ DomainId, JobId: Job!.JobId }))).Job!,
    );
    return { job: ended, outputUri: `s3://${BUCKET}/output/${Job!.JobId}/${name}.out` };
  };

interface EnrollmentOutput {
  Version: string;
  Errors: { RequestId: string; ErrorCode: number; ErrorMessage: string }[];
  SuccessfulEnrollments: { RequestId: string; GeneratedSpeakerId: string; CustomerSpeakerId: string; EnrollmentStatus: string }[];
}

describe('batch jobs', () => {
  let domainId: string;
  let runJob: ReturnType<typeof enrollmentJob>;
  let fraudsterId: string;

  beforeAll(async () => {
    await createBucket();
    domainId = (await newDomain('batch-jobs')).DomainId!;
    runJob = enrollmentJob(domainId);
  });

  it('registers fraudsters from recordings, and finds the same voice again a duplicate', async () => {
    const manifest = {
      Version: '1.0',
      FraudsterRegistrationRequests: [
        { RequestId: 'fraud-a', AudioSpecifications: await upload('spk3080', 0, 6) },
        { RequestId: 'fraud-a-again', AudioSpecifications: await upload('spk3080', 6, 10) },
        { RequestId: 'too-short', AudioSpecifications: (await upload('spk1998', 0, 1)).slice(0, 1) },
      ],
    };
    const { Job } = await voiceId().send(
      new StartFraudsterRegistrationJobCommand({
        DomainId: domainId,
        DataAccessRoleArn: ROLE,
        InputDataConfig: { S3Uri: await put('manifests/fraudsters.json', JSON.stringify(manifest)) },
        OutputDataConfig: { S3Uri: `s3://${BUCKET}/fraud-output/` },
        RegistrationConfig: { FraudsterSimilarityThreshold: 70 },
      }),
    );
    const ended = await until(
      async () => (await voiceId().send(new DescribeFraudsterRegistrationJobCommand({ DomainId: domainId, JobId: Job!.JobId }))).Job!,
    );
    expect(ended).toMatchObject({ JobStatus: 'COMPLETED_WITH_ERRORS', JobProgress: { PercentComplete: 100 } });
    const output = await readJson<{
      Errors: { RequestId: string; ErrorCode: number }[];
      SuccessfulRegistrations: {
        RequestId: string;
        GeneratedFraudsterId: string;
        RegistrationStatus: string;
        FraudsterSimilarityScore?: number;
      }[];
    }>(`s3://${BUCKET}/fraud-output/${Job!.JobId}/fraudsters.json.out`);
    const [first, second] = output.SuccessfulRegistrations;
    expect(first).toMatchObject({ RequestId: 'fraud-a', RegistrationStatus: 'NEW_REGISTRATION' });
    expect(second).toMatchObject({
      RequestId: 'fraud-a-again',
      RegistrationStatus: 'DUPLICATE_SKIPPED',
      GeneratedFraudsterId: first.GeneratedFraudsterId,
    });
    expect(second.FraudsterSimilarityScore).toBeGreaterThanOrEqual(70);
    expect(output.Errors).toEqual([expect.objectContaining({ RequestId: 'too-short', ErrorCode: 400 })]);
    fraudsterId = first.GeneratedFraudsterId;
  });

  it('enrolls callers and reports every other entry as Voice ID did', async () => {
    await voiceId().send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: 'opted-out-caller' }));
    // A two-channel recording: the agent (another voice) on channel 0, the caller on channel 1.
    const agent = callAudio('spk2414', 45);
    const caller = callAudio('spk2033', 45).subarray(0, agent.length);
    const stereo = await put('audio/stereo-call.wav', encodeWav([agent.subarray(0, caller.length), caller]));
    const manifest = {
      Version: '1.0',
      SpeakerEnrollmentRequests: [
        { RequestId: 'good', SpeakerId: 'customer-1688', AudioSpecifications: await upload('spk1688', 0, 5) },
        { RequestId: 'stereo', SpeakerId: 'customer-2033', AudioSpecifications: [{ S3Uri: stereo, ChannelId: 1 }] },
        { RequestId: 'short', SpeakerId: 'customer-short', AudioSpecifications: (await upload('spk1998', 0, 1)).slice(0, 1) },
        { RequestId: 'missing', SpeakerId: 'customer-missing', AudioSpecifications: [{ S3Uri: `s3://${BUCKET}/audio/nowhere.wav` }] },
        { RequestId: 'not-wav', SpeakerId: 'customer-text', AudioSpecifications: [{ S3Uri: await put('audio/notes.txt', 'not audio') }] },
        { RequestId: 'opted-out', SpeakerId: 'opted-out-caller', AudioSpecifications: await upload('spk2609', 0, 5) },
        { RequestId: 'no-speaker', AudioSpecifications: await upload('spk2609', 0, 5) },
        { RequestId: 'fraudster', SpeakerId: 'customer-fraud', AudioSpecifications: await upload('spk3080', 0, 10) },
      ],
    };
    // Risk 90, where about 0.2 % of impostors reach: at the default 50 one caller in ten is another's likely match,
    // and this test is about the kinds of entries, not about which of these voices happen to sound alike.
    const { job, outputUri } = await runJob(manifest, { EnrollmentConfig: { FraudDetectionConfig: { RiskThreshold: 90 } } });
    expect(job).toMatchObject({
      JobStatus: 'COMPLETED_WITH_ERRORS',
      JobProgress: { PercentComplete: 100 },
      EnrollmentConfig: { ExistingEnrollmentAction: 'SKIP' },
    });
    expect(job.EndedAt).toBeInstanceOf(Date);
    const output = await readJson<EnrollmentOutput>(outputUri);
    expect(output.Version).toBe('1.0');
    expect(
      output.SuccessfulEnrollments.map(({ RequestId, CustomerSpeakerId, EnrollmentStatus }) => [
        RequestId,
        CustomerSpeakerId,
        EnrollmentStatus,
      ]),
    ).toEqual([
      ['good', 'customer-1688', 'NEW_ENROLLMENT'],
      ['stereo', 'customer-2033', 'NEW_ENROLLMENT'],
    ]);
    const errors = Object.fromEntries(output.Errors.map((e) => [e.RequestId, [e.ErrorCode, e.ErrorMessage]]));
    expect(errors).toEqual({
      short: [400, expect.stringMatching(/net speech; 30 s are needed/)],
      missing: [400, expect.stringMatching(/nowhere\.wav does not exist/)],
      'not-wav': [400, expect.stringMatching(/not a WAV file/)],
      'opted-out': [409, expect.stringMatching(/opted out/)],
      'no-speaker': [400, 'SpeakerId is required and must be a string.'],
      fraudster: [400, expect.stringContaining(`known fraudster ${fraudsterId}`)],
    });
  });

  it('authenticates callers enrolled by a job', async () => {
    const client = await sessions();
    for (const [speaker, customer] of [
      ['spk1688', 'customer-1688'],
      ['spk2033', 'customer-2033'],
    ]) {
      const { session } = await call(client, domainId, callAudio(speaker, 20, 6), { SpeakerId: customer });
      const result = await voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: session.SessionId }));
      expect(result.AuthenticationResult).toMatchObject({ Decision: 'ACCEPT', CustomerSpeakerId: customer });
    }
  });

  it('skips enrolled speakers again, or overwrites them when asked', async () => {
    const manifest = {
      Version: '1.0',
      SpeakerEnrollmentRequests: [{ RequestId: 'again', SpeakerId: 'customer-1688', AudioSpecifications: await upload('spk1688', 0, 10) }],
    };
    const skipped = await runJob(manifest);
    expect(skipped.job.JobStatus).toBe('COMPLETED');
    expect((await readJson<EnrollmentOutput>(skipped.outputUri)).SuccessfulEnrollments).toEqual([
      expect.objectContaining({ RequestId: 'again', EnrollmentStatus: 'DUPLICATE_SKIPPED' }),
    ]);
    const overwritten = await runJob(manifest, { EnrollmentConfig: { ExistingEnrollmentAction: 'OVERWRITE' } });
    expect((await readJson<EnrollmentOutput>(overwritten.outputUri)).SuccessfulEnrollments).toEqual([
      expect.objectContaining({ RequestId: 'again', EnrollmentStatus: 'ENROLLMENT_OVERWRITE' }),
    ]);
  });

  it('fails a job whose manifest repeats a RequestId, and writes nothing else', async () => {
    const audio = await upload('spk367', 0, 5);
    const manifest = {
      Version: '1.0',
      SpeakerEnrollmentRequests: [
        { RequestId: 'same', SpeakerId: 'customer-367', AudioSpecifications: audio },
        { RequestId: 'same', SpeakerId: 'customer-367b', AudioSpecifications: audio },
      ],
    };
    const { job } = await runJob(manifest);
    expect(job).toMatchObject({ JobStatus: 'FAILED', FailureDetails: { StatusCode: 400 } });
    expect(job.FailureDetails!.Message).toMatch(/RequestId same appears more than once/);
    const outputs = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `output/${job.JobId}/` }));
    expect(outputs.KeyCount ?? 0).toBe(0);
    expect(
      await failure(voiceId().send(new DescribeSpeakerEnrollmentJobCommand({ DomainId: domainId, JobId: 'x'.repeat(22) }))),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const { JobSummaries } = await voiceId().send(new ListSpeakerEnrollmentJobsCommand({ DomainId: domainId, JobStatus: 'FAILED' }));
    expect(JobSummaries!.map((summary) => summary.JobId)).toEqual([job.JobId]);
  });

  describe('refuses', () => {
    const valid = () => ({
      DomainId: domainId,
      DataAccessRoleArn: ROLE,
      InputDataConfig: { S3Uri: `s3://${BUCKET}/manifests/any.json` },
      OutputDataConfig: { S3Uri: `s3://${BUCKET}/output` },
    });
    const start = (input: Partial<StartSpeakerEnrollmentJobCommandInput>) =>
      failure(voiceId().send(new StartSpeakerEnrollmentJobCommand({ ...valid(), ...input })));

    it('a request that is not one, saying what to fix, and starts nothing', async () => {
      expect(await start({ DataAccessRoleArn: 'arn:aws:iam::000000000000:user/someone' })).toMatchObject({
        name: 'ValidationException',
        message: 'DataAccessRoleArn must be the ARN of an IAM role (arn:aws:iam::<account>:role/<name>).',
      });
      expect(await start({ InputDataConfig: { S3Uri: 'https://bucket/manifest.json' } })).toMatchObject({
        name: 'ValidationException',
        message: 'InputDataConfig.S3Uri must be an S3 URI: s3://<bucket>/<key>.',
      });
      expect(await start({ EnrollmentConfig: { FraudDetectionConfig: { RiskThreshold: 101 } } })).toMatchObject({
        message: 'RiskThreshold must be a whole number from 0 to 100.',
      });
      expect(await start({ EnrollmentConfig: { FraudDetectionConfig: { WatchlistIds: ['w'.repeat(22)] } } })).toMatchObject({
        name: 'ResourceNotFoundException',
      });
      expect(await start({ DomainId: 'd'.repeat(22) })).toMatchObject({ name: 'ResourceNotFoundException' });
      const { JobSummaries } = await voiceId().send(new ListSpeakerEnrollmentJobsCommand({ DomainId: domainId, JobStatus: 'SUBMITTED' }));
      expect(JobSummaries).toEqual([]);
    });

    it('a second active job of a kind in a domain', async () => {
      const ctx = await serviceContext();
      const active = jobRecord(domainId, { jobType: 'FRAUDSTER_REGISTRATION', status: 'IN_PROGRESS', enrollmentConfig: undefined });
      // Held in the store, with no execution behind it, so it stays active while the test runs.
      await ctx.jobs.create(active);
      try {
        const refused = await failure(voiceId().send(new StartFraudsterRegistrationJobCommand({ ...valid(), ClientToken: 'second-job' })));
        expect(refused).toMatchObject({
          name: 'ServiceQuotaExceededException',
          message: expect.stringMatching(/already has an active fraudster registration job/) as string,
        });
      } finally {
        await ctx.jobs.end(active, 'FAILED', Date.now(), { statusCode: 500, message: 'test' });
        await ctx.speech.close();
      }
    });

    it.each([
      [
        'StartSpeakerEnrollmentJob',
        (input: StartSpeakerEnrollmentJobCommandInput) => voiceId().send(new StartSpeakerEnrollmentJobCommand(input)),
      ],
      [
        'StartFraudsterRegistrationJob',
        (input: StartSpeakerEnrollmentJobCommandInput) => voiceId().send(new StartFraudsterRegistrationJobCommand(input)),
      ],
    ] as const)("%s naming a role outside the deployment's bound, with AccessDeniedException, and starts nothing", async (_, startJob) => {
      for (const DataAccessRoleArn of [
        // A role of another account, and one of this account without the prefix (voice-id-, the default).
        'arn:aws:iam::111122223333:role/voice-id-batch-access',
        'arn:aws:iam::000000000000:role/payroll-exports',
        'arn:aws:iam::000000000000:role/other/voice-id-batch-access',
      ]) {
        const refused = await failure(startJob({ ...valid(), DataAccessRoleArn }));
        expect({ name: refused.name, status: refused.$metadata?.httpStatusCode, message: refused.message }).toEqual({
          name: 'AccessDeniedException',
          status: 403,
          message: `The DataAccessRoleArn ${DataAccessRoleArn} is not a role this deployment's batch jobs may use: it must be a role of account 000000000000 whose path and name start with voice-id- (arn:aws:iam::000000000000:role/voice-id-...). Use such a role, or ask the operator to change the stack parameter dataAccessRolePrefix.`,
        });
      }
      const ctx = await serviceContext();
      try {
        for (const jobType of ['SPEAKER_ENROLLMENT', 'FRAUDSTER_REGISTRATION'] as const) {
          expect((await ctx.jobs.list(domainId, jobType, 'SUBMITTED', 10)).items).toEqual([]);
        }
      } finally {
        await ctx.speech.close();
      }
    });

    it('a job whose role left the bound after it was accepted: the worker checks again before it assumes the role', async () => {
      const ctx = await serviceContext();
      try {
        const manifest = await put(`manifests/bound-${Date.now()}.json`, JSON.stringify({ Version: '1.0', SpeakerEnrollmentRequests: [] }));
        // Stored as a job accepted under a wider bound would be; the local STS would assume this role.
        const job = jobRecord(domainId, { inputS3Uri: manifest, dataAccessRoleArn: 'arn:aws:iam::000000000000:role/payroll-exports' });
        await ctx.jobs.create(job);
        expect(await prepareJob(ctx, { domainId, jobId: job.jobId, jobType: job.jobType })).toEqual({ batches: [] });
        const ended = await ctx.jobs.require(domainId, job.jobType, job.jobId);
        expect(ended).toMatchObject({ status: 'FAILED', failure: { statusCode: 400 } });
        expect(ended.failure!.message).toMatch(
          /^The DataAccessRoleArn arn:aws:iam::000000000000:role\/payroll-exports is not a role this deployment's batch jobs may use/,
        );
      } finally {
        await ctx.speech.close();
      }
    });

    it('fails a job whose manifest is not one, saying why', async () => {
      const notJson = await runJob('this is not JSON');
      expect(notJson.job.FailureDetails!.Message).toMatch(/is not valid JSON/);
      const empty = await runJob({ Version: '1.0', SpeakerEnrollmentRequests: [] });
      expect(empty.job.FailureDetails!.Message).toMatch(/SpeakerEnrollmentRequests is empty/);
      const missing = await runJob({ Version: '1.0' }, { InputDataConfig: { S3Uri: `s3://${BUCKET}/manifests/none.json` } });
      expect(missing.job.FailureDetails!.Message).toMatch(/none\.json does not exist/);
    });
  });
});
