import { parseInput, watchlistInput } from '#domain/validation';
import { presentWatchlist } from '#domain/watchlist';
import type { OperationContext } from './context.ts';

export async function describeWatchlist(input: unknown, ctx: OperationContext) {
  const { DomainId, WatchlistId } = parseInput(watchlistInput, input);
  await ctx.domains.require(DomainId);
  return { Watchlist: presentWatchlist(await ctx.watchlists.require(DomainId, WatchlistId)) };
}
