import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` until it succeeds; fails early if the child process exits, and after `timeoutMs`. */
export async function waitUntil(name: string, child: ChildProcess, probe: () => Promise<unknown>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (exited) throw new Error(`${name} exited while starting (exit code ${child.exitCode}).`, { cause: error });
      if (Date.now() > deadline) {
        throw new Error(`${name} did not start within ${timeoutMs / 1000} s: ${String(error)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Asks a child to stop and waits until it has; one that ignores SIGTERM for `graceMs` is killed. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
