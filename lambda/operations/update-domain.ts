import { z } from 'zod';
import { presentDomain, type DomainRecord } from '#api-model/domain';
import { description, resourceId, resourceName, serverSideEncryptionConfiguration } from '#api-model/validation';
import { defineOperation } from './operation.ts';

const UpdateDomainInput = z.object({
  DomainId: resourceId('DomainId'),
  Name: resourceName('Name'),
  Description: description().optional(),
  ServerSideEncryptionConfiguration: serverSideEncryptionConfiguration,
});

/** Replaces every attribute of a domain, as Voice ID's UpdateDomain does: an omitted Description is removed. */
export default defineOperation({
  name: 'UpdateDomain',
  input: UpdateDomainInput,
  route: { method: 'PUT', path: '/domains/{DomainId}', summary: 'Replace every attribute of a domain' },
  async run(request, ctx) {
    const current = await ctx.domains.require(request.DomainId);
    const kmsKeyId = request.ServerSideEncryptionConfiguration.KmsKeyId;
    if (kmsKeyId !== current.kmsKeyId) await ctx.encryptionKeys.requireUsable(kmsKeyId);
    const next: DomainRecord = {
      ...current,
      name: request.Name,
      description: request.Description,
      kmsKeyId,
      // The domain holds no key-dependent data yet (voiceprints arrive with enrollment), so moving to a new key
      // completes at once; the old key is still reported, as Voice ID does.
      encryptionUpdate:
        kmsKeyId === current.kmsKeyId ? current.encryptionUpdate : { oldKmsKeyId: current.kmsKeyId, status: 'COMPLETED' },
      updatedAt: Math.max(ctx.now(), current.updatedAt + 1),
    };
    await ctx.domains.replace(current, next);
    return { Domain: presentDomain(next, ctx.region, ctx.accountId) };
  },
});
