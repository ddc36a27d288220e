import { fraudsterAudit } from '#api-model/audit-event';
import { fraudsterInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

/** Deletes a fraudster and takes it off every watchlist. */
export default defineOperation({
  name: 'DeleteFraudster',
  input: fraudsterInput,
  route: { method: 'DELETE', path: '/domains/{DomainId}/fraudsters/{FraudsterId}', summary: 'Delete a fraudster from every watchlist' },
  audit: fraudsterAudit('DELETE_FRAUDSTER'),
  uses: ['domains', 'fraudsters'],
  async run({ DomainId, FraudsterId }, ctx) {
    await ctx.domains.require(DomainId);
    await ctx.fraudsters.delete(await ctx.fraudsters.require(DomainId, FraudsterId));
    return {};
  },
});
