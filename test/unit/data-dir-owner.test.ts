import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ownerFileIn, processIdentity, recordOwner, releaseDataDir, takeDataDir } from '#lib/local/data-dir-owner';

/**
 * The owner of an embedded stack's data directory (lib/local/data-dir-owner.ts), with stand-in processes for the
 * owner and its engines: a start after a SIGKILL stops the engines the killed program left, and refuses while that
 * program still runs. The kill tests (test/integration/kill-restart.test.ts) do it with `npm start`'s own program.
 */
describe('the owner of a data directory', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  const standIn = async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    return child;
  };
  const ended = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
  const record = (owner: ChildProcess, engines: ChildProcess[]) =>
    writeFileSync(
      ownerFileIn(dataDir),
      JSON.stringify({ owner: processIdentity(owner.pid!), engines: engines.map((engine) => processIdentity(engine.pid!)) }),
    );

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-owner-'));
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the engines an owner that was killed left running', async () => {
    const [owner, engine] = [await standIn(), await standIn()];
    record(owner, [engine]);
    owner.kill('SIGKILL');
    await ended(owner);

    await takeDataDir(dataDir);
    await ended(engine);
    expect(engine.signalCode).toBe('SIGTERM');
  });

  it('refuses while the owner still runs, and leaves its engines alone', async () => {
    const [owner, engine] = [await standIn(), await standIn()];
    record(owner, [engine]);

    await expect(takeDataDir(dataDir)).rejects.toThrow(`Another embedded stack (pid ${owner.pid}) is using the data directory ${dataDir}`);
    expect(processIdentity(engine.pid!)).toBeDefined();
    expect(engine.signalCode).toBeNull();
  });

  it('never stops a process that has since taken a recorded pid', async () => {
    const [owner, engine] = [await standIn(), await standIn()];
    writeFileSync(
      ownerFileIn(dataDir),
      JSON.stringify({ owner: { pid: owner.pid, command: 'gone' }, engines: [{ pid: engine.pid, command: 'another program' }] }),
    );
    await takeDataDir(dataDir);
    expect(engine.signalCode).toBeNull();
  });

  it('starts on a file a crash cut short; a clean stop removes the file', async () => {
    writeFileSync(ownerFileIn(dataDir), '{"owner": {"pid": 1');
    await expect(takeDataDir(dataDir)).resolves.toBeUndefined();
    recordOwner(dataDir, []);
    expect(existsSync(ownerFileIn(dataDir))).toBe(true);
    releaseDataDir(dataDir);
    expect(existsSync(ownerFileIn(dataDir))).toBe(false);
  });
});
