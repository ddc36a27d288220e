import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ServiceError, startJsonProtocolServer, validated } from './json-protocol-server.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './template.ts';

const storedKey = z.object({
  keyId: z.string(),
  material: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  createdAt: z.number(),
});
type StoredKey = z.infer<typeof storedKey>;

const keyFile = z.object({ keys: z.record(z.string(), storedKey), aliases: z.record(z.string(), z.string()) });
type KeyFile = z.infer<typeof keyFile>;

// KeyId stays optional here so that a missing one gets KMS's own message (see `resolve`).
const keyId = z.string().optional();
const encryptionContext = z.record(z.string(), z.string()).optional();

/** The alias of the key the embedded stack creates for trying it out. */
export const LOCAL_DEFAULT_KEY_ALIAS = 'alias/voice-id-local';

const keyArn = (keyId: string) => `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:key/${keyId}`;

/**
 * A KMS stand-in (no installable KMS emulator exists): symmetric keys, AES-256-GCM with the encryption context
 * bound as additional authenticated data, as real KMS binds it. Keys persist in the data directory in the clear:
 * this is for development on one machine, never for production secrets.
 */
export async function startLocalKms(dataDir: string) {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'keys.json');
  const state: KeyFile = existsSync(file) ? keyFile.parse(JSON.parse(readFileSync(file, 'utf8'))) : { keys: {}, aliases: {} };
  // Written beside and renamed over the file: a crash mid-write leaves the old keys, never an empty file (which would
  // lose every key and with it every voiceprint sealed under them).
  const save = () => {
    writeFileSync(`${file}.new`, JSON.stringify(state, null, 2), { mode: 0o600 });
    renameSync(`${file}.new`, file);
  };

  const resolve = (keyRef: string | undefined): StoredKey => {
    if (!keyRef) throw new ServiceError('ValidationException', 'KeyId is required.');
    const id = keyRef.startsWith('alias/')
      ? state.aliases[keyRef]
      : keyRef.startsWith('arn:')
        ? keyRef.includes(':alias/')
          ? state.aliases[keyRef.slice(keyRef.indexOf('alias/'))]
          : keyRef.split('/').pop()
        : keyRef;
    const key = id ? state.keys[id] : undefined;
    if (!key) throw new ServiceError('NotFoundException', `Key '${keyRef}' does not exist`);
    return key;
  };
  const usable = (keyRef: string | undefined) => {
    const key = resolve(keyRef);
    if (!key.enabled) throw new ServiceError('DisabledException', `${keyArn(key.keyId)} is disabled.`);
    return key;
  };
  const metadata = (key: StoredKey) => ({
    KeyId: key.keyId,
    Arn: keyArn(key.keyId),
    AWSAccountId: LOCAL_ACCOUNT_ID,
    CreationDate: key.createdAt / 1000,
    Description: key.description,
    Enabled: key.enabled,
    KeyState: key.enabled ? 'Enabled' : 'Disabled',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    KeyManager: 'CUSTOMER',
    Origin: 'AWS_KMS',
  });
  const context = (value: unknown) => Buffer.from(JSON.stringify(Object.entries(value ?? {}).sort()));

  // Ciphertext blob: key id (36 bytes) | iv (12) | tag (16) | ciphertext.
  const encrypt = (key: StoredKey, plaintext: Buffer, encryptionContext: unknown) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(key.material, 'base64'), iv);
    cipher.setAAD(context(encryptionContext));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from(key.keyId), iv, cipher.getAuthTag(), sealed]).toString('base64');
  };
  const decrypt = (blob: Buffer, encryptionContext: unknown) => {
    const key = usable(blob.subarray(0, 36).toString());
    try {
      const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key.material, 'base64'), blob.subarray(36, 48));
      decipher.setAAD(context(encryptionContext));
      decipher.setAuthTag(blob.subarray(48, 64));
      return { key, plaintext: Buffer.concat([decipher.update(blob.subarray(64)), decipher.final()]) };
    } catch {
      throw new ServiceError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid.');
    }
  };
  const createKey = (description: string) => {
    const key: StoredKey = {
      keyId: randomUUID(),
      material: randomBytes(32).toString('base64'),
      description,
      enabled: true,
      createdAt: Date.now(),
    };
    state.keys[key.keyId] = key;
    save();
    return key;
  };

  if (!state.aliases[LOCAL_DEFAULT_KEY_ALIAS]) {
    state.aliases[LOCAL_DEFAULT_KEY_ALIAS] = createKey('Default key of the embedded Voice ID stack').keyId;
    save();
  }

  const { server, url } = await startJsonProtocolServer('KMS', {
    CreateKey: validated(z.object({ Description: z.string().default('') }), ({ Description }) => ({
      KeyMetadata: metadata(createKey(Description)),
    })),
    DescribeKey: validated(z.object({ KeyId: keyId }), ({ KeyId }) => ({ KeyMetadata: metadata(resolve(KeyId)) })),
    EnableKey: validated(z.object({ KeyId: keyId }), ({ KeyId }) => void ((resolve(KeyId).enabled = true), save())),
    DisableKey: validated(z.object({ KeyId: keyId }), ({ KeyId }) => void ((resolve(KeyId).enabled = false), save())),
    CreateAlias: validated(z.object({ AliasName: z.string(), TargetKeyId: keyId }), ({ AliasName, TargetKeyId }) => {
      if (state.aliases[AliasName]) throw new ServiceError('AlreadyExistsException', `${AliasName} already exists`);
      state.aliases[AliasName] = resolve(TargetKeyId).keyId;
      save();
    }),
    ListAliases: () => ({
      Aliases: Object.entries(state.aliases).map(([AliasName, TargetKeyId]) => ({ AliasName, TargetKeyId })),
    }),
    Encrypt: validated(
      z.object({ KeyId: keyId, Plaintext: z.string(), EncryptionContext: encryptionContext }),
      ({ KeyId, Plaintext, EncryptionContext }) => {
        const key = usable(KeyId);
        return { KeyId: keyArn(key.keyId), CiphertextBlob: encrypt(key, Buffer.from(Plaintext, 'base64'), EncryptionContext) };
      },
    ),
    Decrypt: validated(
      z.object({ CiphertextBlob: z.string(), EncryptionContext: encryptionContext }),
      ({ CiphertextBlob, EncryptionContext }) => {
        const { key, plaintext } = decrypt(Buffer.from(CiphertextBlob, 'base64'), EncryptionContext);
        return { KeyId: keyArn(key.keyId), Plaintext: plaintext.toString('base64') };
      },
    ),
    GenerateDataKey: validated(
      z.object({
        KeyId: keyId,
        EncryptionContext: encryptionContext,
        NumberOfBytes: z.number().optional(),
        KeySpec: z.string().optional(),
      }),
      ({ KeyId, EncryptionContext, NumberOfBytes, KeySpec }) => {
        const key = usable(KeyId);
        const plaintext = randomBytes(NumberOfBytes ?? (KeySpec === 'AES_128' ? 16 : 32));
        return {
          KeyId: keyArn(key.keyId),
          Plaintext: plaintext.toString('base64'),
          CiphertextBlob: encrypt(key, plaintext, EncryptionContext),
        };
      },
    ),
  });
  return { server, url, defaultKeyArn: keyArn(state.aliases[LOCAL_DEFAULT_KEY_ALIAS]) };
}
