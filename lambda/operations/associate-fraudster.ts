import { presentFraudster } from '#api-model/fraudster';
import { fraudsterMembershipInput, parseInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

/** Adds a fraudster to a watchlist; a fraudster already on it is returned unchanged. */
export async function associateFraudster(input: unknown, ctx: OperationContext) {
  const { DomainId, FraudsterId, WatchlistId } = parseInput(fraudsterMembershipInput, input);
  await ctx.domains.require(DomainId);
  await ctx.watchlists.require(DomainId, WatchlistId);
  const fraudster = await ctx.fraudsters.require(DomainId, FraudsterId);
  if (fraudster.watchlistIds.includes(WatchlistId)) return { Fraudster: presentFraudster(fraudster) };
  const next = await ctx.fraudsters.associate(fraudster, WatchlistId, ctx.now(), ctx.quotas.fraudstersPerWatchlist);
  return { Fraudster: presentFraudster(next) };
}
