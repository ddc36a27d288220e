/**
 * The speech engine on worker threads, for a process that serves many calls (the embedded stack): each worker has
 * its own ONNX sessions, and a job goes to the worker with the fewest waiting, so a long embedding on one thread
 * does not hold up the chunks of other calls.
 *
 * A worker cannot load speech-worker.ts by path where no TypeScript loader is registered in the new thread (Jest
 * runs the embedded stack in its globalSetup), so the entry is bundled with esbuild into one JavaScript file at
 * first use. esbuild is a development dependency, loaded only here: Lambda runs the engine in-process and never
 * reaches this code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as Esbuild from 'esbuild';
import { lazy } from '#lazy';
import type { SpeakerModelSettings } from './speaker-model-settings.ts';
import { reviveError, type SpeechJob, type SpeechReply, type SpeechWorkerData } from './speech-worker-protocol.ts';

/** The job sent to a worker, before it is given an id. */
type Work = { op: 'feed'; state: Uint8Array; samples: Float32Array; readyAtSeconds?: number } | { op: 'finish'; state: Uint8Array };

interface Slot {
  worker: Worker;
  jobs: Map<number, { resolve: (state: Uint8Array) => void; reject: (error: Error) => void }>;
}

export class SpeechWorkerPool {
  private readonly slots: (Slot | undefined)[];
  /** Where the search for the least busy worker starts, so that idle workers take turns. */
  private turn = 0;
  private nextId = 1;
  private closed = false;

  /**
   * `workers` threads for the speaker model named `model`, one per core by default, started on first use;
   * `settings` say where its file is, or which operator's file it is, when that is not the built-in model's name alone.
   */
  constructor(
    readonly model: string,
    workers = availableParallelism(),
    private readonly settings: SpeakerModelSettings = { name: model },
  ) {
    if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`A worker pool needs 1 or more workers, not ${workers}.`);
    this.slots = new Array<Slot | undefined>(workers).fill(undefined);
  }

  feed(state: Uint8Array, samples: Float32Array, readyAtSeconds?: number): Promise<Uint8Array> {
    return this.run({ op: 'feed', state: ownCopy(state), samples: new Float32Array(samples), readyAtSeconds });
  }

  finish(state: Uint8Array): Promise<Uint8Array> {
    return this.run({ op: 'finish', state: ownCopy(state) });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.flatMap((slot) => (slot ? [slot.worker.terminate()] : [])));
    this.slots.fill(undefined);
  }

  /** Workers started and not ended: they start on first use, and one that stops is replaced on the next job. */
  runningWorkers(): number {
    return this.slots.filter(Boolean).length;
  }

  private async run(work: Work): Promise<Uint8Array> {
    const script = await workerScript();
    if (this.closed) throw new Error('The speech engine is closed.');
    const slot = this.leastBusy(script);
    const id = this.nextId++;
    // Only copies the caller cannot see are transferred, so their arrays stay whole; the worker's answer is
    // transferred back the same way.
    const transfer = [work.state.buffer as ArrayBuffer, ...(work.op === 'feed' ? [work.samples.buffer as ArrayBuffer] : [])];
    return new Promise((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      // An idle pool must not keep the process alive; a busy one must, until its answers are in.
      slot.worker.ref();
      try {
        slot.worker.postMessage({ id, ...work } satisfies SpeechJob, transfer);
      } catch (error) {
        slot.jobs.delete(id);
        if (slot.jobs.size === 0) slot.worker.unref();
        throw error;
      }
    });
  }

  private leastBusy(script: WorkerScript): Slot {
    let best: { index: number; load: number } | undefined;
    for (let i = 0; i < this.slots.length; i++) {
      const index = (this.turn + i) % this.slots.length;
      const load = this.slots[index]?.jobs.size ?? 0;
      if (!best || load < best.load) best = { index, load };
    }
    const { index } = best!;
    this.turn = (index + 1) % this.slots.length;
    return (this.slots[index] ??= this.start(index, script));
  }

  private start(index: number, script: WorkerScript): Slot {
    const worker = new Worker(script.file(), {
      workerData: { model: this.settings } satisfies SpeechWorkerData,
      // The parent's flags may register loaders (tsx, Jest) that the bundled script does not need.
      execArgv: ['--enable-source-maps'],
    });
    worker.unref();
    const slot: Slot = { worker, jobs: new Map() };
    worker.on('message', (reply: SpeechReply) => {
      const job = slot.jobs.get(reply.id);
      if (!job) return;
      slot.jobs.delete(reply.id);
      if (slot.jobs.size === 0) worker.unref();
      if ('error' in reply) job.reject(reviveError(reply.error));
      else job.resolve(reply.state);
    });
    // An error the worker did not catch ends it; 'exit' follows and fails its jobs with the error.
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      // A new worker takes the slot on its next job rather than now, so a worker that cannot start does not loop.
      if (this.slots[index] === slot) this.slots[index] = undefined;
      const reason = this.closed
        ? new Error('The speech engine was closed before this work was done.')
        : (failure ?? new Error(`A speech worker stopped unexpectedly (exit code ${code}).`));
      for (const job of slot.jobs.values()) job.reject(reason);
      slot.jobs.clear();
    });
    return slot;
  }
}

/** A copy that owns its whole buffer: a view into a larger buffer would otherwise send all of it. */
function ownCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** One bundle serves every pool of the process. */
const workerScript = lazy(bundleWorker);

/** The file the workers load their code from, written if it is missing. */
export async function workerScriptFile(): Promise<string> {
  return (await workerScript()).file();
}

interface WorkerScript {
  /** The path of the bundle, written again if it is missing. */
  file(): string;
}

/**
 * Bundles speech-worker.ts and what it imports into one CommonJS file. Packages stay outside the bundle (the ONNX
 * runtime is native code), required by absolute path, and `__dirname` and `__filename` keep their source values, so
 * the bundle runs from anywhere and finds the model files where they are.
 */
async function bundleWorker(): Promise<WorkerScript> {
  let esbuild: typeof Esbuild;
  try {
    esbuild = createRequire(__filename)('esbuild') as typeof Esbuild;
  } catch (error) {
    throw new Error(
      'Speech worker threads need esbuild, a development dependency, to build their entry point; ' +
        'install the development dependencies or run speech work in-process (0 workers).',
      { cause: error },
    );
  }
  const result = await esbuild.build({
    entryPoints: [path.join(__dirname, 'speech-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [sourceLocations],
  });
  const code = result.outputFiles[0].contents;
  const name = `speech-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
  let file: string | undefined;
  return {
    file() {
      // Checked at each worker start, as a cleaner of the temporary directory may have removed it meanwhile. The
      // directory is this process's own (mkdtemp: a random name, mode 0700), made again if it went, so no other user
      // of the machine can put code where the workers load it from (a shared, predictable path would let them).
      if (!file || !existsSync(file)) {
        const directory = mkdtempSync(path.join(tmpdir(), 'open-voice-id-'));
        process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
        file = path.join(directory, name);
        writeFileSync(file, code, { mode: 0o600 });
      }
      return file;
    },
  };
}

const sourceLocations: Esbuild.Plugin = {
  name: 'source-locations',
  setup(build) {
    build.onResolve({ filter: /^[^./#]/ }, ({ path: specifier, resolveDir }) =>
      isBuiltin(specifier) ? undefined : { path: createRequire(path.join(resolveDir, 'importer.js')).resolve(specifier), external: true },
    );
    build.onLoad({ filter: /\.ts$/ }, ({ path: file }) => {
      const source = readFileSync(file, 'utf8');
      // Declared in the module, they hide the bundle's own CommonJS values, which would name the temporary file;
      // on the first line, so that the source map's lines still match.
      const locations = `const __dirname = ${JSON.stringify(path.dirname(file))}, __filename = ${JSON.stringify(file)}; `;
      return { contents: /\b__(dirname|filename)\b/.test(source) ? locations + source : source, loader: 'ts' };
    });
  },
};
