import { z } from 'zod';
import { type DomainRecord, presentDomain } from '#api-model/domain';
import { ConflictException } from '#api-model/errors';
import { description, resourceId, resourceName, serverSideEncryptionConfiguration } from '#api-model/validation';
import { requireDomainKey } from '#rules/domain-keys';
import { startReEncryption } from '#rules/re-encryption';
import { defineOperation } from './operation.ts';

const UpdateDomainInput = z.object({
  DomainId: resourceId('DomainId'),
  Name: resourceName('Name'),
  Description: description().optional(),
  ServerSideEncryptionConfiguration: serverSideEncryptionConfiguration,
});

/**
 * Replaces every attribute of a domain, as Voice ID's UpdateDomain does: an omitted Description is removed.
 * A new KMS key applies to new data at once, and an asynchronous run re-encrypts what is sealed under the old one
 * (ServerSideEncryptionUpdateDetails: IN_PROGRESS, then COMPLETED or FAILED); while it runs, the key cannot change
 * again. The same key again after a FAILED run resumes it.
 */
export default defineOperation({
  name: 'UpdateDomain',
  input: UpdateDomainInput,
  route: { method: 'PUT', path: '/domains/{DomainId}', summary: 'Replace every attribute of a domain' },
  uses: ['accountId', 'domainKmsKeys', 'domains', 'encryptionKeys', 'now', 'reEncryptions', 'region'],
  async run(request, ctx) {
    const current = await ctx.domains.require(request.DomainId);
    const kmsKeyId = request.ServerSideEncryptionConfiguration.KmsKeyId;
    const keyChange = kmsKeyId !== current.kmsKeyId;
    if (keyChange && current.encryptionUpdate?.status === 'IN_PROGRESS') {
      throw new ConflictException(
        'DOMAIN_LOCKED_FROM_ENCRYPTION_UPDATES',
        `The domain ${current.domainId} is still re-encrypting its data under the KMS key ${current.kmsKeyId}. Wait until DescribeDomain reports ServerSideEncryptionUpdateDetails.UpdateStatus COMPLETED before changing the key again.`,
      );
    }
    const resume = !keyChange && current.encryptionUpdate?.status === 'FAILED';
    if (keyChange) await requireDomainKey(ctx, kmsKeyId);
    const next: DomainRecord = {
      ...current,
      name: request.Name,
      description: request.Description,
      kmsKeyId,
      encryptionUpdate: keyChange
        ? { oldKmsKeyId: current.kmsKeyId, status: 'IN_PROGRESS' }
        : resume
          ? { oldKmsKeyId: current.encryptionUpdate!.oldKmsKeyId, status: 'IN_PROGRESS' }
          : current.encryptionUpdate,
      updatedAt: Math.max(ctx.now(), current.updatedAt + 1),
    };
    await ctx.domains.replace(current, next);
    if (keyChange || resume) await startReEncryption(ctx, next);
    return { Domain: presentDomain(next, ctx.region, ctx.accountId) };
  },
});
