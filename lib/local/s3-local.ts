import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, waitUntil } from './processes.ts';

/**
 * S3 by fauxqs, in its own process (it is an ES module and keeps its objects in memory). It stands in for the
 * customer's buckets of batch job input and output, so nothing of the service's own state lives there.
 */
export async function startS3Local() {
  const port = await freePort();
  const child = spawn(process.execPath, [fauxqsCli()], {
    env: { ...process.env, FAUXQS_PORT: String(port), FAUXQS_HOST: '127.0.0.1', FAUXQS_LOGGER: 'false' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await waitUntil('fauxqs (S3)', child, () => client.send(new ListBucketsCommand({})));
  client.destroy();
  return { child, url };
}

/** fauxqs exports no subpaths, so its CLI is found on the module search path. */
function fauxqsCli(): string {
  const candidates = (require.resolve.paths('fauxqs') ?? []).map((dir) => path.join(dir, 'fauxqs', 'dist', 'cli.js'));
  const cli = candidates.find((candidate) => existsSync(candidate));
  if (!cli) throw new Error('fauxqs is not installed: run npm install.');
  return cli;
}
