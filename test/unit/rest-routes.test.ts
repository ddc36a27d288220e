import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { operations, operationInputs } from '#operations/index';
import { openApiDocument } from '#transport/openapi';
import { restRoutes } from '#transport/rest-routes';

describe('the REST route table', () => {
  it('routes only to operations that exist and are implemented, each method and path once', () => {
    for (const route of restRoutes) {
      expect(operations[route.operation]).toBeDefined();
      expect(operationInputs[route.operation]).toBeDefined();
    }
    const keys = restRoutes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is documented by docs/openapi.json, which `npm run openapi` keeps in step', () => {
    const committed = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('covers all 29 Voice ID operations in the registry', () => {
    expect(Object.keys(operations)).toHaveLength(29);
  });
});
