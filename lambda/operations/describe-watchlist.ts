import { watchlistInput } from '#api-model/validation';
import { presentWatchlist } from '#api-model/watchlist';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeWatchlist',
  input: watchlistInput,
  route: { method: 'GET', path: '/domains/{DomainId}/watchlists/{WatchlistId}', summary: 'Describe a watchlist' },
  uses: ['domains', 'watchlists'],
  async run({ DomainId, WatchlistId }, ctx) {
    await ctx.domains.require(DomainId);
    return { Watchlist: presentWatchlist(await ctx.watchlists.require(DomainId, WatchlistId)) };
  },
});
