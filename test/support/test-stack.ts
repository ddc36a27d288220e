import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type EmbeddedStack, type Endpoints, startEmbeddedStack } from '#lib/local/embedded-stack';
import { type LocalTemplate, synthesizeTemplate } from '#lib/local/template';

/**
 * Quotas the embedded stack runs with in tests: small enough to reach, except domains (the suites create many;
 * the domain quota is tested through a context with its own limit).
 */
export const TEST_QUOTAS = {
  QUOTA_DOMAINS: '10000',
  QUOTA_WATCHLISTS_PER_DOMAIN: '4',
  QUOTA_FRAUDSTERS_PER_WATCHLIST: '3',
  QUOTA_SPEAKERS_PER_DOMAIN: '5',
};

/** What the tests need to know about an embedded stack started for them; kept in its data directory. */
export interface TestStackDescription {
  dataDir: string;
  endpoints: Endpoints;
  /** The environment the stack gave its handlers (what Lambda would give them), test quotas included. */
  handlerEnvironment: Record<string, string>;
  /** A stack on bundles: its cloud assembly (cdk.out/) and functions' sandboxes (lib/local/embedded-stack.ts). */
  bundlesDir?: string;
  /** Only when asked for (in-process mode): the API routes and the handler of each function, from the template. */
  routes?: LocalTemplate['routes'];
  functions?: Record<string, string>;
}

export const TEST_STACK_FILE = 'test-stack.json';

/**
 * Starts the embedded stack for tests in `dataDir`, with the test quotas, and records its description there.
 * With `withTemplate`, the description also holds the routes and functions, so that test workers can serve the
 * API in-process (test/support/clients.ts) without synthesizing the stack themselves.
 */
export async function startTestStack(
  dataDir: string,
  { withTemplate = false, bundles = false } = {},
): Promise<{ stack: EmbeddedStack; description: TestStackDescription }> {
  Object.assign(process.env, TEST_QUOTAS);
  const before = { ...process.env };
  // Time to Live every second, so that a test relying on an expired item staying (or going) fails here first.
  const stack = await startEmbeddedStack({ dataDir, port: 0, bundles, timeToLive: { intervalMs: 1000, lagMs: 0 } });
  const handlerEnvironment: Record<string, string> = { ...TEST_QUOTAS };
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && before[name] !== value) handlerEnvironment[name] = value;
  }
  // Also what the stack set to a value this process already had (inherited from a parent that ran a stack).
  Object.assign(handlerEnvironment, stack.handlerEnvironment);
  const description: TestStackDescription = { dataDir, endpoints: stack.endpoints, handlerEnvironment, bundlesDir: stack.bundlesDir };
  if (withTemplate) {
    const template = synthesizeTemplate();
    description.routes = template.routes;
    description.functions = Object.fromEntries(Object.entries(template.functions).map(([id, fn]) => [id, fn.handler]));
  }
  writeFileSync(path.join(dataDir, TEST_STACK_FILE), JSON.stringify(description, null, 2));
  return { stack, description };
}

export function readTestStack(dataDir: string): TestStackDescription {
  return JSON.parse(readFileSync(path.join(dataDir, TEST_STACK_FILE), 'utf8')) as TestStackDescription;
}
