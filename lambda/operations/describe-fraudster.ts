import { presentFraudster } from '#api-model/fraudster';
import { fraudsterInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeFraudster',
  input: fraudsterInput,
  route: { method: 'GET', path: '/domains/{DomainId}/fraudsters/{FraudsterId}', summary: 'Describe a fraudster' },
  uses: ['domains', 'fraudsters'],
  async run({ DomainId, FraudsterId }, ctx) {
    await ctx.domains.require(DomainId);
    return { Fraudster: presentFraudster(await ctx.fraudsters.require(DomainId, FraudsterId)) };
  },
});
