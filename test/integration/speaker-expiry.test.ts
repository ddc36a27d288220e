import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeSpeakerCommand,
  DescribeSpeakerEnrollmentJobCommand,
  EvaluateSessionCommand,
  ListSpeakersCommand,
  OptOutSpeakerCommand,
  StartSpeakerEnrollmentJobCommand,
} from '@aws-sdk/client-voice-id';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainRecord } from '#api-model/domain';
import type { SpeakerRecord } from '#api-model/speaker';
import type { ServiceContext } from '#context';
import { operationsByName } from '#operations/index';
import { BUCKET, createBucket, put, ROLE, until, upload } from '#test/support/batch-job-files';
import { sessions } from '#test/support/calls';
import { serviceContext, serviceTables, voiceId } from '#test/support/clients';
import { enrolledSpeakerRecord } from '#test/support/speaker-record';
import { newDomain } from '#test/support/voice-id-errors';
import { expireSpeakers } from '#workflows/expire-speakers';

const ROOT = path.join(__dirname, '..', '..');
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const THREE_YEARS = 3 * 365 * DAY;

/**
 * Voice ID's three-year rule: a speaker not enrolled, re-enrolled or authenticated for three years is EXPIRED on
 * every read at once, the daily sweep then marks it and purges its voiceprint, and enrolling it again brings it
 * back. The clock is the operation context's (`now`), moved by giving the operations another one.
 */
describe('speaker expiry', () => {
  let ctx: ServiceContext;
  let domain: DomainRecord;
  let idle: SpeakerRecord;
  let recent: SpeakerRecord;

  /** An enrolled speaker last accessed at `lastAccessedAt`, with a voiceprint sealed as an enrollment then would have. */
  async function enrolledSpeaker(customerSpeakerId: string, lastAccessedAt: number): Promise<SpeakerRecord> {
    const speaker = enrolledSpeakerRecord(domain.domainId, customerSpeakerId, lastAccessedAt);
    const vector = Float32Array.from({ length: 256 }, () => 1 / 16);
    const owner = { kind: 'speaker' as const, id: speaker.speakerId };
    const sealed = await ctx.voiceprints.seal(
      domain,
      owner,
      { model: ctx.speech.model, vector },
      lastAccessedAt,
      lastAccessedAt + ctx.speakerExpiryMs,
    );
    await ctx.speakers.create(speaker, 5, sealed);
    return speaker;
  }

  async function voiceprintItem(speaker: SpeakerRecord) {
    const { client, names } = await serviceTables();
    const { Item } = await client.send(
      new GetCommand({
        TableName: names.voiceprints,
        Key: { domainId: speaker.domainId, ownerId: `speaker#${speaker.speakerId}` },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  async function storedStatus(speaker: SpeakerRecord) {
    return (await ctx.speakers.find(speaker.domainId, speaker.speakerId))!.status;
  }

  const describe_ = (at: ServiceContext, SpeakerId: string) =>
    operationsByName.get('DescribeSpeaker')!.call({ DomainId: domain.domainId, SpeakerId }, at) as Promise<{ Speaker: { Status: string } }>;

  beforeAll(async () => {
    ctx = await serviceContext();
    domain = await ctx.domains.require((await newDomain('speaker-expiry')).DomainId!);
    const now = Date.now();
    idle = await enrolledSpeaker('idle-caller', now - THREE_YEARS - HOUR);
    recent = await enrolledSpeaker('recent-caller', now - DAY);
  });
  afterAll(() => ctx.speech.close());

  it('reports an idle speaker EXPIRED before the sweep has run: Describe, List and EvaluateSession', async () => {
    const DomainId = domain.domainId;
    expect((await voiceId().send(new DescribeSpeakerCommand({ DomainId, SpeakerId: 'idle-caller' }))).Speaker!.Status).toBe('EXPIRED');
    expect((await voiceId().send(new DescribeSpeakerCommand({ DomainId, SpeakerId: 'recent-caller' }))).Speaker!.Status).toBe('ENROLLED');
    const { SpeakerSummaries } = await voiceId().send(new ListSpeakersCommand({ DomainId }));
    expect(Object.fromEntries(SpeakerSummaries!.map((s) => [s.CustomerSpeakerId, s.Status]))).toEqual({
      'idle-caller': 'EXPIRED',
      'recent-caller': 'ENROLLED',
    });
    const client = await sessions();
    await client.startSession({ DomainId, SessionName: 'idle-call', SpeakerId: 'idle-caller' });
    const result = await voiceId().send(new EvaluateSessionCommand({ DomainId, SessionNameOrId: 'idle-call' }));
    expect(result.AuthenticationResult).toMatchObject({ Decision: 'SPEAKER_EXPIRED', CustomerSpeakerId: 'idle-caller' });
    // Still enrolled in the table, with a voiceprint whose TTL is due: DynamoDB's Time to Live (which the embedded
    // stack runs too) erases it before the sweep comes, and the speaker stays ENROLLED until then.
    expect(await storedStatus(idle)).toBe('ENROLLED');
    const deadline = Date.now() + 20_000;
    while ((await voiceprintItem(idle)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await voiceprintItem(idle)).toBeUndefined();
    expect(await storedStatus(idle)).toBe('ENROLLED');
    expect((await voiceId().send(new DescribeSpeakerCommand({ DomainId, SpeakerId: 'idle-caller' }))).Speaker!.Status).toBe('EXPIRED');
  });

  it('is swept, its voiceprint gone by TTL already: the idle speaker is EXPIRED with no voiceprint left, the recent one untouched; a second sweep finds nothing', async () => {
    expect(await expireSpeakers(ctx)).toEqual({ expiredSpeakers: 1 });
    expect(await storedStatus(idle)).toBe('EXPIRED');
    expect(await voiceprintItem(idle)).toBeUndefined();
    expect(await storedStatus(recent)).toBe('ENROLLED');
    expect(await voiceprintItem(recent)).toBeDefined();
    expect(await expireSpeakers(ctx)).toEqual({ expiredSpeakers: 0 });
  });

  it("moves with authentication: an access pushes the voiceprint's TTL three years on", async () => {
    const now = Date.now();
    await ctx.speakers.recordAccess(recent, now, ctx.speakerExpiryMs);
    expect((await voiceprintItem(recent))!.expiresAt).toBe(Math.ceil((now + THREE_YEARS) / 1000));
  });

  it('expires a speaker three years after its last access on a moved clock, and not a minute before', async () => {
    const accessed = (await ctx.speakers.find(domain.domainId, recent.speakerId))!.lastAccessedAt!;
    const early = { ...ctx, now: () => accessed + THREE_YEARS - 60_000 };
    const late = { ...ctx, now: () => accessed + THREE_YEARS + 60_000 };
    expect((await describe_(early, 'recent-caller')).Speaker.Status).toBe('ENROLLED');
    expect((await describe_(late, 'recent-caller')).Speaker.Status).toBe('EXPIRED');
    const { expiredSpeakers } = await expireSpeakers(late);
    expect(expiredSpeakers).toBeGreaterThanOrEqual(1);
    expect(await storedStatus(recent)).toBe('EXPIRED');
    expect(await voiceprintItem(recent)).toBeUndefined();
  });

  it("takes a shorter period where a deployment's policy sets one", async () => {
    const fresh = await enrolledSpeaker('policy-caller', Date.now() - 31 * DAY);
    expect((await describe_({ ...ctx, speakerExpiryMs: 30 * DAY }, 'policy-caller')).Speaker.Status).toBe('EXPIRED');
    expect((await describe_(ctx, 'policy-caller')).Speaker.Status).toBe('ENROLLED');
    expect(await storedStatus(fresh)).toBe('ENROLLED');
  });

  it('enrolls an expired speaker again', async () => {
    await createBucket();
    const manifest = {
      Version: '1.0',
      SpeakerEnrollmentRequests: [{ RequestId: 'back', SpeakerId: 'idle-caller', AudioSpecifications: await upload('spk1688', 0, 10) }],
    };
    const { Job } = await voiceId().send(
      new StartSpeakerEnrollmentJobCommand({
        DomainId: domain.domainId,
        DataAccessRoleArn: ROLE,
        InputDataConfig: { S3Uri: await put(`manifests/expired-${Date.now()}.json`, JSON.stringify(manifest)) },
        OutputDataConfig: { S3Uri: `s3://${BUCKET}/output` },
      }),
    );
    const ended = await until(
      async () => (await voiceId().send(new DescribeSpeakerEnrollmentJobCommand({ DomainId: domain.domainId, JobId: Job!.JobId }))).Job!,
    );
    expect(ended.JobStatus).toBe('COMPLETED');
    const { Speaker } = await voiceId().send(new DescribeSpeakerCommand({ DomainId: domain.domainId, SpeakerId: 'idle-caller' }));
    expect(Speaker).toMatchObject({ Status: 'ENROLLED', GeneratedSpeakerId: idle.speakerId });
    expect(await voiceprintItem(idle)).toBeDefined();
  });

  describe('the compliance report', () => {
    const report = async () => (await sessions()).call<Record<string, unknown>>('GetComplianceReport', { DomainId: domain.domainId });

    it('counts speakers as reads report them, and finds an opted-out speaker clean, or holding a voiceprint', async () => {
      await voiceId().send(new OptOutSpeakerCommand({ DomainId: domain.domainId, SpeakerId: 'opted-out-caller' }));
      expect(await report()).toMatchObject({
        DomainId: domain.domainId,
        SpeakerExpiryDays: 1095,
        SpeakersByStatus: { ENROLLED: 2, EXPIRED: 1, OPTED_OUT: 1, PENDING: 0 },
        SpeakersDueToExpire: { Within30Days: 0, Within90Days: 0 },
        OptedOutSpeakers: { Count: 1, HoldingBiometricData: [] },
        ExpiredSpeakersAwaitingPurge: 0,
        DomainKmsKeyId: domain.kmsKeyId,
        VoiceprintsByKmsKey: [{ KmsKeyArn: expect.stringMatching(/^arn:aws:kms:/) as string, Speakers: 2, Fraudsters: 0 }],
      });

      // A voiceprint left behind for the opted-out speaker (as a bug would leave it) is found, and the command fails.
      const optedOut = (await ctx.speakers.find(domain.domainId, 'opted-out-caller'))!;
      const { client, names } = await serviceTables();
      await client.send(
        new PutCommand({
          TableName: names.voiceprints,
          Item: {
            domainId: domain.domainId,
            ownerId: `speaker#${optedOut.speakerId}`,
            kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/left',
          },
        }),
      );
      expect((await report()).OptedOutSpeakers).toEqual({
        Count: 1,
        HoldingBiometricData: [{ GeneratedSpeakerId: optedOut.speakerId, Voiceprint: true, SessionSpeech: false }],
      });
      // Asynchronous on purpose: Jest may run this in the process that serves the embedded stack.
      const command = await promisify(execFile)(
        path.join(ROOT, 'node_modules', '.bin', 'tsx'),
        ['bin/compliance.ts', '--domain', domain.domainId, '--endpoints', path.join(process.env.VOICE_ID_TEST_DATA_DIR!, 'endpoints.json')],
        { cwd: ROOT },
      ).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => error,
      );
      expect(command.stdout).toContain('Opted-out speakers holding biometric data: 1 of 1');
      expect(command.stdout).toContain(`NOT CLEAN ${optedOut.speakerId}: voiceprint`);
      expect(command.code).toBe(1);
    });
  });
});
