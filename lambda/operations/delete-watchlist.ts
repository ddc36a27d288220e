import { ValidationException } from '#api-model/errors';
import { parseInput, watchlistInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

/** Deletes an empty, non-default watchlist. */
export async function deleteWatchlist(input: unknown, ctx: OperationContext) {
  const { DomainId, WatchlistId } = parseInput(watchlistInput, input);
  await ctx.domains.require(DomainId);
  const watchlist = await ctx.watchlists.require(DomainId, WatchlistId);
  if (watchlist.isDefault) {
    throw new ValidationException(`The watchlist ${WatchlistId} is the domain's default watchlist, which cannot be deleted.`);
  }
  await ctx.watchlists.delete(watchlist);
  return {};
}
