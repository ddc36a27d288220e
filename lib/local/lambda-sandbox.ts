import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { type FunctionBundle, localFunctionArn } from './template.ts';

/** Where a function's files are once laid out as Lambda lays them out: the task root and the layers' /opt. */
export interface FunctionLayout {
  taskRoot: string;
  opt: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeoutSeconds: number;
}

/** Where Lambda unpacks layers; paths under it in a function's environment are moved to the layout's own. */
export const LAMBDA_OPT = '/opt';

/**
 * Copies a function's code and layers into `root` as Lambda lays them out (task/ for /var/task, opt/ for /opt,
 * runtime/ for the runtime's own files), so that a process started there sees what a Lambda sandbox sees. `root`
 * must be outside the project: module resolution walks up from the task root, and must not find node_modules.
 */
export function layOutFunction(bundle: FunctionBundle, root: string): FunctionLayout {
  const layout = {
    taskRoot: path.join(root, 'task'),
    opt: path.join(root, 'opt'),
    runtime: path.join(root, 'runtime'),
    handler: bundle.handler,
    memorySize: bundle.memorySize,
    timeoutSeconds: bundle.timeoutSeconds,
  };
  cpSync(bundle.code, layout.taskRoot, { recursive: true });
  mkdirSync(layout.opt, { recursive: true });
  for (const layer of bundle.layers) cpSync(layer, layout.opt, { recursive: true });
  mkdirSync(layout.runtime, { recursive: true });
  cpSync(path.join(__dirname, 'lambda-runtime.cjs'), path.join(layout.runtime, 'bootstrap.cjs'));
  return layout;
}

/**
 * The variables Lambda's Node.js runtime sets that decide what a function loads and how it behaves: the handler,
 * the task root, NODE_PATH through the layers (the runtime's own SDK directory is left out: the bundles carry their
 * SDK), and the function's name (the X-Ray SDK and Powertools take the process for Lambda's by it and
 * LAMBDA_TASK_ROOT). Values of `environment` under /opt are moved to the layout's. Metrics stay off unless
 * `environment` turns them on: only Lambda's log takes them to CloudWatch.
 */
export function sandboxEnvironment(
  functionName: string,
  layout: FunctionLayout,
  environment: Record<string, string | undefined>,
): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    // X-Ray's mode is automatic in Lambda; a manual mode set off Lambda (lambda/xray-mode.ts) in the process whose
    // environment this came from would fail the SDK's Lambda set-up.
    if (value === undefined || name === 'AWS_XRAY_MANUAL_MODE') continue;
    own[name] = value === LAMBDA_OPT || value.startsWith(`${LAMBDA_OPT}/`) ? layout.opt + value.slice(LAMBDA_OPT.length) : value;
  }
  return {
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...own,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(layout.memorySize),
    _HANDLER: layout.handler,
    LAMBDA_TASK_ROOT: layout.taskRoot,
    NODE_PATH: [
      path.join(layout.opt, 'nodejs', 'node22', 'node_modules'),
      path.join(layout.opt, 'nodejs', 'node_modules'),
      layout.taskRoot,
    ].join(path.delimiter),
  };
}

export interface SandboxStats {
  /** Loading the handler's module (the bundle's top-level code), in ms. */
  initMs: number;
  /** The process's peak resident memory so far, in MiB: Lambda's "Max Memory Used". */
  maxRssMiB: number;
}

type Reply =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; error: RemoteError }
  | { type: 'result'; id: string; result: unknown }
  | { type: 'error'; id: string; error: RemoteError }
  | { type: 'stats'; id: string; maxRssKiB: number };

interface RemoteError {
  name: string;
  message: string;
  stack?: string;
}

/** An error a handler threw in its sandbox, with the name and message it had there (Step Functions matches on the name). */
export class HandlerError extends Error {
  constructor({ name, message, stack }: RemoteError) {
    super(message);
    this.name = name;
    if (stack) this.stack = stack;
  }
}

/**
 * One Lambda sandbox: a fresh `node` process, started in the task root with `environment` (see
 * sandboxEnvironment), that loads the function's bundle and runs the invocations sent to it. Unlike Lambda it
 * takes invocations side by side (the embedded stack serves every call of a function from one sandbox).
 */
export class LambdaSandbox {
  private readonly pending = new Map<string, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private readonly child: ChildProcess;
  private readonly ready: Promise<number>;
  private exited = false;

  constructor(
    readonly functionName: string,
    private readonly layout: FunctionLayout,
    environment: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [path.join(layout.runtime, 'bootstrap.cjs')], {
      cwd: layout.taskRoot,
      env: environment,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (reply: Reply) => {
        if (reply.type === 'ready') resolve(reply.initMs);
        else if (reply.type === 'init-error') reject(new HandlerError(reply.error));
        else this.pending.get(reply.id)?.resolve(reply);
      });
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        const error = new Error(`The sandbox of ${functionName} exited (${signal ?? `code ${code}`}).`);
        reject(error);
        for (const { reject: fail } of this.pending.values()) fail(error);
        this.pending.clear();
      });
    });
    // A sandbox that fails to start reports it at its first invocation.
    this.ready.catch(() => undefined);
  }

  /** False once its process has ended: Lambda would start a new sandbox for the next invocation. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Module load time, once the bundle has loaded; rejects with the handler's error if it could not. */
  initMs(): Promise<number> {
    return this.ready;
  }

  async invoke(event: unknown): Promise<unknown> {
    const reply = await this.request({
      type: 'invoke',
      event,
      functionName: this.functionName,
      functionArn: localFunctionArn(this.functionName),
      memorySize: this.layout.memorySize,
      timeoutMs: this.layout.timeoutSeconds * 1000,
      requestId: randomUUID(),
    });
    if (reply.type === 'error') throw new HandlerError(reply.error);
    return reply.type === 'result' ? reply.result : undefined;
  }

  async stats(): Promise<SandboxStats> {
    const reply = await this.request({ type: 'stats' });
    return { initMs: await this.ready, maxRssMiB: reply.type === 'stats' ? reply.maxRssKiB / 1024 : NaN };
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  private async request(message: Record<string, unknown>): Promise<Reply> {
    await this.ready;
    const id = randomUUID();
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => (this.pending.delete(id), resolve(reply)),
        reject,
      });
      this.child.send({ ...message, id });
    });
  }
}

/**
 * A function run from its bundle as Lambda runs it: a sandbox started at the first invocation (a cold start), with
 * the environment `environment()` gives then, and started again after one has ended.
 */
export function sandboxedFunction(functionName: string, layout: FunctionLayout, environment: () => Record<string, string | undefined>) {
  let sandbox: LambdaSandbox | undefined;
  const current = () => {
    if (!sandbox?.alive) sandbox = new LambdaSandbox(functionName, layout, sandboxEnvironment(functionName, layout, environment()));
    return sandbox;
  };
  return {
    invoke: (event: unknown) => current().invoke(event),
    stop: async () => sandbox?.stop(),
  };
}
