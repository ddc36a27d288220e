import { fraudsterAudit } from '#api-model/audit-event';
import { ConflictException, ValidationException } from '#api-model/errors';
import { presentFraudster } from '#api-model/fraudster';
import { fraudsterMembershipInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

/** Takes a fraudster off a watchlist; its last watchlist cannot be taken (delete the fraudster instead). */
export default defineOperation({
  name: 'DisassociateFraudster',
  input: fraudsterMembershipInput,
  route: {
    method: 'DELETE',
    path: '/domains/{DomainId}/watchlists/{WatchlistId}/fraudsters/{FraudsterId}',
    summary: 'Take a fraudster off a watchlist',
  },
  audit: fraudsterAudit('DISASSOCIATE_FRAUDSTER'),
  uses: ['domains', 'fraudsters', 'now', 'watchlists'],
  async run({ DomainId, FraudsterId, WatchlistId }, ctx) {
    await ctx.domains.require(DomainId);
    await ctx.watchlists.require(DomainId, WatchlistId);
    const fraudster = await ctx.fraudsters.require(DomainId, FraudsterId);
    if (!fraudster.watchlistIds.includes(WatchlistId)) {
      throw new ValidationException(`The fraudster ${FraudsterId} is not on the watchlist ${WatchlistId}.`);
    }
    if (fraudster.watchlistIds.length === 1) {
      throw new ConflictException(
        'FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST',
        `The watchlist ${WatchlistId} is the only one of fraudster ${FraudsterId}. Associate it with another first, or delete the fraudster.`,
      );
    }
    return { Fraudster: presentFraudster(await ctx.fraudsters.disassociate(fraudster, WatchlistId, ctx.now())) };
  },
});
