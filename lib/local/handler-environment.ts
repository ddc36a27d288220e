import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { ENV } from '#environment';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, type LocalTemplate, localStateMachineArn } from './template.ts';

export interface EngineEndpoints {
  dynamodb: string;
  kms: string;
  s3: string;
  sts: string;
  /** Known once the handlers are loaded (the engine runs them); read by handlers on their first request. */
  stepFunctions?: string;
}

/** Where the embedded stack's handlers append audit events (EventBridge's default bus in AWS), one JSON event a line. */
export const AUDIT_EVENTS_FILE = 'audit-events.jsonl';

/**
 * Gives the handlers, which run in this process, the environment Lambda would give them: the variables of the
 * synthesized template (table references become the local table names), plus the local engines' endpoints, the
 * token secret that Secrets Manager holds in AWS, and the audit events file in the data directory. Answers what
 * it set.
 */
export function applyHandlerEnvironment(
  template: LocalTemplate,
  engines: EngineEndpoints,
  tokenSecret: string,
  dataDir: string,
): Record<string, string> {
  const given: Record<string, string> = {};
  for (const fn of Object.values(template.functions)) Object.assign(given, functionEnvironment(template, fn.environment));
  // The speech model layer's files are the project's own here (model/out, the handlers' default), not /opt.
  delete given[ENV.speakerModel.directory];
  delete process.env[ENV.speakerModel.directory];
  Object.assign(given, {
    [ENV.region]: LOCAL_REGION,
    [ENV.accountId]: LOCAL_ACCOUNT_ID,
    ...Object.fromEntries(
      Object.entries(engines).flatMap(([engine, url]) => (url ? [[ENV.endpoints[engine as keyof EngineEndpoints], url]] : [])),
    ),
    [ENV.tokenSecret]: tokenSecret,
    [ENV.auditEventsFile]: path.resolve(dataDir, AUDIT_EVENTS_FILE),
    // One process serves every call here, and ONNX Runtime holds the thread that runs it: speech work goes to
    // worker threads, one per core (Lambda runs it in-process, one request per sandbox).
    [ENV.speechWorkers]: process.env[ENV.speechWorkers] ?? String(availableParallelism()),
    // The engines accept any credentials; the handlers' SDK clients need some.
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  });
  Object.assign(process.env, given);
  return given;
}

/**
 * A function's own variables from the template, with the references the embedded stack can resolve (tables become
 * their local names, state machines their local ARNs); those it cannot (the token secret's ARN) are left out.
 */
export function functionEnvironment(template: LocalTemplate, environment: Record<string, unknown>): Record<string, string> {
  const tableIds = new Set(template.tables.map((table) => table.logicalId));
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    const ref = (value as { Ref?: string }).Ref;
    if (typeof value === 'string') resolved[name] = value;
    else if (ref && tableIds.has(ref)) resolved[name] = ref;
    else if (ref && ref in template.stateMachines) resolved[name] = localStateMachineArn(ref);
  }
  return resolved;
}
