import { fraudsterAudit } from '#api-model/audit-event';
import { presentFraudster } from '#api-model/fraudster';
import { fraudsterMembershipInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

/** Adds a fraudster to a watchlist; a fraudster already on it is returned unchanged. */
export default defineOperation({
  name: 'AssociateFraudster',
  input: fraudsterMembershipInput,
  route: {
    method: 'PUT',
    path: '/domains/{DomainId}/watchlists/{WatchlistId}/fraudsters/{FraudsterId}',
    summary: 'Put a fraudster on a watchlist',
  },
  audit: fraudsterAudit('ASSOCIATE_FRAUDSTER'),
  uses: ['domains', 'fraudsters', 'now', 'quotas', 'watchlists'],
  async run({ DomainId, FraudsterId, WatchlistId }, ctx) {
    await ctx.domains.require(DomainId);
    await ctx.watchlists.require(DomainId, WatchlistId);
    const fraudster = await ctx.fraudsters.require(DomainId, FraudsterId);
    if (fraudster.watchlistIds.includes(WatchlistId)) return { Fraudster: presentFraudster(fraudster) };
    const next = await ctx.fraudsters.associate(fraudster, WatchlistId, ctx.now(), ctx.quotas.fraudstersPerWatchlist);
    return { Fraudster: presentFraudster(next) };
  },
});
