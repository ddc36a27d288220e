import type { StagedWrite } from './staged-write.ts';

export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  response: unknown;
  expiresAt: number;
}

/** Raised by a store when the ClientToken claim in its transaction failed: another call holds the token. */
export class ClientTokenTaken extends Error {}

/**
 * ClientToken records, each written in the same transaction as the change it guards, so a retried request sees
 * either the whole first result or nothing at all.
 */
export interface ClientTokens {
  find(key: string, nowMs: number): Promise<IdempotencyRecord | undefined>;
  /** The write that claims a token, for the store that makes the change it guards (ClientTokenTaken if held). */
  claim(claimed: Omit<IdempotencyRecord, 'expiresAt'>, nowMs: number): StagedWrite;
}
