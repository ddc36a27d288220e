import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Endpoints } from '#lib/local/embedded-stack';

/**
 * What the commands under bin/ read of the embedded stack's `endpoints.json` (lib/local/embedded-stack.ts writes
 * it): where the API, the local S3 and the connectors answer, the region, the local credentials and the
 * connectors' secrets.
 */
export type LocalEndpoints = Pick<Endpoints, 'voiceId' | 's3' | 'region' | 'credentials' | 'connectors' | 'connectorSecrets'>;

/** `given`, else `endpoints.json` in the stack's data directory (VOICE_ID_DATA_DIR, else the project's .data/). */
export function endpointsFile(given?: string): string {
  return given ?? path.join(process.env.VOICE_ID_DATA_DIR ?? path.join(__dirname, '..', '.data'), 'endpoints.json');
}

/** The endpoints of a running embedded stack; undefined when the default file does not exist (no stack started). */
export function readLocalEndpoints(given?: string): LocalEndpoints | undefined {
  const file = endpointsFile(given);
  if (!given && !existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
}
