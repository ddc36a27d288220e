import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Endpoints } from '#lib/local/embedded-stack';

const ROOT = path.join(__dirname, '..', '..');

export interface StackProcess {
  endpoints: Endpoints;
  child: ChildProcess;
  /** Seconds from spawn to "is listening". */
  startupSeconds: number;
  /** Resident memory of the stack's whole process tree (Node, DynamoDB Local's JVM, fauxqs, workers), in MiB. */
  rssMiB(): number;
  /** CPU seconds (user + system) the stack's processes have used so far, by command (node, java, ...). */
  cpuSeconds(): Record<string, number>;
  /** Every process of the stack's tree now, with what it is, its resident memory, threads and CPU so far. */
  processes(): StackProcessSample[];
  /**
   * SIGKILL, as a crash or the OOM killer ends it: `group` kills the whole process group at once (the program and
   * every engine; needs `ownProcessGroup`), `service` only the Node process that runs the service, leaving its
   * engines orphaned. The pids of the processes still alive afterwards are answered (none for `group`).
   */
  crash(scope: 'group' | 'service'): Promise<number[]>;
  /** Ctrl-C, as a user stops it; the data directory is removed unless it was given (to start again on it). */
  stop(): Promise<void>;
}

export interface StackProcessSample {
  pid: number;
  /** `service` (the stack's Node process, speech worker threads included), `dynamodb-local`, `s3`, `esbuild`, `tsx`... */
  role: string;
  rssMiB: number;
  threads: number;
  cpuSeconds: number;
}

/**
 * `npm start`'s program in a child process, on a free port and a fresh data directory (or `dataDir`, kept), as a
 * user runs it; or another `program` that starts a stack and says "is listening". With `ownProcessGroup` it leads
 * a process group of its own, as a shell's job does, so that `crash('group')` can kill all of it at once.
 */
export async function startStackProcess(
  env: Record<string, string> = {},
  dataDir?: string,
  program = 'bin/local.ts',
  { ownProcessGroup = false } = {},
): Promise<StackProcess> {
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'voice-id-bench-'));
  const started = process.hrtime.bigint();
  // STACK_CPU_PROF=<dir>: the stack's Node process writes a V8 CPU profile there when it stops (NODE_OPTIONS may
  // not carry --cpu-prof, and tsx would pass it to its own process rather than the stack's).
  const profileDir = process.env.STACK_CPU_PROF;
  const [command, args] = profileDir
    ? [process.execPath, ['--cpu-prof', '--cpu-prof-dir', profileDir, '--import', 'tsx', program]]
    : [path.join(ROOT, 'node_modules', '.bin', 'tsx'), [program]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, VOICE_ID_DATA_DIR: dir, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: ownProcessGroup,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`The stack exited with code ${code} before it was ready.`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('is listening')) resolve();
    });
  });
  const startupSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const endpoints = JSON.parse(readFileSync(path.join(dir, 'endpoints.json'), 'utf8')) as Endpoints;
  return {
    endpoints,
    child,
    startupSeconds,
    rssMiB: () => treeRssMiB(child.pid!),
    cpuSeconds: () => treeCpuSeconds(child.pid!),
    processes: () =>
      descendants(child.pid!)
        .concat(child.pid!)
        .flatMap((pid) => sampleProcess(pid) ?? []),
    crash: async (scope) => {
      const tree = descendants(child.pid!);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (scope === 'group') process.kill(-child.pid!, 'SIGKILL');
      else process.kill(tree.find((pid) => sampleProcess(pid)?.role === 'service')!, 'SIGKILL');
      await exited;
      // The kernel reaps a killed process's children at once; give it a moment to have done so for all of them.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return tree.filter((pid) => sampleProcess(pid) !== undefined);
    },
    stop: async () => {
      const tree = descendants(child.pid!);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      // The program stops its engines itself; one that outlived it (stopped mid-job, say) must not outlive the test.
      for (const pid of tree) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone, as it should be.
        }
      }
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One process, from /proc; undefined once it has gone. */
export function sampleProcess(pid: number): StackProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    if (/^State:\s+Z/m.test(status)) return undefined;
    // utime and stime, in clock ticks (100 a second on Linux), after the command's parenthesised name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return {
      pid,
      role: roleOf(cmdline),
      rssMiB: field('VmRSS') / 1024,
      threads: field('Threads'),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
    };
  } catch {
    return undefined;
  }
}

/** What a process of the stack's tree is, from its command line. */
function roleOf(cmdline: string): string {
  if (cmdline.includes('DynamoDBLocal.jar')) return 'dynamodb-local';
  if (cmdline.includes('fauxqs')) return 's3';
  if (cmdline.includes('esbuild')) return 'esbuild';
  // tsx's launcher runs the program in a child node process with tsx's loader, which is the service.
  if (cmdline.includes('--import') && cmdline.includes('tsx')) return 'service';
  if (cmdline.includes('.bin/tsx')) return 'tsx';
  return cmdline.split(' ')[0].split('/').pop() ?? 'unknown';
}

/** Resident memory of a process and all its descendants, in MiB. */
function treeRssMiB(pid: number): number {
  const procs = processTable();
  const inTree = new Set([pid, ...descendants(pid, procs)]);
  return procs.filter(([p]) => inTree.has(p)).reduce((sum, [, , rss]) => sum + rss, 0) / 1024;
}

/** CPU seconds of a process and its descendants, summed by command name. */
function treeCpuSeconds(pid: number): Record<string, number> {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,times=,comm=']).toString().trim().split('\n');
  const inTree = new Set([pid, ...descendants(pid)]);
  const byCommand: Record<string, number> = {};
  for (const [p, seconds, command] of rows.map((row) => row.trim().split(/\s+/))) {
    if (inTree.has(Number(p))) byCommand[command] = (byCommand[command] ?? 0) + Number(seconds);
  }
  return byCommand;
}

function processTable(): number[][] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=']).toString().trim().split('\n');
  return rows.map((row) => row.trim().split(/\s+/).map(Number));
}

/** The processes a process started, and theirs. */
function descendants(pid: number, procs = processTable()): number[] {
  const inTree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of procs) {
      if (inTree.has(parent) && !inTree.has(child)) {
        inTree.add(child);
        grew = true;
      }
    }
  }
  inTree.delete(pid);
  return [...inTree];
}

export const percentile = (values: number[], p: number) =>
  values.length ? [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)] : NaN;
