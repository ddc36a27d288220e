import * as path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { VoiceIDClient } from '@aws-sdk/client-voice-id';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadConfig } from '#config';
import { createContext, type OperationContext } from '#operations/context';
import { loadOrCreateSecrets, type Endpoints } from '../../lib/local/embedded-stack';

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

export function endpoints(): Endpoints {
  const json = process.env.VOICE_ID_TEST_ENDPOINTS;
  if (!json) throw new Error('Integration tests need the embedded stack from test/support/global-setup.ts.');
  return JSON.parse(json);
}

/** The official Voice ID client, pointed at the embedded stack: what a migrating customer runs. */
export function voiceId(): VoiceIDClient {
  const e = endpoints();
  return new VoiceIDClient({ endpoint: e.voiceId, region: e.region, credentials: e.credentials, maxAttempts: 1 });
}

export function kms(): KMSClient {
  const e = endpoints();
  return new KMSClient({ endpoint: e.kms, region: e.region, credentials: e.credentials });
}

/** A plain HTTP call, SigV4-signed for `voiceid` unless `sign` is false: what a REST backend sends. */
export async function http(
  method: string,
  pathAndQuery: string,
  options: { body?: unknown; headers?: Record<string, string>; sign?: boolean; secretAccessKey?: string } = {},
) {
  const e = endpoints();
  const url = new URL(pathAndQuery, e.voiceId);
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
      new HttpRequest({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body }),
    );
    headers = signed.headers as Record<string, string>;
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** The service's tables in DynamoDB Local, by their role, and a client to read them raw. */
export async function serviceTables() {
  const e = endpoints();
  const dynamodb = new DynamoDBClient({ endpoint: e.dynamodb, region: e.region, credentials: e.credentials });
  const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
  const table = (prefix: string) => TableNames.find((name) => name.startsWith(prefix)) ?? '';
  return {
    names: {
      domains: table('TablesDomains'),
      watchlists: table('TablesWatchlists'),
      speakers: table('TablesSpeakers'),
      fraudsters: table('TablesFraudsters'),
      counters: table('TablesQuotaCounters'),
      idempotency: table('TablesIdempotencyRecords'),
    },
    client: DynamoDBDocumentClient.from(dynamodb),
  };
}

/**
 * The service's own operation context, wired to the embedded stack's engines: for tests that must reach past
 * the API (store operations, the sweeper) or move the clock.
 */
export async function serviceContext(now: () => number = Date.now): Promise<OperationContext> {
  const e = endpoints();
  const { names } = await serviceTables();
  const { tokenSecret } = loadOrCreateSecrets(path.join(process.env.VOICE_ID_TEST_DATA_DIR!, 'local-secrets.json'));
  const config = loadConfig({
    AWS_REGION: e.region,
    VOICE_ID_ACCOUNT_ID: '000000000000',
    DOMAINS_TABLE: names.domains,
    WATCHLISTS_TABLE: names.watchlists,
    SPEAKERS_TABLE: names.speakers,
    FRAUDSTERS_TABLE: names.fraudsters,
    COUNTERS_TABLE: names.counters,
    IDEMPOTENCY_TABLE: names.idempotency,
    ...TEST_QUOTAS,
    DYNAMODB_ENDPOINT: e.dynamodb,
    KMS_ENDPOINT: e.kms,
    TOKEN_SECRET: tokenSecret,
  });
  return { ...(await createContext(config)), now };
}
