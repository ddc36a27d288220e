import { domainIdInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

/** Soft-deletes a domain: it stops working now, and its data is erased after the retention period. */
export default defineOperation({
  name: 'DeleteDomain',
  input: domainIdInput,
  route: { method: 'DELETE', path: '/domains/{DomainId}', summary: 'Delete a domain' },
  uses: ['domains', 'now'],
  async run({ DomainId }, ctx) {
    await ctx.domains.markDeleted(DomainId, ctx.now());
    return {};
  },
});
