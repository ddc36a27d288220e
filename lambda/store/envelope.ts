import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { domainArn } from '#api-model/domain';
import type { DomainKey } from '#ports/domains';
import { type DomainKeys, KmsKeyRefused } from '#ports/encryption';

/** What a sealed value is bound to: the KMS key and encryption context that wrap its data key. */
export interface Envelope {
  kmsKeyId: string;
  /** Sent to KMS with every GenerateDataKey and Decrypt, so key policies and CloudTrail see which domain asked. */
  context: Record<string, string>;
}

/** Voice ID's encryption context for a domain's data, so customers' key policies and CloudTrail queries carry over. */
export const DOMAIN_ENCRYPTION_CONTEXT_KEY = 'aws:voiceid:domain:arn';

/** The envelope of a domain's biometric data: its own KMS key, and its ARN as the encryption context. */
export function domainEnvelope(domain: DomainKey, region: string, accountId: string): Envelope {
  return {
    kmsKeyId: domain.kmsKeyId,
    context: { [DOMAIN_ENCRYPTION_CONTEXT_KEY]: domainArn(region, accountId, domain.domainId) },
  };
}

/** Envelope encryption of a domain's biometric data, under the domain's key and Voice ID's encryption context. */
export class DomainEncryption implements DomainKeys {
  constructor(
    private readonly envelopes: EnvelopeEncryption,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  seal(domain: DomainKey, plaintext: Uint8Array, aad: string): Promise<Sealed> {
    return this.envelopes.seal(plaintext, domainEnvelope(domain, this.region, this.accountId), aad);
  }

  /** Opens a value with the key its wrapped data key records (`sealed.kmsKeyArn`), whichever key the domain has now. */
  open(domain: DomainKey, sealed: Sealed, aad: string): Promise<Uint8Array> {
    return this.envelopes.open(sealed, domainEnvelope(domain, this.region, this.accountId), aad);
  }

  /** The ARN of the domain's key as KMS reports it (the key an alias or id names), from the data key new values get. */
  async keyArn(domain: DomainKey): Promise<string> {
    return this.envelopes.keyArn(domainEnvelope(domain, this.region, this.accountId));
  }
}

/** Values read per page of re-encryption: one page is one task of the re-encryption state machine. */
export const RE_ENCRYPTION_PAGE_SIZE = 250;

/** A value encrypted under a data key that KMS wrapped; only the wrapped key is stored. */
export interface Sealed {
  /** The KMS key ARN that wrapped the data key (KMS reports it even when an alias was given). */
  kmsKeyArn: string;
  wrappedKey: Uint8Array;
  /** AES-256-GCM: 12-byte IV, then the ciphertext, then the 16-byte tag. */
  ciphertext: Uint8Array;
}

interface DataKey {
  plaintext: Buffer;
  wrapped: Uint8Array;
  kmsKeyArn: string;
}

/**
 * A cached data key. The promise is cached, not its value, so that concurrent callers share one KMS request
 * instead of each asking for a key of its own; a failed request is dropped from the cache.
 */
interface CachedKey {
  key: Promise<DataKey>;
  expiresAt: number;
  uses: number;
}

/**
 * How long a data key is reused, and for how many values, before KMS is asked for a new one; and how long an
 * unwrapped data key stays in memory. The AWS Encryption SDK's caching materials manager uses the same kind of
 * bounds. Five minutes means a voiceprint scored against a 500-fraudster watchlist costs one Decrypt per data key
 * (in practice a handful), not one per fraudster, while a revoked key grant takes effect within five minutes.
 */
export const DATA_KEY_MAX_AGE_MS = 5 * 60 * 1000;
export const DATA_KEY_MAX_USES = 10_000;
const MAX_CACHED_KEYS = 1_000;

/**
 * Envelope encryption with AWS KMS: each value is sealed with AES-256-GCM under a data key that KMS generated and
 * wrapped under the domain's key, with the encryption context bound to both. The plaintext value and data key
 * exist only in memory; `aad` binds a sealed value to where it is stored (e.g. its owner), so a copy moved onto
 * another record fails to open.
 */
export class EnvelopeEncryption {
  private readonly encrypting = new Map<string, CachedKey>();
  private readonly decrypting = new Map<string, CachedKey>();

  constructor(
    private readonly kms: KMSClient,
    private readonly now: () => number = Date.now,
  ) {}

  async seal(plaintext: Uint8Array, envelope: Envelope, aad: string): Promise<Sealed> {
    const key = await this.encryptionKey(envelope);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
    cipher.setAAD(additionalData(envelope, aad));
    const ciphertext = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { kmsKeyArn: key.kmsKeyArn, wrappedKey: key.wrapped, ciphertext };
  }

  /** The ARN of the key that wraps the data keys of new values under `envelope` (no KMS call while one is cached). */
  async keyArn(envelope: Envelope): Promise<string> {
    return (await this.encryptionKey(envelope)).kmsKeyArn;
  }

  async open(sealed: Sealed, envelope: Envelope, aad: string): Promise<Uint8Array> {
    const key = await this.decryptionKey(sealed, envelope);
    const data = Buffer.from(sealed.ciphertext);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAAD(additionalData(envelope, aad));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
  }

  private encryptionKey(envelope: Envelope): Promise<DataKey> {
    const id = `${envelope.kmsKeyId}\n${canonicalContext(envelope.context)}`;
    const cached = this.encrypting.get(id);
    if (cached && cached.expiresAt > this.now() && cached.uses < DATA_KEY_MAX_USES) {
      cached.uses++;
      return cached.key;
    }
    const key = explainKeyRefusal(envelope.kmsKeyId, 'GenerateDataKey', () =>
      this.kms.send(new GenerateDataKeyCommand({ KeyId: envelope.kmsKeyId, KeySpec: 'AES_256', EncryptionContext: envelope.context })),
    ).then((generated) => {
      const dataKey = { plaintext: Buffer.from(generated.Plaintext!), wrapped: generated.CiphertextBlob!, kmsKeyArn: generated.KeyId! };
      // The process that sealed a value can open it again without asking KMS.
      this.cache(this.decrypting, decryptionId(dataKey.wrapped, envelope), Promise.resolve(dataKey));
      return dataKey;
    });
    this.cache(this.encrypting, id, key);
    return key;
  }

  private async decryptionKey(sealed: Sealed, envelope: Envelope): Promise<Buffer> {
    const id = decryptionId(sealed.wrappedKey, envelope);
    const cached = this.decrypting.get(id);
    if (cached && cached.expiresAt > this.now()) return (await cached.key).plaintext;
    const key = explainKeyRefusal(sealed.kmsKeyArn, 'Decrypt', () =>
      this.kms.send(
        new DecryptCommand({ CiphertextBlob: sealed.wrappedKey, KeyId: sealed.kmsKeyArn, EncryptionContext: envelope.context }),
      ),
    ).then(({ Plaintext }) => ({ plaintext: Buffer.from(Plaintext!), wrapped: sealed.wrappedKey, kmsKeyArn: sealed.kmsKeyArn }));
    this.cache(this.decrypting, id, key);
    return (await key).plaintext;
  }

  /** Bounded: the oldest entry goes first (a Map iterates in insertion order). */
  private cache(cache: Map<string, CachedKey>, id: string, key: Promise<DataKey>): void {
    const entry: CachedKey = { key, expiresAt: this.now() + DATA_KEY_MAX_AGE_MS, uses: 1 };
    cache.delete(id);
    if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value!);
    cache.set(id, entry);
    key.catch(() => {
      if (cache.get(id) === entry) cache.delete(id);
    });
  }
}

const decryptionId = (wrappedKey: Uint8Array, envelope: Envelope) =>
  `${Buffer.from(wrappedKey).toString('base64')}\n${canonicalContext(envelope.context)}`;

/** KMS's answers that mean the customer's key cannot be used now: the customer can fix each of them. */
const KEY_REFUSALS = new Set([
  'AccessDeniedException',
  'DisabledException',
  'NotFoundException',
  'KMSInvalidStateException',
  'InvalidKeyUsageException',
]);

/** Turns KMS refusing a customer's key into an answer that says which key, what was refused and what to do. */
async function explainKeyRefusal<T>(keyId: string, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof Error) || !KEY_REFUSALS.has(error.name)) throw error;
    throw new KmsKeyRefused(keyId, action, error.name);
  }
}

function canonicalContext(context: Record<string, string>): string {
  return JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function additionalData(envelope: Envelope, aad: string): Buffer {
  return Buffer.from(`${canonicalContext(envelope.context)}\n${aad}`, 'utf8');
}
