import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainKey } from '#ports/domains';
import type { ReEncryptedPage } from '#ports/encryption';
import type { StoredCohort, StoredVoiceprint, VoiceprintOwner, Voiceprints } from '#ports/voiceprints';
import { batchGet, everyPage, writeUnlessOvertaken } from './dynamodb.ts';
import { DATA_KEY_MAX_AGE_MS, type DomainEncryption, RE_ENCRYPTION_PAGE_SIZE } from './envelope.ts';
import type { GuardedWrite } from './transactions.ts';

interface VoiceprintItem {
  domainId: string;
  ownerId: string;
  model: string;
  kmsKeyArn: string;
  wrappedKey: Uint8Array;
  ciphertext: Uint8Array;
  createdAt: number;
  /** Epoch seconds: DynamoDB TTL erases a speaker's voiceprint once it has expired, should the sweep not run. */
  expiresAt?: number;
}

const ownerId = (owner: VoiceprintOwner) => `${owner.kind}#${owner.id}`;
const SPEAKER_PREFIX = 'speaker#';
const cacheKey = (domainId: string, owner: VoiceprintOwner, version: number) => `${domainId}\n${ownerId(owner)}\n${version}`;
/** At most about 10 MB of opened voiceprints per process. */
const MAX_OPENED = 10_000;
/**
 * Enough voices for a cohort's mean similarity to be known to within about 0.005 (its spread is about 0.07), while
 * one query reads them (about 250 KB) and scoring a caller against them takes well under a millisecond.
 */
export const COHORT_SIZE = 200;
/**
 * How long a domain's cohort is reused. Short, because a deleted or opted-out speaker's voiceprint must stop
 * being used within a minute; a minute is still thousands of evaluations of a busy domain per read.
 */
const COHORT_MAX_AGE_MS = 60_000;

/**
 * Voiceprints, apart from the speaker and fraudster records (one partition per domain, sort key
 * `speaker#<id>` / `fraudster#<id>`), each envelope-encrypted under its domain's KMS key. Keeping them apart lets
 * opt-out, deletion and expiry purge the biometric data while the audit record stays.
 */
export class VoiceprintStore implements Voiceprints {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly encryption: DomainEncryption,
    private readonly now: () => number,
  ) {}

  /** Voiceprints opened lately (in memory only, 1 KB each), by domain, owner and version. */
  private readonly opened = new Map<string, { voiceprint: StoredVoiceprint; expiresAt: number }>();
  /** Cohorts read lately, by domain: the promise, so that concurrent evaluations share one read. */
  private readonly cohorts = new Map<string, { cohort: Promise<StoredCohort>; expiresAt: number }>();

  /**
   * Up to COHORT_SIZE enrolled speakers' voiceprints of a domain, the other voices its callers are scored against
   * (lambda/biometrics/scoring.ts). Speaker ids are random, so the first ones in key order are a random sample.
   */
  cohort(domain: DomainKey): Promise<StoredCohort> {
    const cached = this.cohorts.get(domain.domainId);
    if (cached && cached.expiresAt > this.now()) return cached.cohort;
    // Other domains' stale cohorts go too: voiceprints are not kept in memory past their minute.
    for (const [domainId, { expiresAt }] of this.cohorts) if (expiresAt <= this.now()) this.cohorts.delete(domainId);
    const cohort = this.readCohort(domain);
    this.cohorts.set(domain.domainId, { cohort, expiresAt: this.now() + COHORT_MAX_AGE_MS });
    cohort.catch(() => this.cohorts.delete(domain.domainId));
    return cohort;
  }

  private async readCohort(domain: DomainKey): Promise<StoredCohort> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'domainId = :d AND begins_with(ownerId, :speaker)',
        ExpressionAttributeValues: { ':d': domain.domainId, ':speaker': SPEAKER_PREFIX },
        Limit: COHORT_SIZE,
      }),
    );
    return Promise.all(
      (Items as VoiceprintItem[]).map(async (item) => {
        const id = item.ownerId.slice(SPEAKER_PREFIX.length);
        return { id, ...(await this.open(domain, { kind: 'speaker', id }, item)) };
      }),
    );
  }

  /**
   * Encrypts a voiceprint and returns the write that stores it (replacing any earlier one of the same owner).
   * `expiresAtMs`, for a speaker's, is when it expires unless the speaker is authenticated or enrolled again.
   */
  async seal(
    domain: DomainKey,
    owner: VoiceprintOwner,
    voiceprint: StoredVoiceprint,
    nowMs: number,
    expiresAtMs?: number,
  ): Promise<GuardedWrite> {
    const bytes = new Uint8Array(voiceprint.vector.buffer, voiceprint.vector.byteOffset, voiceprint.vector.byteLength);
    const sealed = await this.encryption.seal(domain, bytes, aad(owner, voiceprint.model));
    const item: VoiceprintItem = {
      domainId: domain.domainId,
      ownerId: ownerId(owner),
      model: voiceprint.model,
      kmsKeyArn: sealed.kmsKeyArn,
      wrappedKey: sealed.wrappedKey,
      ciphertext: sealed.ciphertext,
      createdAt: nowMs,
      expiresAt: expiresAtMs === undefined ? undefined : Math.ceil(expiresAtMs / 1000),
    };
    return { write: { Put: { TableName: this.tableName, Item: item } } };
  }

  /** The write that moves a voiceprint's expiry (a speaker's, on a successful authentication); nothing if there is none. */
  extend(domainId: string, owner: VoiceprintOwner, expiresAtMs: number): GuardedWrite {
    return {
      write: {
        Update: {
          TableName: this.tableName,
          Key: { domainId, ownerId: ownerId(owner) },
          UpdateExpression: 'SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(ownerId)',
          ExpressionAttributeValues: { ':expiresAt': Math.ceil(expiresAtMs / 1000) },
        },
      },
    };
  }

  /** The write that purges an owner's voiceprint; harmless when there is none. */
  remove(domainId: string, owner: VoiceprintOwner): GuardedWrite {
    return { write: { Delete: { TableName: this.tableName, Key: { domainId, ownerId: ownerId(owner) } } } };
  }

  /**
   * An owner's voiceprint. `version` names the one the caller expects (the speaker record's `updatedAt`, which
   * every enrollment changes): a voiceprint opened for the same version lately is used again without a read.
   */
  async get(domain: DomainKey, owner: VoiceprintOwner, version: number): Promise<StoredVoiceprint | undefined> {
    const key = cacheKey(domain.domainId, owner, version);
    const recalled = this.recall(key);
    if (recalled) return recalled;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { domainId: domain.domainId, ownerId: ownerId(owner) }, ConsistentRead: true }),
    );
    return Item ? this.keep(key, await this.open(domain, owner, Item as VoiceprintItem)) : undefined;
  }

  /**
   * The voiceprints of a watchlist's fraudsters, by GeneratedFraudsterId; absent ones are left out. A fraudster's
   * voiceprint never changes (registering again makes a new fraudster), so one opened lately is used again: a
   * caller screened every second against 500 fraudsters costs one membership query, not 500 reads and decryptions.
   */
  async fraudsterVoiceprints(domain: DomainKey, fraudsterIds: string[]): Promise<Map<string, StoredVoiceprint>> {
    const found = new Map<string, StoredVoiceprint>();
    const missing: VoiceprintOwner[] = [];
    for (const id of fraudsterIds) {
      const recalled = this.recall(cacheKey(domain.domainId, { kind: 'fraudster', id }, 0));
      if (recalled) found.set(id, recalled);
      else missing.push({ kind: 'fraudster', id });
    }
    const items = await batchGet(
      this.client,
      this.tableName,
      missing.map((owner) => ({ domainId: domain.domainId, ownerId: ownerId(owner) })),
    );
    const byOwnerId = new Map(items.map((item) => [item.ownerId as string, item as unknown as VoiceprintItem]));
    for (const owner of missing) {
      const item = byOwnerId.get(ownerId(owner));
      if (item) found.set(owner.id, this.keep(cacheKey(domain.domainId, owner, 0), await this.open(domain, owner, item)));
    }
    return found;
  }

  /** Every voiceprint of a domain, by owner, with the key it is sealed under (no voiceprint is opened): for audits. */
  async inventory(domainId: string): Promise<{ owner: VoiceprintOwner; kmsKeyArn: string }[]> {
    const found: { owner: VoiceprintOwner; kmsKeyArn: string }[] = [];
    const query = {
      TableName: this.tableName,
      KeyConditionExpression: 'domainId = :d',
      ExpressionAttributeValues: { ':d': domainId },
      ProjectionExpression: 'ownerId, kmsKeyArn',
      ConsistentRead: true,
    };
    for await (const items of everyPage(this.client, { query })) {
      for (const item of items) {
        const [kind, ...id] = (item.ownerId as string).split('#');
        found.push({ owner: { kind: kind as VoiceprintOwner['kind'], id: id.join('#') }, kmsKeyArn: item.kmsKeyArn as string });
      }
    }
    return found;
  }

  /**
   * Re-seals under the domain's current key (whose ARN is `keyArn`) each voiceprint of one page that is sealed
   * under another key: opened with the key it records, sealed anew, and written only if it is still the value that
   * was read, so a voiceprint enrolled, replaced or purged meanwhile is never overwritten or brought back.
   */
  async reEncryptPage(domain: DomainKey, keyArn: string, startKey?: Record<string, unknown>): Promise<ReEncryptedPage> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'domainId = :d',
        FilterExpression: 'kmsKeyArn <> :arn',
        ExpressionAttributeValues: { ':d': domain.domainId, ':arn': keyArn },
        ExclusiveStartKey: startKey,
        Limit: RE_ENCRYPTION_PAGE_SIZE,
        ConsistentRead: true,
      }),
    );
    const items = (page.Items ?? []) as VoiceprintItem[];
    let resealed = 0;
    for (const item of items) {
      const [kind, ...id] = item.ownerId.split('#');
      const owner: VoiceprintOwner = { kind: kind as VoiceprintOwner['kind'], id: id.join('#') };
      const plaintext = await this.encryption.open(
        domain,
        { kmsKeyArn: item.kmsKeyArn, wrappedKey: item.wrappedKey, ciphertext: item.ciphertext },
        aad(owner, item.model),
      );
      const sealed = await this.encryption.seal(domain, plaintext, aad(owner, item.model));
      const written = await writeUnlessOvertaken(
        this.client,
        new UpdateCommand({
          TableName: this.tableName,
          Key: { domainId: domain.domainId, ownerId: item.ownerId },
          UpdateExpression: 'SET kmsKeyArn = :arn, wrappedKey = :wrapped, ciphertext = :ciphertext',
          ConditionExpression: 'ciphertext = :read',
          ExpressionAttributeValues: {
            ':arn': sealed.kmsKeyArn,
            ':wrapped': sealed.wrappedKey,
            ':ciphertext': sealed.ciphertext,
            ':read': item.ciphertext,
          },
        }),
      );
      if (written) resealed++;
    }
    return { found: items.length, resealed, lastKey: page.LastEvaluatedKey };
  }

  /** A voiceprint opened within the data-key lifetime, so the cache holds nothing a revoked key could no longer open. */
  private recall(key: string): StoredVoiceprint | undefined {
    const entry = this.opened.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.voiceprint;
    this.opened.delete(key);
    return undefined;
  }

  private keep(key: string, voiceprint: StoredVoiceprint): StoredVoiceprint {
    if (this.opened.size >= MAX_OPENED) this.opened.delete(this.opened.keys().next().value!);
    this.opened.set(key, { voiceprint, expiresAt: this.now() + DATA_KEY_MAX_AGE_MS });
    return voiceprint;
  }

  private async open(domain: DomainKey, owner: VoiceprintOwner, item: VoiceprintItem): Promise<StoredVoiceprint> {
    const bytes = await this.encryption.open(
      domain,
      { kmsKeyArn: item.kmsKeyArn, wrappedKey: item.wrappedKey, ciphertext: item.ciphertext },
      aad(owner, item.model),
    );
    const vector = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(vector.buffer).set(bytes);
    return { model: item.model, vector };
  }
}

/** Binds the ciphertext to its owner and model, so a voiceprint copied onto another record or model fails to open. */
const aad = (owner: VoiceprintOwner, model: string) => `voiceprint\n${ownerId(owner)}\n${model}`;
