#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { openApiDocument } from '#transport/openapi';

/** `npm run openapi`: regenerates docs/openapi.json from the route table and the operations' schemas. */
const OPENAPI_FILE = path.join(__dirname, '..', 'docs', 'openapi.json');

writeFileSync(OPENAPI_FILE, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`Wrote ${OPENAPI_FILE}`);
