import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What the commands under bin/ read of the embedded stack's `endpoints.json` (lib/local/embedded-stack.ts writes
 * it): where the API and the local S3 answer, the region and the local credentials.
 */
export interface LocalEndpoints {
  voiceId: string;
  s3: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Each phone-system connector's URL, and the secrets the embedded stack checks their streams with. */
  connectors: Record<string, string>;
  connectorSecrets: {
    twilioAuthToken: string;
    streamToken: string;
    audiohookApiKey: string;
    audiohookClientSecret: string;
    webhookSecret: string;
  };
}

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
