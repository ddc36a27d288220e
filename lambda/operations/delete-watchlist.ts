import { ValidationException } from '#api-model/errors';
import { watchlistInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

/** Deletes an empty, non-default watchlist. */
export default defineOperation({
  name: 'DeleteWatchlist',
  input: watchlistInput,
  route: { method: 'DELETE', path: '/domains/{DomainId}/watchlists/{WatchlistId}', summary: 'Delete an empty watchlist' },
  uses: ['domains', 'watchlists'],
  async run({ DomainId, WatchlistId }, ctx) {
    await ctx.domains.require(DomainId);
    const watchlist = await ctx.watchlists.require(DomainId, WatchlistId);
    if (watchlist.isDefault) {
      throw new ValidationException(`The watchlist ${WatchlistId} is the domain's default watchlist, which cannot be deleted.`);
    }
    await ctx.watchlists.delete(watchlist);
    return {};
  },
});
