import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ValidationException } from '#api-model/errors';
import { DATA_KEY_MAX_AGE_MS, domainEnvelope, EnvelopeEncryption } from '#store/envelope';

/** A stand-in for AWS KMS (not one of our components): wraps data keys with AES-GCM, context bound as AAD. */
function fakeKms(refuse?: string) {
  const master = randomBytes(32);
  const calls = { GenerateDataKey: 0, Decrypt: 0 };
  const aad = (context: Record<string, string> = {}) => Buffer.from(JSON.stringify(Object.entries(context).sort()));
  const send = (command: unknown) => {
    if (refuse) return Promise.reject(Object.assign(new Error('refused'), { name: refuse }));
    if (command instanceof GenerateDataKeyCommand) {
      calls.GenerateDataKey++;
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', master, iv).setAAD(aad(command.input.EncryptionContext));
      const blob = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return Promise.resolve({ Plaintext: plaintext, CiphertextBlob: blob, KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k' });
    }
    if (command instanceof DecryptCommand) {
      calls.Decrypt++;
      const blob = Buffer.from(command.input.CiphertextBlob!);
      const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12)).setAAD(aad(command.input.EncryptionContext));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      return Promise.resolve({ Plaintext: Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]) });
    }
    return Promise.reject(new Error('unexpected command'));
  };
  return { kms: { send } as unknown as KMSClient, calls };
}

const domain = { domainId: 'AAAAAAAAAAAAAAAAAAAAAA', kmsKeyId: 'alias/customer' };
const envelope = domainEnvelope(domain, 'eu-west-1', '111122223333');
const value = (i: number) => Buffer.from(`voiceprint ${i}`);

describe('envelope encryption', () => {
  it("binds Voice ID's encryption context: the domain's ARN", () => {
    expect(envelope).toEqual({
      kmsKeyId: 'alias/customer',
      context: { 'aws:voiceid:domain:arn': 'arn:aws:voiceid:eu-west-1:111122223333:domain/AAAAAAAAAAAAAAAAAAAAAA' },
    });
  });

  it('seals 500 values with one data key, and another process opens them with one Decrypt', async () => {
    const { kms, calls } = fakeKms();
    const sealer = new EnvelopeEncryption(kms);
    const sealed = await Promise.all(Array.from({ length: 500 }, (_, i) => sealer.seal(value(i), envelope, `owner ${i}`)));
    expect(calls.GenerateDataKey).toBe(1);

    const opener = new EnvelopeEncryption(kms);
    for (let i = 0; i < 500; i++) expect(Buffer.from(await opener.open(sealed[i], envelope, `owner ${i}`))).toEqual(value(i));
    expect(calls.Decrypt).toBe(1);
    // The process that sealed them needs KMS for none.
    await sealer.open(sealed[0], envelope, 'owner 0');
    expect(calls.Decrypt).toBe(1);
  });

  it('takes a new data key after five minutes, and asks KMS again to open after five minutes', async () => {
    const { kms, calls } = fakeKms();
    let now = 0;
    const encryption = new EnvelopeEncryption(kms, () => now);
    const first = await encryption.seal(value(1), envelope, 'a');
    now += DATA_KEY_MAX_AGE_MS;
    const second = await encryption.seal(value(2), envelope, 'a');
    expect(calls.GenerateDataKey).toBe(2);
    expect(Buffer.from(second.wrappedKey)).not.toEqual(Buffer.from(first.wrappedKey));
    await encryption.open(first, envelope, 'a');
    expect(calls.Decrypt).toBe(1);
  });

  it('refuses a value moved to another owner, another domain or tampered with', async () => {
    const { kms } = fakeKms();
    const encryption = new EnvelopeEncryption(kms);
    const sealed = await encryption.seal(value(1), envelope, 'speaker#id#1');
    await expect(encryption.open(sealed, envelope, 'speaker#id#2')).rejects.toThrow(/authenticate/);
    const other = domainEnvelope({ ...domain, domainId: 'BBBBBBBBBBBBBBBBBBBBBB' }, 'eu-west-1', '111122223333');
    await expect(new EnvelopeEncryption(kms).open(sealed, other, 'speaker#id#1')).rejects.toThrow();
    const tampered = { ...sealed, ciphertext: Uint8Array.from(sealed.ciphertext, (b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(encryption.open(tampered, envelope, 'speaker#id#1')).rejects.toThrow(/authenticate/);
  });

  it('answers a refused or disabled key with what to fix', async () => {
    for (const refusal of ['AccessDeniedException', 'DisabledException']) {
      const { kms } = fakeKms(refusal);
      const sealing = new EnvelopeEncryption(kms).seal(value(1), envelope, 'a');
      await expect(sealing).rejects.toThrow(ValidationException);
      await expect(sealing).rejects.toThrow(
        `KMS refused kms:GenerateDataKey on the domain's key alias/customer (${refusal}). Enable the key and allow this service to use it in the key policy (README, "Your KMS keys").`,
      );
    }
    const { kms } = fakeKms('ThrottlingException');
    await expect(new EnvelopeEncryption(kms).seal(value(1), envelope, 'a')).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
