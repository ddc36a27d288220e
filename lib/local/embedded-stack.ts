import type { ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { startMediaGateway } from '#connectors/gateway';
import { type ConnectorRoute, type ConnectorsConfig, withWebhookSecret } from '#connectors/routes';
import { SessionClient } from '#connectors/session-client';
import { ENV } from '#environment';
import { HANDLERS_DIR } from '#lib/constructs/service-function';
import type { WorkerTask, WorkerTaskName } from '#workflows/worker-tasks';
import { type ProxyHandler, startApiGateway } from './api-gateway.ts';
import { recordOwner, releaseDataDir, takeDataDir } from './data-dir-owner.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { applyHandlerEnvironment, functionEnvironment } from './handler-environment.ts';
import { startLocalKms } from './kms-local.ts';
import { layOutFunction, sandboxedFunction } from './lambda-sandbox.ts';
import { stopChild } from './processes.ts';
import { startS3Local } from './s3-local.ts';
import type { LocalCredentials } from './sigv4-verifier.ts';
import { startLocalStepFunctions } from './step-functions-local.ts';
import { startLocalSts } from './sts-local.ts';
import { LOCAL_REGION, type LocalTemplate, localStateMachineArn, synthesizeTemplate } from './template.ts';
import { startTimeToLive, type TimeToLiveOptions } from './time-to-live.ts';

export interface EmbeddedStackOptions {
  dataDir: string;
  /** The API's port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /**
   * Runs each function from its deployment bundle and layer, in a `node` process of its own laid out as a Lambda
   * sandbox, instead of from the TypeScript sources in this process: what `cdk deploy` would ship, run here.
   */
  bundles?: boolean;
  /** DynamoDB's Time to Live, run against DynamoDB Local; by default every minute, deleting items as soon as due. */
  timeToLive?: TimeToLiveOptions;
  /** The phone-system connectors' routes; each connector takes every call on its `default` route unless told. */
  connectors?: ConnectorsConfig;
  /** The Twilio account's auth token; by default one made for this data directory (in `endpoints.json`). */
  twilioAuthToken?: string;
  /** The token SIP servers' audio WebSockets carry; by default one made for this data directory. */
  streamToken?: string;
  /** The secret webhooks are signed with, unless a route names its own; by default one made for this data directory. */
  webhookSecret?: string;
  /** The AudioHook integration's API key and client secret (base64); by default ones made for this data directory. */
  audiohookApiKey?: string;
  audiohookClientSecret?: string;
}

const DEFAULT_TIME_TO_LIVE: TimeToLiveOptions = { intervalMs: 60_000, lagMs: 0 };

/** What `endpoints.json` holds: everything a client needs to talk to the embedded stack. */
export interface Endpoints {
  voiceId: string;
  s3: string;
  kms: string;
  sts: string;
  stepFunctions: string;
  dynamodb: string;
  region: string;
  credentials: LocalCredentials;
  defaultKmsKeyArn: string;
  stateMachines: Record<string, string>;
  /** Each phone-system connector's URL on the media gateway. */
  connectors: Record<string, string>;
  /** The secrets phone systems sign their streams with here (a real account's when configured). */
  connectorSecrets: {
    twilioAuthToken: string;
    streamToken: string;
    audiohookApiKey: string;
    audiohookClientSecret: string;
    webhookSecret: string;
  };
}

export interface EmbeddedStack {
  endpoints: Endpoints;
  /** The variables the stack gave its handlers (beside those of its own environment, which they inherit). */
  handlerEnvironment: Record<string, string>;
  /** With `bundles`: the cloud assembly (cdk.out/) and each function's sandbox (a directory named by its logical id). */
  bundlesDir?: string;
  stop(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 24 * 3600 * 1000;

/** A Lambda handler module, as the embedded stack loads it: which events it takes depends on the function. */
type HandlerModule = { handler: (event: unknown) => Promise<unknown> };

const secretsFile = z.object({
  credentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
  tokenSecret: z.string(),
});

/**
 * The whole service on one machine: the same handlers, routes, tables and state machines as the CDK stack,
 * against real local engines. Only endpoints and credentials differ, and they reach the handlers as environment
 * variables, exactly as Lambda would pass them.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<EmbeddedStack> {
  mkdirSync(options.dataDir, { recursive: true });
  await takeDataDir(options.dataDir);
  // Outside the project, so that the bundles cannot find its node_modules.
  const bundlesDir = options.bundles ? mkdtempSync(path.join(tmpdir(), 'voice-id-bundles-')) : undefined;
  const template = synthesizeTemplate({ bundleInto: bundlesDir && path.join(bundlesDir, 'cdk.out') });
  const secrets = loadOrCreateSecrets(path.join(options.dataDir, 'local-secrets.json'));

  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  // Function sandboxes, the Time to Live sweeper and the media gateway.
  const background: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.all([
      ...children.map((child) => stopChild(child)),
      ...servers.map((server) => new Promise((resolve) => (server.close(resolve), server.closeAllConnections()))),
      ...background.map((running) => running.stop()),
    ]);
    releaseDataDir(options.dataDir);
    if (bundlesDir) rmSync(bundlesDir, { recursive: true, force: true });
  };

  try {
    const engines = await Promise.allSettled([
      startDynamoDbLocal(path.join(options.dataDir, 'dynamodb'), template.tables),
      startS3Local(),
      startLocalKms(path.join(options.dataDir, 'kms')),
      startLocalSts(),
    ] as const);
    // Engines that did start are stopped too when another one failed.
    for (const engine of engines) {
      if (engine.status !== 'fulfilled') continue;
      if ('child' in engine.value) children.push(engine.value.child);
      if ('server' in engine.value) servers.push(engine.value.server);
    }
    const failed = engines.find((engine) => engine.status === 'rejected');
    if (failed) throw failed.reason;
    recordOwner(
      options.dataDir,
      children.map((child) => child.pid!),
    );
    const started = <T>(engine: PromiseSettledResult<T>) => (engine as PromiseFulfilledResult<T>).value;
    const [dynamodb, s3, kms, sts] = [started(engines[0]), started(engines[1]), started(engines[2]), started(engines[3])];
    const timeToLive = startTimeToLive(
      dynamodb.url,
      template.tables.flatMap(({ logicalId, keySchema, timeToLiveAttribute }) =>
        timeToLiveAttribute ? [{ name: logicalId, keys: keySchema.map((key) => key.AttributeName), attribute: timeToLiveAttribute }] : [],
      ),
      options.timeToLive ?? DEFAULT_TIME_TO_LIVE,
    );
    background.push(timeToLive);

    // Lambda's environment is in place before a function's modules initialise.
    const engineUrls = { dynamodb: dynamodb.url, kms: kms.url, s3: s3.url, sts: sts.url };
    applyHandlerEnvironment(template, engineUrls, secrets.tokenSecret, options.dataDir);
    const handlers: Record<string, HandlerModule['handler']> = {};
    for (const [logicalId, fn] of Object.entries(template.functions)) {
      if (fn.bundle) {
        const layout = layOutFunction(fn.bundle, path.join(bundlesDir!, logicalId));
        // The function's own variables over the stack's; its speech work in-process, as in Lambda.
        const sandbox = sandboxedFunction(logicalId, layout, () => ({
          ...process.env,
          ...functionEnvironment(template, fn.environment),
          [ENV.speechWorkers]: '0',
        }));
        background.push(sandbox);
        handlers[logicalId] = sandbox.invoke;
      } else {
        handlers[logicalId] = ((await import(path.join(HANDLERS_DIR, `${fn.handler}.ts`))) as HandlerModule).handler;
      }
    }
    const stepFunctions = await startLocalStepFunctions(template.stateMachines, handlers);
    servers.push(stepFunctions.server);
    const handlerEnvironment = applyHandlerEnvironment(
      template,
      { ...engineUrls, stepFunctions: stepFunctions.url },
      secrets.tokenSecret,
      options.dataDir,
    );
    await resume(template, handlers, stepFunctions.start, BATCH_JOBS);
    await resume(template, handlers, stepFunctions.start, RE_ENCRYPTIONS);

    const api = await startApiGateway({
      routes: template.routes,
      handlers: handlers as Record<string, ProxyHandler>,
      credentials: secrets.credentials,
      port: options.port,
    });
    servers.push(api.server);

    const address = { endpoint: api.url, region: LOCAL_REGION, credentials: secrets.credentials };
    // Secrets made for this data directory, unless the phone systems' own are given.
    const madeSecret = (name: string) => createHmac('sha256', secrets.tokenSecret).update(name);
    const twilioAuthToken = options.twilioAuthToken ?? madeSecret('twilio').digest('hex');
    const streamToken = options.streamToken ?? madeSecret('websocket').digest('hex');
    const audiohookApiKey = options.audiohookApiKey ?? madeSecret('audiohook-api-key').digest('base64url');
    const audiohookClientSecret = options.audiohookClientSecret ?? madeSecret('audiohook-client-secret').digest('base64');
    const webhookSecret = options.webhookSecret ?? madeSecret('webhook').digest('hex');
    const routes = (given?: Record<string, ConnectorRoute>) => withWebhookSecret(given ?? { default: {} }, webhookSecret);
    const connectors = options.connectors;
    const gateway = await startMediaGateway({
      port: 0,
      api: new SessionClient(address),
      publicUrl: connectors?.publicUrl,
      twilio: { authToken: twilioAuthToken, routes: routes(connectors?.twilio?.routes) },
      audiohook: { apiKey: audiohookApiKey, clientSecret: audiohookClientSecret, routes: routes(connectors?.audiohook?.routes) },
      websocket: { token: streamToken, routes: routes(connectors?.websocket?.routes) },
      audiosocket: { port: connectors?.audiosocket?.port ?? 0, route: routes({ default: connectors?.audiosocket?.route ?? {} }).default },
    });
    background.push(gateway);

    const sweeper = Object.entries(template.functions).find(([, fn]) => fn.handler === 'expiry-sweeper');
    if (sweeper) {
      const timer = setInterval(() => void handlers[sweeper[0]]({}).catch(() => undefined), SWEEP_INTERVAL_MS);
      timer.unref();
    }

    const endpoints: Endpoints = {
      voiceId: api.url,
      s3: s3.url,
      kms: kms.url,
      sts: sts.url,
      stepFunctions: stepFunctions.url,
      dynamodb: dynamodb.url,
      region: LOCAL_REGION,
      credentials: secrets.credentials,
      defaultKmsKeyArn: kms.defaultKeyArn,
      stateMachines: Object.fromEntries(Object.keys(template.stateMachines).map((id) => [id, localStateMachineArn(id)])),
      connectors: gateway.connectors,
      connectorSecrets: { twilioAuthToken, streamToken, audiohookApiKey, audiohookClientSecret, webhookSecret },
    };
    // It holds the local secret key: its owner's only, also when an earlier version left it readable by others.
    const endpointsFile = path.join(options.dataDir, 'endpoints.json');
    writeFileSync(endpointsFile, JSON.stringify(endpoints, null, 2), { mode: 0o600 });
    chmodSync(endpointsFile, 0o600);
    return { endpoints, handlerEnvironment, bundlesDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One kind of run the embedded stack takes up again after a stop. */
interface Resumable<Item> {
  /** The API's variable naming the state machine that runs it. */
  stateMachineVariable: string;
  /** The worker task that lists what is still open. */
  task: Extract<WorkerTaskName, 'active-jobs' | 'active-re-encryptions'>;
  /** The execution's input and name for an open item. */
  run: (item: Item) => { input: unknown; name: string };
}

/**
 * The batch jobs a stop interrupted: the engine's executions lived in this process, but the jobs and their
 * requests' results are in the tables, and every task takes up only what is still open. A resumed run is
 * correlated by its job, as a run started outside a request is (lambda/store/executions.ts).
 */
const BATCH_JOBS: Resumable<{ jobId: string }> = {
  stateMachineVariable: ENV.stateMachines.batchJobs,
  task: 'active-jobs',
  run: (job) => ({ input: { job, correlationId: job.jobId }, name: job.jobId }),
};

/**
 * The re-encryptions of domains a stop left IN_PROGRESS: a run re-seals only what is still under another key, so
 * it continues where the last one stopped.
 */
const RE_ENCRYPTIONS: Resumable<{ domainId: string; kmsKeyId: string }> = {
  stateMachineVariable: ENV.stateMachines.reEncryption,
  task: 'active-re-encryptions',
  run: ({ domainId, kmsKeyId }) => {
    const name = `${domainId}-resumed-${Date.now()}`;
    return { input: { domainId, kmsKeyId, position: { phase: 'voiceprints', pass: 1, found: 0, done: false }, correlationId: name }, name };
  },
};

/** Starts again, on the local engine, every run of one kind that the worker lists as still open. */
async function resume<Item>(
  template: LocalTemplate,
  handlers: Record<string, HandlerModule['handler']>,
  start: (stateMachineArn: string, input: string, name: string) => unknown,
  { stateMachineVariable, task, run }: Resumable<Item>,
): Promise<void> {
  const worker = Object.entries(template.functions).find(([, fn]) => fn.handler === 'batch-job-worker');
  const stateMachineId = stateMachineNamedBy(template, stateMachineVariable);
  if (!worker || !stateMachineId) return;
  const listing: WorkerTask = { task };
  for (const item of (await handlers[worker[0]](listing)) as Item[]) {
    const { input, name } = run(item);
    start(localStateMachineArn(stateMachineId), JSON.stringify(input), name);
  }
}

/** The state machine a function's environment variable refers to (as the API function's names those it starts). */
function stateMachineNamedBy(template: LocalTemplate, variable: string): string | undefined {
  for (const fn of Object.values(template.functions)) {
    const ref = (fn.environment[variable] as { Ref?: string } | undefined)?.Ref;
    if (ref && ref in template.stateMachines) return ref;
  }
  return undefined;
}

/** The local API credentials and token secret, made on first start and kept with the data they protect. */
export function loadOrCreateSecrets(file: string): { credentials: LocalCredentials; tokenSecret: string } {
  if (existsSync(file)) return secretsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const secrets = {
    credentials: {
      accessKeyId: `AKLOCAL${randomBytes(7).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64url'),
    },
    tokenSecret: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
