import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { apiUrl, endpoints, http, serviceTables } from '#test/support/clients';
import { type FuzzInput, generateInput } from './inputs.ts';
import type { Fixtures } from './values.ts';

/** What came back for one input: an HTTP answer, or the transport error that stood in for one. */
export interface Answer {
  status?: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
}

/** Sends an input exactly as generated: signed (or mis-signed) as it says, with its bytes on the wire. */
export async function send(input: FuzzInput): Promise<Answer> {
  const e = endpoints();
  const url = new URL(await apiUrl());
  const headers: Record<string, string> = { host: url.host, ...input.headers };
  if (input.body.length) headers['content-length'] = String(input.body.length);
  const signed = await signedHeaders(input, url, headers, e.credentials);
  return new Promise<Answer>((resolve) => {
    const req = httpRequest(
      // A connection of its own: an input the server refuses by closing its connection cannot reach another input.
      { host: url.hostname, port: url.port, method: input.method, path: input.target, headers: signed, setHost: false, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', (error) => resolve({ headers: {}, body: '', error: `response: ${error.message}` }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ headers: {}, body: '', error: error.code ?? error.message }));
    req.end(input.body);
  });
}

async function signedHeaders(
  input: FuzzInput,
  url: URL,
  headers: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<Record<string, string>> {
  if (input.signing === 'unsigned') return headers;
  const target = new URL(input.target, url);
  const query: Record<string, string[]> = {};
  for (const [name, value] of target.searchParams) (query[name] ??= []).push(value);
  const signer = new SignatureV4({
    credentials: input.signing === 'wrong-secret' ? { ...credentials, secretAccessKey: `${credentials.secretAccessKey}x` } : credentials,
    region: endpoints().region,
    service: input.signing === 'other-service' ? 's3' : 'voiceid',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: input.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: target.pathname,
      query,
      headers,
      body: input.body,
    }),
    input.signing === 'stale-date' ? { signingDate: new Date(Date.now() - 3600_000) } : {},
  );
  const out = signed.headers as Record<string, string>;
  if (input.signing === 'garbled') out.authorization = out.authorization.replace('Signature=', 'Signature=zz');
  return out;
}

/** Node's HTTP server refuses a request line and headers over 16 KB (API Gateway's limit is 10 KB): 431, then it closes. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Whether the request line and headers are over Node's limit. Node answers those 431 and destroys the socket, with
 * the rest of the request unread: the client may see the reset before the answer (TCP sends RST for unread data).
 */
export function headersTooLarge(input: FuzzInput): boolean {
  const bytes = Object.entries(input.headers).reduce((sum, [name, value]) => sum + name.length + value.length + 4, input.target.length);
  return bytes > MAX_HEADER_BYTES;
}

/** Why an answer breaks the rules (README "Fuzzing"), or undefined when it keeps them. */
export function verdict(input: FuzzInput, answer: Answer): string | undefined {
  if (answer.status === undefined && answer.error === 'ECONNRESET' && headersTooLarge(input)) return undefined;
  if (answer.status === undefined) return `no answer (${answer.error})`;
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (input.expect === 'refused' && answer.status < 400) return `accepted (${answer.status}) a bad input`;
  if (answer.status < 400) return undefined;
  const errorType = answer.headers['x-amzn-errortype'];
  // An answer to HEAD has no body (HTTP): its header names the error.
  if (input.method === 'HEAD')
    return typeof errorType === 'string' && errorType ? undefined : `answered HEAD ${answer.status} without x-amzn-ErrorType`;
  let body: { __type?: unknown; message?: unknown };
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    return `answered ${answer.status} with a body that is not JSON`;
  }
  if (typeof body.__type !== 'string' || typeof body.message !== 'string' || !body.message) {
    return `answered ${answer.status} without a Voice ID error ({__type, message})`;
  }
  if (answer.headers['x-amzn-errortype'] !== body.__type)
    return `answered ${body.__type} with x-amzn-ErrorType ${String(answer.headers['x-amzn-errortype'])}`;
  return undefined;
}

/**
 * Every item of every table of the stack, read strongly consistent, as sorted JSON lines per table; items due to
 * expire within two minutes are left out, since the stack's Time to Live may delete them meanwhile, as DynamoDB would.
 */
export async function snapshotTables(): Promise<Map<string, string[]>> {
  const { names, client } = await serviceTables();
  const lasting = (item: Record<string, unknown>) => !(typeof item.expiresAt === 'number' && item.expiresAt <= Date.now() / 1000 + 120);
  const snapshot = new Map<string, string[]>();
  for (const TableName of new Set(Object.values(names))) {
    const items: string[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName, ConsistentRead: true, ExclusiveStartKey }));
      items.push(
        ...(page.Items ?? [])
          .filter(lasting)
          .map((item) => JSON.stringify(item, (_, value: unknown) => (value instanceof Set ? [...value].sort() : value))),
      );
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    snapshot.set(TableName, items.sort());
  }
  return snapshot;
}

/** What changed between two snapshots, table by table (items' first characters only: they may hold ids, never shown whole). */
export function differences(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [table, items] of after) {
    const old = new Set(before.get(table) ?? []);
    const now = new Set(items);
    const added = items.filter((item) => !old.has(item));
    const removed = [...old].filter((item) => !now.has(item));
    if (added.length || removed.length) {
      out.push(
        `${table}: ${added.length} items added or changed, ${removed.length} removed or changed; first: ${(added[0] ?? removed[0]).slice(0, 300)}`,
      );
    }
  }
  return out;
}

/** The service answers a good request on each transport. */
export async function stillAnswers(f: Fixtures): Promise<string | undefined> {
  const wire = await http('POST', '/', {
    body: {},
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'VoiceID.ListDomains' },
  });
  if (wire.status !== 200) return `ListDomains over the wire protocol answered ${wire.status}`;
  const rest = await http('GET', `/domains/${f.domainId}`);
  if (rest.status !== 200) return `GET /domains/{DomainId} answered ${rest.status}`;
  return undefined;
}

export interface Failure {
  seed: number;
  index: number;
  kind: string;
  reason: string;
  input: string;
}

export interface FuzzSummary {
  seed: number;
  inputs: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  byOperation: Record<string, number>;
  failures: Failure[];
  milliseconds: number;
}

/** An input as a failure report shows it: enough to see what was sent, and its seed and index to send it again. */
export function describeInput(input: FuzzInput): string {
  const body = input.body.toString('utf8');
  const headers = Object.entries(input.headers)
    .map(([name, value]) => `${name}: ${value.length > 80 ? `${value.slice(0, 80)}... (${value.length} chars)` : value}`)
    .join('; ');
  return `${input.method} ${input.target.slice(0, 200)} [${headers}] signing ${input.signing}; ${input.notes.join(', ')}; body (${input.body.length} bytes) ${JSON.stringify(body.slice(0, 300))}`;
}

/**
 * Sends inputs `from`..`from + count - 1` of `seed` in batches, `concurrency` at a time. Before and after each batch
 * the tables are read whole; after it, the service must still answer good requests. Every broken rule is a Failure.
 */
export async function fuzz(options: {
  seed: number;
  count: number;
  fixtures: Fixtures;
  from?: number;
  batchSize?: number;
  concurrency?: number;
  onBatch?: (done: number, summary: FuzzSummary) => void;
}): Promise<FuzzSummary> {
  const { seed, count, fixtures, from = 0, batchSize = 250, concurrency = 4 } = options;
  const started = Date.now();
  const summary: FuzzSummary = { seed, inputs: 0, byKind: {}, byStatus: {}, byOperation: {}, failures: [], milliseconds: 0 };
  const fail = (index: number, kind: string, reason: string, input: string) => summary.failures.push({ seed, index, kind, reason, input });
  for (let start = from; start < from + count; start += batchSize) {
    const end = Math.min(start + batchSize, from + count);
    const before = await snapshotTables();
    let next = start;
    const worker = async () => {
      while (next < end) {
        const input = generateInput(seed, next++, fixtures);
        const answer = await send(input);
        summary.inputs++;
        summary.byKind[input.kind] = (summary.byKind[input.kind] ?? 0) + 1;
        const status = answer.status === undefined ? `no answer (${answer.error})` : String(answer.status);
        summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
        const operation = input.operation ?? '(none reached)';
        summary.byOperation[operation] = (summary.byOperation[operation] ?? 0) + 1;
        const reason = verdict(input, answer);
        if (reason) fail(input.index, input.kind, `${reason}: ${answer.body.slice(0, 300)}`, describeInput(input));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    for (const change of differences(before, await snapshotTables()))
      fail(start, 'tables', `inputs ${start}-${end - 1} changed a table: ${change}`, '');
    const down = await stillAnswers(fixtures);
    if (down) fail(end - 1, 'health', `after inputs ${start}-${end - 1}: ${down}`, '');
    summary.milliseconds = Date.now() - started;
    options.onBatch?.(end - from, summary);
  }
  return summary;
}
