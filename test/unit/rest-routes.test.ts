import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { operations } from '#operations/index';
import { openApiDocument } from '#transport/openapi';
import { restRoutes } from '#transport/rest-routes';

const OPERATIONS_DIR = path.join(__dirname, '..', '..', 'lambda', 'operations');

describe('the operation registry', () => {
  it('names all 29 Voice ID operations, the 7 session operations and the compliance report, each once', () => {
    const names = operations.map((op) => op.name);
    expect(new Set(names).size).toBe(37);
    expect(names).toHaveLength(37);
    expect(names.slice(29)).toEqual([
      'StartSession',
      'DescribeSession',
      'UpdateSession',
      'AppendSessionAudio',
      'EndSession',
      'EnrollSessionSpeaker',
      'RegisterSessionFraudster',
      'GetComplianceReport',
    ]);
  });

  it('lists every operation module in lambda/operations', async () => {
    const registered = new Set(operations);
    for (const file of readdirSync(OPERATIONS_DIR)) {
      const module = (await import(path.join(OPERATIONS_DIR, file))) as { default?: unknown };
      if (module.default) expect(registered.has(module.default as never)).toBe(true);
    }
  });
});

describe('the REST routes', () => {
  it('take each method and path once', () => {
    const keys = restRoutes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(37);
  });

  it('are documented by docs/openapi.json, which `npm run openapi` keeps in step', () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});
