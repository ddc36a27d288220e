import { parseInput, watchlistInput } from '#api-model/validation';
import { presentWatchlist } from '#api-model/watchlist';
import type { OperationContext } from './context.ts';

export async function describeWatchlist(input: unknown, ctx: OperationContext) {
  const { DomainId, WatchlistId } = parseInput(watchlistInput, input);
  await ctx.domains.require(DomainId);
  return { Watchlist: presentWatchlist(await ctx.watchlists.require(DomainId, WatchlistId)) };
}
