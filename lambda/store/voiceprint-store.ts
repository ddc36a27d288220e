import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGet } from './dynamodb.ts';
import type { DomainEncryption, DomainKey } from './envelope.ts';
import type { GuardedWrite } from './transactions.ts';

/** Whose voiceprint: an enrolled speaker's or a registered fraudster's (GeneratedSpeakerId / GeneratedFraudsterId). */
export interface VoiceprintOwner {
  kind: 'speaker' | 'fraudster';
  id: string;
}

/** A voiceprint as scoring uses it; the vector exists in memory only, never in a table or a log. */
export interface StoredVoiceprint {
  /** The model that made it: scoring refuses to compare voiceprints of different models. */
  model: string;
  vector: Float32Array;
}

/** The write that stores or removes a voiceprint, for the store that changes its owner to put in the same transaction. */
export type VoiceprintWrite = GuardedWrite;

interface VoiceprintItem {
  domainId: string;
  ownerId: string;
  model: string;
  kmsKeyArn: string;
  wrappedKey: Uint8Array;
  ciphertext: Uint8Array;
  createdAt: number;
}

const ownerId = (owner: VoiceprintOwner) => `${owner.kind}#${owner.id}`;

/**
 * Voiceprints, apart from the speaker and fraudster records (one partition per domain, sort key
 * `speaker#<id>` / `fraudster#<id>`), each envelope-encrypted under its domain's KMS key. Keeping them apart lets
 * opt-out, deletion and expiry purge the biometric data while the audit record stays.
 */
export class VoiceprintStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly encryption: DomainEncryption,
  ) {}

  /** Encrypts a voiceprint and returns the write that stores it (replacing any earlier one of the same owner). */
  async seal(domain: DomainKey, owner: VoiceprintOwner, voiceprint: StoredVoiceprint, nowMs: number): Promise<VoiceprintWrite> {
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
    };
    return { write: { Put: { TableName: this.tableName, Item: item } } };
  }

  /** The write that purges an owner's voiceprint; harmless when there is none. */
  remove(domainId: string, owner: VoiceprintOwner): VoiceprintWrite {
    return { write: { Delete: { TableName: this.tableName, Key: { domainId, ownerId: ownerId(owner) } } } };
  }

  async get(domain: DomainKey, owner: VoiceprintOwner): Promise<StoredVoiceprint | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { domainId: domain.domainId, ownerId: ownerId(owner) }, ConsistentRead: true }),
    );
    return Item ? this.open(domain, owner, Item as VoiceprintItem) : undefined;
  }

  /** The voiceprints of many owners of one domain (a watchlist's fraudsters), by owner id; absent ones are left out. */
  async getMany(domain: DomainKey, owners: VoiceprintOwner[]): Promise<Map<string, StoredVoiceprint>> {
    const items = await batchGet(
      this.client,
      this.tableName,
      owners.map((owner) => ({ domainId: domain.domainId, ownerId: ownerId(owner) })),
    );
    const byOwnerId = new Map(items.map((item) => [item.ownerId as string, item as unknown as VoiceprintItem]));
    const found = new Map<string, StoredVoiceprint>();
    for (const owner of owners) {
      const item = byOwnerId.get(ownerId(owner));
      if (item) found.set(owner.id, await this.open(domain, owner, item));
    }
    return found;
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
