import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ValidationException } from '#api-model/errors';
import type { NextTokens } from '#ports/page';

/** Voice ID documents that every pagination token expires after 24 hours. */
export const PAGE_TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

interface TokenBody {
  /** The list the token belongs to, e.g. `ListDomains` or `ListSpeakers/<DomainId>`. */
  list: string;
  position: Record<string, unknown>;
  expiresAt: number;
}

const invalid = () =>
  new ValidationException(
    'NextToken is not valid: pass the NextToken of the previous page of this same list, unchanged, or omit it to start over.',
  );

/**
 * NextTokens are the store's position sealed with AES-256-GCM: opaque to callers, unforgeable, and bound to one
 * list and an expiry, so a token from another domain or list is refused instead of leaking or mixing data.
 */
export class PageTokens implements NextTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'voice-id', 'pagination-token', 32));
  }

  seal(list: string, position: Record<string, unknown> | undefined, nowMs: number): string | undefined {
    if (!position) return undefined;
    const body: TokenBody = { list, position, expiresAt: nowMs + PAGE_TOKEN_LIFETIME_MS };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(list));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(body)), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  open(list: string, token: string | undefined, nowMs: number): Record<string, unknown> | undefined {
    // The model allows an empty NextToken; like an absent one it starts the list from the beginning.
    if (!token) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 29) throw invalid();
    let body: TokenBody;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(list));
      decipher.setAuthTag(raw.subarray(12, 28));
      // Authenticated by GCM: only `seal` can have written this body.
      body = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as TokenBody;
    } catch {
      throw invalid();
    }
    if (body.list !== list) throw invalid();
    if (body.expiresAt <= nowMs) {
      throw new ValidationException('NextToken has expired (tokens last 24 hours): list again without NextToken.');
    }
    return body.position;
  }
}
