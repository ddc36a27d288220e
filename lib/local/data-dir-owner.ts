import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/**
 * Which embedded stack owns a data directory, and the engines it started there, in `stack.json`: written once the
 * engines are up, removed when the stack stops. A program killed outright (SIGKILL, the OOM killer, a crash) never
 * removes it, and its engines live on as orphans: DynamoDB Local's JVM still holds the database file and a few
 * hundred MiB, for good. The next start on the directory finds them by this file and stops them first; and it
 * refuses to start while the owner itself still runs, since two stacks on one database would each take the other's
 * sessions and jobs as their own.
 *
 * A process is known by its pid, start time and command line together, so that a pid the system has since given to
 * another program is never taken for the engine that had it.
 */

/** A pid, with when its process started and its command line (`command`), as `ps` gives them. */
const recordedProcess = z.object({ pid: z.number(), command: z.string() });
type RecordedProcess = z.infer<typeof recordedProcess>;
const ownerFile = z.object({ owner: recordedProcess, engines: z.array(recordedProcess) });

/** Where the owner of `dataDir` is recorded. */
export const ownerFileIn = (dataDir: string) => path.join(dataDir, 'stack.json');

/** A running process as this file records it; undefined when no process has that pid (`ps` on Linux and macOS). */
export function processIdentity(pid: number): RecordedProcess | undefined {
  try {
    const ps = execFileSync('ps', ['-o', 'lstart=,args=', '-p', String(pid)], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const command = ps.toString().trim();
    return command ? { pid, command } : undefined;
  } catch {
    return undefined;
  }
}

const running = (recorded: RecordedProcess) => processIdentity(recorded.pid)?.command === recorded.command;

/**
 * Before a stack starts on `dataDir`: stops the engines an earlier stack left running there when it was killed,
 * and refuses if that stack is still running.
 */
export async function takeDataDir(dataDir: string): Promise<void> {
  const file = ownerFileIn(dataDir);
  if (!existsSync(file)) return;
  let earlier: z.infer<typeof ownerFile>;
  try {
    earlier = ownerFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    // A file cut short by the crash names nothing that can be trusted; its engines, if any, are left to the user.
    return;
  }
  const { owner, engines } = earlier;
  if (owner.pid !== process.pid && running(owner)) {
    throw new Error(
      `Another embedded stack (pid ${owner.pid}) is using the data directory ${dataDir}: stop it first, or set VOICE_ID_DATA_DIR to another directory.`,
    );
  }
  await Promise.all(engines.filter(running).map(stopOrphan));
}

/** Records this process as the owner of `dataDir`, with the pids of the engines it started. */
export function recordOwner(dataDir: string, enginePids: number[]): void {
  const owner = processIdentity(process.pid)!;
  const engines = enginePids.flatMap((pid) => processIdentity(pid) ?? []);
  writeFileSync(ownerFileIn(dataDir), JSON.stringify({ owner, engines }, null, 2));
}

/** On a clean stop: the engines are stopped, nothing is left to clean up. */
export function releaseDataDir(dataDir: string): void {
  rmSync(ownerFileIn(dataDir), { force: true });
}

/** SIGTERM, as a stop would (DynamoDB Local closes its database), then SIGKILL after 5 s. */
async function stopOrphan(engine: RecordedProcess): Promise<void> {
  process.kill(engine.pid, 'SIGTERM');
  for (let waited = 0; running(engine); waited += 100) {
    if (waited === 5000) process.kill(engine.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
