import { statSync } from 'node:fs';
import * as path from 'node:path';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { endpoints, kms, testStack } from '#test/support/clients';

describe('the embedded engines', () => {
  it('keep the files of the data directory that hold secrets readable by their owner only', () => {
    const { dataDir } = testStack();
    for (const file of ['endpoints.json', 'local-secrets.json', 'kms/keys.json'].map((name) => path.join(dataDir, name))) {
      expect({ file, groupAndOthers: statSync(file).mode & 0o077 }).toEqual({ file, groupAndOthers: 0 });
    }
  });

  it("run the synthesized batch job state machine, whose tasks are the worker handler, with Step Functions' execution names", async () => {
    const e = endpoints();
    const sfn = new SFNClient({ endpoint: e.stepFunctions, region: e.region, credentials: e.credentials });
    const [stateMachineArn] = Object.values(e.stateMachines);
    // A job no store knows: Prepare fails, and so does RecordFailure, so the execution fails (jobs run in batch-jobs.test.ts).
    const input = JSON.stringify({ job: { domainId: 'd'.repeat(22), jobId: 'j'.repeat(22), jobType: 'SPEAKER_ENROLLMENT' } });
    const name = `unknown-job-${Date.now()}`;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input, name }));
    let execution;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    } while (execution.status === 'RUNNING');
    expect(execution.status).toBe('FAILED');
    // The same name and input is the same execution; the same name with other input is refused.
    expect((await sfn.send(new StartExecutionCommand({ stateMachineArn, input, name }))).executionArn).toBe(executionArn);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}', name }))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('keep S3 objects', async () => {
    const e = endpoints();
    const s3 = new S3Client({ endpoint: e.s3, region: e.region, credentials: e.credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'call-recordings' }));
    await s3.send(new PutObjectCommand({ Bucket: 'call-recordings', Key: 'manifest.json', Body: '{"Version":"1.0"}' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: 'call-recordings', Key: 'manifest.json' }));
    expect(await object.Body!.transformToString()).toBe('{"Version":"1.0"}');
    // Every local bucket is the local account's: a call expecting another owner is refused, as S3 refuses it.
    const read = (ExpectedBucketOwner: string) =>
      s3.send(new GetObjectCommand({ Bucket: 'call-recordings', Key: 'manifest.json', ExpectedBucketOwner }));
    expect(await (await read('000000000000')).Body!.transformToString()).toBe('{"Version":"1.0"}');
    await expect(read('111122223333')).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'call-recordings', Key: 'other.json', Body: '{}', ExpectedBucketOwner: '111122223333' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'call-recordings', Key: 'other.json' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('bind the KMS encryption context to the ciphertext', async () => {
    const KeyId = endpoints().defaultKmsKeyArn;
    const EncryptionContext = { 'voiceid:domain': 'a'.repeat(22) };
    const { CiphertextBlob } = await kms().send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('voiceprint'), EncryptionContext }));
    const { Plaintext } = await kms().send(new DecryptCommand({ CiphertextBlob, EncryptionContext }));
    expect(Buffer.from(Plaintext!).toString()).toBe('voiceprint');
    await expect(
      kms().send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { 'voiceid:domain': 'b'.repeat(22) } })),
    ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });

    const dataKey = await kms().send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext }));
    expect(dataKey.Plaintext).toHaveLength(32);
    const unwrapped = await kms().send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext }));
    expect(Buffer.from(unwrapped.Plaintext!)).toEqual(Buffer.from(dataKey.Plaintext!));
  });
});
