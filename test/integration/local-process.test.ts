import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CreateDomainCommand, StartSpeakerEnrollmentJobCommand, VoiceIDClient } from '@aws-sdk/client-voice-id';
import type { Endpoints } from '#lib/local/embedded-stack';
import { LOCAL_DEFAULT_KEY_ALIAS } from '#lib/local/kms-local';
import { pythonClients } from '#test/support/python-clients';

const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);

/** `npm start`'s program, as a user runs it, until it prints that it is listening. */
async function startService(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; endpoints: Endpoints }> {
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/local.ts'], {
    cwd: ROOT,
    env: { ...process.env, VOICE_ID_DATA_DIR: dataDir, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('is listening on')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`The service exited with ${code}: ${output}`)));
  });
  return { child, endpoints: JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8')) as Endpoints };
}

async function stopWithCtrlC(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

const portIsClosed = (url: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

describe('the service as `npm start` runs it, driven by the AWS CLI', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-process-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the AWS CLI, keeps its data across a restart, and stops every engine on Ctrl-C', async () => {
    const { aws } = pythonClients();
    /** The AWS CLI's JSON output of a Voice ID call, with the members these tests read. */
    type CliOutput = { Domain?: { DomainId: string; Name: string }; DomainSummaries?: { DomainId: string }[] };
    const cli = async (endpoints: Endpoints, ...args: string[]): Promise<CliOutput> => {
      const env = {
        ...process.env,
        AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: endpoints.region,
      };
      const { stdout } = await run(aws, ['voice-id', ...args, '--endpoint-url', endpoints.voiceId, '--output', 'json'], { env });
      return (stdout ? JSON.parse(stdout) : {}) as CliOutput;
    };

    const first = await startService(dataDir);
    const created = await cli(
      first.endpoints,
      'create-domain',
      '--name',
      'cli-domain',
      '--server-side-encryption-configuration',
      `KmsKeyId=${first.endpoints.defaultKmsKeyArn}`,
    );
    const domainId = created.Domain!.DomainId;
    expect(created.Domain!.Name).toBe('cli-domain');
    await cli(
      first.endpoints,
      'update-domain',
      '--domain-id',
      domainId,
      '--name',
      'cli-renamed',
      '--server-side-encryption-configuration',
      `KmsKeyId=${first.endpoints.defaultKmsKeyArn}`,
    );
    // A fresh data directory: this is the only domain.
    expect((await cli(first.endpoints, 'list-domains')).DomainSummaries!.map((d) => d.DomainId)).toEqual([domainId]);
    await stopWithCtrlC(first.child);
    expect(await portIsClosed(first.endpoints.dynamodb)).toBe(true);
    expect(await portIsClosed(first.endpoints.s3)).toBe(true);

    const second = await startService(dataDir);
    try {
      const described = await cli(second.endpoints, 'describe-domain', '--domain-id', domainId);
      expect(described.Domain!.Name).toBe('cli-renamed');
      await cli(second.endpoints, 'delete-domain', '--domain-id', domainId);
      await expect(cli(second.endpoints, 'describe-domain', '--domain-id', domainId)).rejects.toThrow(/ResourceNotFoundException/);
    } finally {
      await stopWithCtrlC(second.child);
    }
  }, 240_000);

  it("takes the bounds on jobs' roles and domains' keys from its environment, and refuses to start on a wrong one", async () => {
    const bounded = mkdtempSync(path.join(tmpdir(), 'voice-id-bounded-'));
    try {
      const { child, endpoints } = await startService(bounded, {
        DATA_ACCESS_ROLE_PREFIX: 'migration/',
        DOMAIN_KMS_KEYS: LOCAL_DEFAULT_KEY_ALIAS,
      });
      const client = new VoiceIDClient({ endpoint: endpoints.voiceId, region: endpoints.region, credentials: endpoints.credentials });
      try {
        const create = (KmsKeyId: string) =>
          client.send(new CreateDomainCommand({ Name: 'bounded', ServerSideEncryptionConfiguration: { KmsKeyId } }));
        await expect(create(endpoints.defaultKmsKeyArn)).rejects.toMatchObject({ name: 'ValidationException' });
        const { Domain } = await create(LOCAL_DEFAULT_KEY_ALIAS);
        const start = (role: string) =>
          client.send(
            new StartSpeakerEnrollmentJobCommand({
              DomainId: Domain!.DomainId,
              DataAccessRoleArn: `arn:aws:iam::000000000000:role/${role}`,
              InputDataConfig: { S3Uri: 's3://recordings/manifest.json' },
              OutputDataConfig: { S3Uri: 's3://recordings/output/' },
            }),
          );
        await expect(start('voice-id-batch-access')).rejects.toMatchObject({
          name: 'AccessDeniedException',
          message: expect.stringContaining('whose path and name start with migration/') as string,
        });
        expect((await start('migration/voice-id-batch-access')).Job!.JobStatus).toBe('SUBMITTED');
      } finally {
        client.destroy();
        await stopWithCtrlC(child);
      }
      await expect(startService(bounded, { DATA_ACCESS_ROLE_PREFIX: 'migration/*' })).rejects.toThrow(
        /DATA_ACCESS_ROLE_PREFIX must be what DataAccessRoleArns start with after "role\/".*, not migration\/\*\./,
      );
    } finally {
      rmSync(bounded, { recursive: true, force: true });
    }
  }, 240_000);
});
