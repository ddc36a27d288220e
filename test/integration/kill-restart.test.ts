import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateDomainCommand,
  DescribeDomainCommand,
  DescribeSpeakerCommand,
  DescribeSpeakerEnrollmentJobCommand,
  EvaluateSessionCommand,
  ListSpeakersCommand,
  type SpeakerSummary,
  StartSpeakerEnrollmentJobCommand,
  UpdateDomainCommand,
  VoiceIDClient,
} from '@aws-sdk/client-voice-id';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AppendResult, SessionClient, type SessionDescription, toPcm16 } from '#connectors/session-client';
import { ROLE, stageEnrollmentJob, until } from '#test/support/batch-job-files';
import { callAudio } from '#test/support/calls';
import { type StackProcess, sampleProcess, startStackProcess } from '#test/support/stack-process';

/**
 * `npm start`'s program killed outright (SIGKILL: a crash, the OOM killer, a power-cut of the process) in the
 * middle of its work, and started again on the same data directory. Nothing acknowledged is lost, nothing is counted
 * twice, and every call, job and key change goes on or ends in a documented state. The first kills take the whole
 * process group, engines included; the last only the service's Node process, so that DynamoDB Local and the S3
 * stand-in live on as orphans and the next start must stop them itself.
 */
describe('SIGKILL and a restart', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-kill-'));
  let stack: StackProcess;
  let orphans: number[] = [];
  let sessions: SessionClient;
  let voiceId: VoiceIDClient;
  let DomainId: string;
  let keyA: string;

  const start = async () => {
    stack = await startStackProcess({}, dataDir, undefined, { ownProcessGroup: true });
    const e = stack.endpoints;
    const address = { endpoint: e.voiceId, region: e.region, credentials: e.credentials };
    sessions = new SessionClient(address);
    voiceId = new VoiceIDClient({ ...address, maxAttempts: 1 });
  };
  const restart = async (scope: 'group' | 'service') => {
    orphans = await stack.crash(scope);
    await start();
  };

  /** The service's tables in the running stack's DynamoDB Local, read raw: `name` finds one by its name in the template. */
  async function rawTables<T>(read: (client: DynamoDBDocumentClient, name: (table: string) => string) => Promise<T>): Promise<T> {
    const e = stack.endpoints;
    const client = new DynamoDBClient({ endpoint: e.dynamodb, region: e.region, credentials: e.credentials });
    try {
      const { TableNames = [] } = await client.send(new ListTablesCommand({}));
      return await read(DynamoDBDocumentClient.from(client), (table) => TableNames.find((t) => t.includes(table))!);
    } finally {
      client.destroy();
    }
  }

  /** The key each voiceprint and session stream of the domain is sealed under, as recorded with it. */
  const sealedUnder = () =>
    rawTables(async (client, name) => {
      const query = async (table: string) =>
        (
          await client.send(
            new QueryCommand({
              TableName: name(table),
              KeyConditionExpression: 'domainId = :d',
              ExpressionAttributeValues: { ':d': DomainId },
            }),
          )
        ).Items ?? [];
      return {
        voiceprints: (await query('Voiceprints')).map((item) => item.kmsKeyArn as string),
        streams: (await query('Sessions')).filter((item) => item.stream).map((item) => (item.stream as { kmsKeyArn: string }).kmsKeyArn),
      };
    });

  async function allSpeakers(): Promise<SpeakerSummary[]> {
    const speakers: SpeakerSummary[] = [];
    let NextToken: string | undefined;
    do {
      const page = await voiceId.send(new ListSpeakersCommand({ DomainId, NextToken, MaxResults: 100 }));
      speakers.push(...page.SpeakerSummaries!);
      NextToken = page.NextToken;
    } while (NextToken);
    return speakers;
  }

  beforeAll(async () => {
    await start();
    const e = stack.endpoints;
    const kms = new KMSClient({ endpoint: e.kms, region: e.region, credentials: e.credentials });
    keyA = (await kms.send(new CreateKeyCommand({ Description: 'kill tests: first key' }))).KeyMetadata!.Arn!;
    const { Domain } = await voiceId.send(new CreateDomainCommand({ Name: 'kill', ServerSideEncryptionConfiguration: { KmsKeyId: keyA } }));
    DomainId = Domain!.DomainId!;
    const { Session } = await sessions.startSession({ DomainId, SessionName: 'enrollment', SpeakerId: 'caller' });
    const audio = callAudio('spk1688', 44);
    for (let i = 0; i * 16_000 < audio.length; i++) {
      await sessions.appendAudio({
        DomainId,
        SessionNameOrId: Session.SessionId,
        SequenceNumber: i,
        Audio: toPcm16(audio.subarray(i * 16_000, (i + 1) * 16_000)),
      });
    }
    await sessions.call('EnrollSessionSpeaker', { DomainId, SessionNameOrId: Session.SessionId });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    for (const pid of orphans.filter((orphan) => sampleProcess(orphan))) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Three calls of the genuine caller (the recordings after those of the enrollment, 23 s), in
  // half-second chunks.
  const CHUNK = 4000;
  const audio = callAudio('spk1688', 20, 6);
  const chunks = Array.from({ length: Math.floor(audio.length / CHUNK) }, (_, i) => toPcm16(audio.subarray(i * CHUNK, (i + 1) * CHUNK)));
  const calls = [0, 1, 2].map((i) => ({ name: `contact-${i}`, chunks, acknowledged: 0 }));

  it('mid-call: the counts are the chunks acknowledged, a retried chunk counts once, and the calls go on', async () => {
    for (const call of calls) await sessions.startSession({ DomainId, SessionName: call.name, SpeakerId: 'caller' });
    // Three calls stream as fast as they are answered, so that each has a chunk in flight when the kill comes.
    let killed = false;
    const streaming = calls.map(async (call) => {
      while (!killed && call.acknowledged < call.chunks.length) {
        const SequenceNumber = call.acknowledged;
        try {
          await sessions.appendAudio({ DomainId, SessionNameOrId: call.name, SequenceNumber, Audio: call.chunks[SequenceNumber] });
        } catch {
          return; // the stack is gone, the chunk unacknowledged
        }
        // An answer that comes once the kill is decided is taken as lost, as by a client whose connection dropped.
        if (!killed) call.acknowledged = SequenceNumber + 1;
      }
    });
    while (calls.some((call) => call.acknowledged < 6)) await new Promise((resolve) => setTimeout(resolve, 20));
    killed = true;
    const crashed = restart('group');
    await Promise.all(streaming);
    await crashed;

    for (const call of calls) {
      const target = { DomainId, SessionNameOrId: call.name };
      const { Session } = await sessions.call<{ Session: SessionDescription }>('DescribeSession', target);
      // The chunk in flight at the kill may have been taken or not; nothing acknowledged is missing.
      expect([call.acknowledged, call.acknowledged + 1]).toContain(Session.NextSequenceNumber);
      expect(Session.AudioSeconds).toBeCloseTo((Session.NextSequenceNumber * CHUNK) / 8000, 3);
      // The client retries the chunk it had no answer for, twice: it counts once.
      const retry = () => sessions.appendAudio({ ...target, SequenceNumber: call.acknowledged, Audio: call.chunks[call.acknowledged] });
      const [first, second] = [await retry(), await retry()];
      expect(first).toEqual(second);
      expect(first.NextSequenceNumber).toBe(call.acknowledged + 1);
      expect(first.AudioSeconds).toBeCloseTo(((call.acknowledged + 1) * CHUNK) / 8000, 3);
      let last: AppendResult = first;
      for (let i = call.acknowledged + 1; i < call.chunks.length; i++) {
        last = await sessions.appendAudio({ ...target, SequenceNumber: i, Audio: call.chunks[i] });
      }
      expect(last.AudioSeconds).toBeCloseTo((call.chunks.length * CHUNK) / 8000, 3);
      const result = await voiceId.send(new EvaluateSessionCommand(target));
      expect(result.AuthenticationResult).toMatchObject({ Decision: 'ACCEPT', CustomerSpeakerId: 'caller' });
    }
  }, 240_000);

  it('mid-batch-job: the job ends in a documented state, and no speaker is enrolled or counted twice', async () => {
    const e = stack.endpoints;
    const s3 = new S3Client({ endpoint: e.s3, region: e.region, credentials: e.credentials, forcePathStyle: true });
    // Voices other than the caller's: a domain's own voices are its score cohort, and the caller's twin in it would
    // make the caller's later evaluations REJECT.
    const input = await stageEnrollmentJob(s3, { callers: 30, callerPrefix: 'job-caller-', voices: (speaker) => speaker !== 'spk1688' });
    const { Job } = await voiceId.send(new StartSpeakerEnrollmentJobCommand({ DomainId, DataAccessRoleArn: ROLE, ...input }));
    // Killed once the job has enrolled some of its callers and not all.
    let before = await allSpeakers();
    while (before.length < 3) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      before = await allSpeakers();
    }
    await restart('group');

    const ended = await until(
      async () => (await voiceId.send(new DescribeSpeakerEnrollmentJobCommand({ DomainId, JobId: Job!.JobId }))).Job!,
    );
    // The embedded S3 kept the bucket in memory: the requests still open end as errors, and the output file cannot
    // be written, which fails the job and says why.
    expect(ended).toMatchObject({
      JobStatus: 'FAILED',
      FailureDetails: {
        StatusCode: 400,
        Message: expect.stringMatching(
          /output file could not be written: s3:\/\/recordings\/output\/.* could not be written: its bucket does not exist/,
        ) as string,
      },
    });

    const after = await allSpeakers();
    const ids = after.map((speaker) => speaker.CustomerSpeakerId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const speaker of before) {
      expect(after.find((s) => s.GeneratedSpeakerId === speaker.GeneratedSpeakerId)).toMatchObject({ Status: 'ENROLLED' });
    }
    const counted = await rawTables(
      async (client, name) =>
        (await client.send(new GetCommand({ TableName: name('QuotaCounters'), Key: { counterId: `speakers/${DomainId}` } }))).Item!
          .count as number,
    );
    expect(counted).toBe(after.length);
  }, 240_000);

  it('mid-re-encryption, engines orphaned: the next start stops them, and the re-encryption completes with every voiceprint and stream opening', async () => {
    const beforeKeyChange = await sealedUnder();
    expect(beforeKeyChange.voiceprints.length).toBeGreaterThanOrEqual(3);
    const e = stack.endpoints;
    const kms = new KMSClient({ endpoint: e.kms, region: e.region, credentials: e.credentials });
    const keyB = (await kms.send(new CreateKeyCommand({ Description: 'kill tests: second key' }))).KeyMetadata!.Arn!;

    const { Domain } = await voiceId.send(new DescribeDomainCommand({ DomainId }));
    await voiceId.send(new UpdateDomainCommand({ DomainId, Name: Domain!.Name, ServerSideEncryptionConfiguration: { KmsKeyId: keyB } }));
    await restart('service');
    expect(orphans.length).toBeGreaterThanOrEqual(2);
    expect(orphans.filter((pid) => sampleProcess(pid))).toEqual([]);

    let details = (await voiceId.send(new DescribeDomainCommand({ DomainId }))).Domain!.ServerSideEncryptionUpdateDetails;
    for (let i = 0; i < 600 && details?.UpdateStatus === 'IN_PROGRESS'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      details = (await voiceId.send(new DescribeDomainCommand({ DomainId }))).Domain!.ServerSideEncryptionUpdateDetails;
    }
    expect(details).toEqual({ OldKmsKeyId: keyA, UpdateStatus: 'COMPLETED' });
    const afterKeyChange = await sealedUnder();
    expect(afterKeyChange.voiceprints).toHaveLength(beforeKeyChange.voiceprints.length);
    expect(afterKeyChange.streams).toHaveLength(beforeKeyChange.streams.length);
    expect(new Set([...afterKeyChange.voiceprints, ...afterKeyChange.streams])).toEqual(new Set([keyB]));

    for (const speaker of await allSpeakers()) {
      const { Speaker } = await voiceId.send(new DescribeSpeakerCommand({ DomainId, SpeakerId: speaker.GeneratedSpeakerId }));
      expect(Speaker!.Status).toBe('ENROLLED');
    }
    for (const call of calls) {
      const result = await voiceId.send(new EvaluateSessionCommand({ DomainId, SessionNameOrId: call.name }));
      expect(result.AuthenticationResult).toMatchObject({ Decision: 'ACCEPT', CustomerSpeakerId: 'caller' });
    }
  }, 240_000);
});
