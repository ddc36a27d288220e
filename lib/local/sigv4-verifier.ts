import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '#connectors/node-sha256';

/** What API Gateway's IAM authorization refuses; the gateway answers it as AccessDeniedException. */
export class SignatureRejected extends Error {
  readonly name = 'SignatureRejected';
}

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface IncomingSignedRequest {
  method: string;
  path: string;
  /** Each member with every value it was sent with: a signature covers them all. */
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: Buffer;
}

/** Clients sign for Voice ID (`voiceid`) or, when they call an API Gateway endpoint, for `execute-api`. */
const ACCEPTED_SERVICES = new Set(['voiceid', 'execute-api']);
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/**
 * What API Gateway's IAM authorization does in AWS, for the embedded stack: recomputes the SigV4 signature with
 * @smithy/signature-v4 from the headers the client signed, and compares. Any failure is a SignatureRejected.
 */
export async function verifySignature(request: IncomingSignedRequest, credentials: LocalCredentials): Promise<void> {
  const authorization = request.headers['authorization'];
  const match = authorization ? AUTHORIZATION.exec(authorization) : null;
  if (!match) {
    throw new SignatureRejected(
      'The request is not signed. Sign it with AWS Signature Version 4 using the local credentials in endpoints.json.',
    );
  }
  const [, accessKeyId, , region, service, signedHeaderList, signature] = match;
  if (accessKeyId !== credentials.accessKeyId) {
    throw new SignatureRejected(`The access key ${accessKeyId} is not known to this service.`);
  }
  if (!ACCEPTED_SERVICES.has(service)) {
    throw new SignatureRejected(`The request is signed for the service ${service}; sign it for voiceid.`);
  }
  const amzDate = request.headers['x-amz-date'];
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate || Math.abs(signingDate.getTime() - Date.now()) > MAX_CLOCK_SKEW_MS) {
    throw new SignatureRejected('The request signature date (X-Amz-Date) is missing or more than 15 minutes off.');
  }

  // A signer takes x-amz-content-sha256, when present, for the body's hash: the body must be what it declares, as
  // API Gateway checks (which has no unsigned payloads either).
  const declaredHash = request.headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex')) {
    throw new SignatureRejected(
      `The request body does not match its x-amz-content-sha256 (${declaredHash === 'UNSIGNED-PAYLOAD' ? 'an unsigned payload is not accepted' : 'another body was signed'}). Sign the body you send.`,
    );
  }
  const signedHeaders = signedHeaderList.split(';');
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name] ?? '']));
  const signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, applyChecksum: false });
  const expected = await signer.sign(
    new HttpRequest({ method: request.method, path: request.path, query: request.query, headers, body: request.body }),
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(expected.headers['authorization']))?.[1] ?? '';
  if (!timingSafeEqual(Buffer.from(expectedSignature.padEnd(64)), Buffer.from(signature))) {
    throw new SignatureRejected(
      'The request signature does not match. Check the secret access key and that nothing changed the request after signing.',
    );
  }
}

/** A query as SigV4 signs it: each member with every value it has, so that no value can be added unsigned. */
export function signedQuery(search: URLSearchParams): Record<string, string | string[]> {
  return Object.fromEntries(
    [...new Set(search.keys())].map((name) => {
      const values = search.getAll(name);
      return [name, values.length > 1 ? values : values[0]];
    }),
  );
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}
