import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ValidationException } from '#api-model/errors';
import type { KeyChecks } from '#ports/encryption';

/**
 * Checks that a customer's KMS key can protect a domain's data before the domain points at it, so that a typo in
 * KmsKeyId fails CreateDomain/UpdateDomain instead of every later enrollment.
 */
export class EncryptionKeys implements KeyChecks {
  constructor(private readonly kms: KMSClient) {}

  async requireUsable(kmsKeyId: string): Promise<string> {
    let metadata;
    try {
      ({ KeyMetadata: metadata } = await this.kms.send(new DescribeKeyCommand({ KeyId: kmsKeyId })));
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'NotFoundException' || name === 'AccessDeniedException' || name === 'ValidationException') {
        throw new ValidationException(
          `The KMS key ${kmsKeyId} does not exist or the service may not use it. Give a key id, key ARN or alias of an enabled symmetric key.`,
        );
      }
      throw error;
    }
    if (!metadata?.Enabled) {
      throw new ValidationException(`The KMS key ${kmsKeyId} is disabled. Enable it or choose another key.`);
    }
    if (metadata.KeySpec !== 'SYMMETRIC_DEFAULT' || metadata.KeyUsage !== 'ENCRYPT_DECRYPT') {
      throw new ValidationException(
        `The KMS key ${kmsKeyId} is not a symmetric encryption key; Voice ID domains need one (KeySpec SYMMETRIC_DEFAULT).`,
      );
    }
    return metadata.Arn ?? kmsKeyId;
  }
}
