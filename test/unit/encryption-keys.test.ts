import { DescribeKeyCommand, type DescribeKeyCommandOutput, type KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import { ValidationException } from '#api-model/errors';
import { EncryptionKeys } from '#store/encryption-keys';

/**
 * The KMS key check of CreateDomain and UpdateDomain, against answers of KMS the local engine cannot give
 * (asymmetric and HMAC keys, access refused, KMS failing): only the AWS SDK client is stubbed.
 */
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';

function keysAnswering(answer: (command: DescribeKeyCommand) => Partial<DescribeKeyCommandOutput> | Error) {
  const kms = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sent: DescribeKeyCommand[] = [];
  jest.spyOn(kms, 'send').mockImplementation((command: unknown) => {
    sent.push(command as DescribeKeyCommand);
    const result = answer(command as DescribeKeyCommand);
    return (result instanceof Error ? Promise.reject(result) : Promise.resolve(result)) as never;
  });
  return { keys: new EncryptionKeys(kms), sent };
}

const metadata = (overrides: Partial<KeyMetadata> = {}): Partial<DescribeKeyCommandOutput> => ({
  KeyMetadata: { KeyId: KEY, Enabled: true, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', ...overrides },
});

const kmsError = (name: string) => Object.assign(new Error(`KMS said ${name}`), { name });

async function refusal(keys: EncryptionKeys): Promise<{ type: string; name: string; message: string }> {
  try {
    await keys.requireUsable(KEY);
  } catch (error) {
    return {
      type: error instanceof ValidationException ? 'ValidationException' : 'other',
      name: (error as Error).name,
      message: (error as Error).message,
    };
  }
  throw new Error('The key was accepted.');
}

afterEach(() => jest.restoreAllMocks());

describe('the KMS key check', () => {
  it('accepts an enabled symmetric encryption key, asking KMS about exactly the key given, and answers its ARN', async () => {
    const { keys, sent } = keysAnswering(() => metadata({ Arn: KEY }));
    await expect(keys.requireUsable('alias/voice-id')).resolves.toBe(KEY);
    expect(sent.map((command) => [command.constructor.name, command.input])).toEqual([['DescribeKeyCommand', { KeyId: 'alias/voice-id' }]]);
  });

  it.each(['NotFoundException', 'AccessDeniedException', 'ValidationException'])(
    'answers KMS %s as a ValidationException naming the key',
    async (name) => {
      const { keys } = keysAnswering(() => kmsError(name));
      expect(await refusal(keys)).toEqual({
        type: 'ValidationException',
        name: 'ValidationException',
        message: `The KMS key ${KEY} does not exist or the service may not use it. Give a key id, key ARN or alias of an enabled symmetric key.`,
      });
    },
  );

  it('lets any other KMS failure through as it is (an outage is not the caller’s mistake)', async () => {
    const { keys } = keysAnswering(() => kmsError('KMSInternalException'));
    expect(await refusal(keys)).toEqual({ type: 'other', name: 'KMSInternalException', message: 'KMS said KMSInternalException' });
  });

  it('refuses a disabled key, or one KMS describes without metadata', async () => {
    const disabled = {
      type: 'ValidationException',
      name: 'ValidationException',
      message: `The KMS key ${KEY} is disabled. Enable it or choose another key.`,
    };
    expect(await refusal(keysAnswering(() => metadata({ Enabled: false })).keys)).toEqual(disabled);
    expect(await refusal(keysAnswering(() => ({})).keys)).toEqual(disabled);
  });

  it.each([
    ['an asymmetric key', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }],
    ['a signing key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }],
    ['an HMAC key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }],
    ['a symmetric key for MACs', { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'GENERATE_VERIFY_MAC' }],
  ] as [string, Partial<KeyMetadata>][])('refuses %s', async (_label, spec) => {
    expect(await refusal(keysAnswering(() => metadata(spec)).keys)).toEqual({
      type: 'ValidationException',
      name: 'ValidationException',
      message: `The KMS key ${KEY} is not a symmetric encryption key; Voice ID domains need one (KeySpec SYMMETRIC_DEFAULT).`,
    });
  });
});
