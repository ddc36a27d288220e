import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, waitUntil } from './processes.ts';
import { LOCAL_ACCOUNT_ID } from './template.ts';

/**
 * S3 by fauxqs, in its own process (it is an ES module and keeps its objects in memory). It stands in for the
 * customer's buckets of batch job input and output, so nothing of the service's own state lives there. fauxqs
 * ignores x-amz-expected-bucket-owner, which batch jobs send on every call, so a proxy in front of it checks the
 * header as S3 does: every local bucket belongs to the local account, and a request expecting another owner is
 * refused with 403 AccessDenied before fauxqs sees it.
 */
export async function startS3Local() {
  const port = await freePort();
  const child = spawn(process.execPath, [fauxqsCli()], {
    env: { ...process.env, FAUXQS_PORT: String(port), FAUXQS_HOST: '127.0.0.1', FAUXQS_LOGGER: 'false' },
    stdio: 'ignore',
  });
  const engine = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint: engine,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await waitUntil('fauxqs (S3)', child, () => client.send(new ListBucketsCommand({})));
  client.destroy();
  const server = createServer((request, response) => {
    const owner = request.headers['x-amz-expected-bucket-owner'];
    if (owner !== undefined && owner !== LOCAL_ACCOUNT_ID) {
      request.resume();
      response.writeHead(403, { 'Content-Type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    const upstream = forward(`${engine}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', (error) => response.destroy(error));
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { child, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** fauxqs exports no subpaths, so its CLI is found on the module search path. */
function fauxqsCli(): string {
  const candidates = (require.resolve.paths('fauxqs') ?? []).map((dir) => path.join(dir, 'fauxqs', 'dist', 'cli.js'));
  const cli = candidates.find((candidate) => existsSync(candidate));
  if (!cli) throw new Error('fauxqs is not installed: run npm install.');
  return cli;
}
