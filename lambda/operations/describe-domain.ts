import { presentDomain } from '#api-model/domain';
import { domainIdInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeDomain',
  input: domainIdInput,
  route: { method: 'GET', path: '/domains/{DomainId}', summary: 'Describe a domain' },
  uses: ['accountId', 'domains', 'region'],
  async run({ DomainId }, ctx) {
    const domain = await ctx.domains.require(DomainId);
    return { Domain: presentDomain(domain, ctx.region, ctx.accountId) };
  },
});
