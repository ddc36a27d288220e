import type { Server } from 'node:http';
import * as path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { VoiceIDClient, type VoiceIDClientConfig } from '@aws-sdk/client-voice-id';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createContext } from '#composition';
import { loadConfig } from '#config';
import type { ServiceContext } from '#context';
import type { ProxyHandler } from '#lib/local/api-gateway';
import type { Endpoints } from '#lib/local/embedded-stack';
import { signedQuery } from '#lib/local/sigv4-verifier';
import type { TestStackDescription } from './test-stack.ts';

export { TEST_QUOTAS } from './test-stack.ts';

/** The embedded stack of this run, as test/support/global-setup.ts started (or borrowed) it. */
export function testStack(): TestStackDescription {
  const json = process.env.VOICE_ID_TEST_STACK_DESCRIPTION;
  if (!json) throw new Error('Integration tests need the embedded stack from test/support/global-setup.ts.');
  return JSON.parse(json) as TestStackDescription;
}

export function endpoints(): Endpoints {
  return testStack().endpoints;
}

/**
 * In-process mode (VOICE_ID_TEST_IN_PROCESS=1, set by `npm run mutate`): the API is served inside the test
 * worker, by the same local API gateway and the same handler module the embedded stack uses, loaded here, so
 * that the code under test runs in Jest's module registry (where Stryker's mutants are switched on) against the
 * stack's engines. Otherwise the API is the embedded stack's own.
 */
const IN_PROCESS = process.env.VOICE_ID_TEST_IN_PROCESS === '1';
let inProcessApi: Promise<{ server: Server; url: string }> | undefined;

if (IN_PROCESS && typeof afterAll === 'function') {
  afterAll(async () => {
    if (!inProcessApi) return;
    const { server } = await inProcessApi;
    inProcessApi = undefined;
    await new Promise((resolve) => (server.close(resolve), server.closeAllConnections()));
  });
}

async function startInProcessApi(): Promise<{ server: Server; url: string }> {
  const stack = testStack();
  if (!stack.routes || !stack.functions) throw new Error('The test stack was started without its template (in-process mode).');
  // The environment Lambda (and the embedded stack) gives the handlers, before their modules initialise.
  Object.assign(process.env, stack.handlerEnvironment);
  // Loaded here, not at the top: only this mode needs them (the CDK constructs are slow to load).
  const { HANDLERS_DIR } = await import('#lib/constructs/service-function');
  const handlers: Record<string, ProxyHandler> = {};
  for (const functionId of new Set(stack.routes.map((route) => route.functionId))) {
    const module = (await import(path.join(HANDLERS_DIR, `${stack.functions[functionId]}.ts`))) as { handler: ProxyHandler };
    handlers[functionId] = module.handler;
  }
  const { startApiGateway } = await import('#lib/local/api-gateway');
  return startApiGateway({ routes: stack.routes, handlers, credentials: stack.endpoints.credentials, port: 0 });
}

/** Where the Voice ID API of this run answers. */
export async function apiUrl(): Promise<string> {
  if (!IN_PROCESS) return endpoints().voiceId;
  inProcessApi ??= startInProcessApi();
  return (await inProcessApi).url;
}

/**
 * The official Voice ID client, pointed at the embedded stack: what a migrating customer runs. `config` changes
 * its settings (say, other credentials or signing name).
 */
export function voiceId(config: Partial<VoiceIDClientConfig> = {}): VoiceIDClient {
  const e = endpoints();
  return new VoiceIDClient({
    endpoint: async () => ({ url: new URL(await apiUrl()) }),
    region: e.region,
    credentials: e.credentials,
    maxAttempts: 1,
    ...config,
  });
}

export function kms(): KMSClient {
  const e = endpoints();
  return new KMSClient({ endpoint: e.kms, region: e.region, credentials: e.credentials });
}

/** A response body of the API as a REST backend reads it: Voice ID's members, or its error shape. */
export interface WireBody {
  __type?: string;
  message?: string;
  Message?: string;
  ResourceType?: string;
  ConflictType?: string;
  [member: string]: unknown;
}

/**
 * A plain HTTP call, SigV4-signed for `voiceid` unless `sign` is false: what a REST backend sends. `Body` is the
 * shape the caller expects the JSON response to have.
 */
export async function http<Body = WireBody>(
  method: string,
  pathAndQuery: string,
  options: {
    body?: unknown;
    headers?: Record<string, string>;
    sign?: boolean;
    secretAccessKey?: string;
    /** A query to send instead of the one signed: a request changed on its way. */
    tamperedQuery?: string;
  } = {},
) {
  const e = endpoints();
  const url = new URL(pathAndQuery, await apiUrl());
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/json',
    ...options.headers,
  };
  if (options.sign !== false) {
    const signer = new SignatureV4({
      credentials: { ...e.credentials, secretAccessKey: options.secretAccessKey ?? e.credentials.secretAccessKey },
      region: e.region,
      service: 'voiceid',
      sha256: Sha256,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        // Every value of a repeated member, as SDKs sign them.
        query: signedQuery(url.searchParams),
        headers,
        body,
      }),
    );
    headers = signed.headers;
  }
  if (options.tamperedQuery !== undefined) url.search = options.tamperedQuery;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Body };
}

/** The configuration the service's handlers run with in this stack: the environment the stack gave them. */
export function serviceConfig() {
  return loadConfig({ ...testStack().handlerEnvironment });
}

/** The service's tables in DynamoDB Local, by their role, and a client to read them raw. */
export function serviceTables() {
  const e = endpoints();
  const dynamodb = new DynamoDBClient({ endpoint: e.dynamodb, region: e.region, credentials: e.credentials });
  const { tables } = serviceConfig();
  return Promise.resolve({ names: { ...tables }, client: DynamoDBDocumentClient.from(dynamodb) });
}

/**
 * The service's own operation context, wired to the embedded stack's engines as the handlers are: for tests that
 * must reach past the API (store operations, the sweeper) or move the clock.
 */
export async function serviceContext(now: () => number = Date.now): Promise<ServiceContext> {
  return { ...(await createContext(serviceConfig())), now };
}
