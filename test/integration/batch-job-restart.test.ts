import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateDomainCommand,
  DescribeSpeakerEnrollmentJobCommand,
  StartSpeakerEnrollmentJobCommand,
  VoiceIDClient,
} from '@aws-sdk/client-voice-id';
import { ROLE, stageEnrollmentJob, until } from '#test/support/batch-job-files';
import { type StackProcess, startStackProcess } from '#test/support/stack-process';

/**
 * `npm start`'s program stopped (Ctrl-C) while a job runs: when it starts again the job runs again from the
 * tables, and ends; it never stays IN_PROGRESS. The embedded S3 keeps objects in memory, so the recordings are gone
 * after the restart, and the job says so.
 */
describe('a restart in the middle of a batch job', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-job-restart-'));
  let stack: StackProcess | undefined;
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the job ended, not stuck', async () => {
    stack = await startStackProcess({}, dataDir);
    const e = stack.endpoints;
    const address = { region: e.region, credentials: e.credentials };
    const s3 = new S3Client({ ...address, endpoint: e.s3, forcePathStyle: true });
    let voiceId = new VoiceIDClient({ ...address, endpoint: e.voiceId, maxAttempts: 1 });
    const { Domain } = await voiceId.send(
      new CreateDomainCommand({ Name: 'job-restart', ServerSideEncryptionConfiguration: { KmsKeyId: e.defaultKmsKeyArn } }),
    );
    const DomainId = Domain!.DomainId!;
    const input = await stageEnrollmentJob(s3, { callers: 40, callerPrefix: 'caller-' });
    const { Job } = await voiceId.send(new StartSpeakerEnrollmentJobCommand({ DomainId, DataAccessRoleArn: ROLE, ...input }));

    await stack.stop();
    stack = await startStackProcess({}, dataDir);
    voiceId = new VoiceIDClient({ ...address, endpoint: stack.endpoints.voiceId, maxAttempts: 1 });
    const ended = await until(
      async () => (await voiceId.send(new DescribeSpeakerEnrollmentJobCommand({ DomainId, JobId: Job!.JobId }))).Job!,
    );
    expect(ended.JobStatus).toBe('FAILED');
    expect(ended.FailureDetails!.Message).toMatch(/does not exist/);
  }, 240_000);
});
