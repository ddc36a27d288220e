import { AssociateFraudsterCommand, CreateWatchlistCommand, ListFraudstersCommand } from '@aws-sdk/client-voice-id';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import createDomain from '#operations/create-domain';
import deleteDomain from '#operations/delete-domain';
import { counterIds } from '#store/quota-counters';
import { endpoints, serviceContext, serviceTables, voiceId } from '#test/support/clients';
import { newDomain, retryingConcurrentChanges } from '#test/support/voice-id-errors';

const client = voiceId();

async function counter(counterId: string): Promise<number> {
  const { names, client: raw } = await serviceTables();
  return ((await raw.send(new GetCommand({ TableName: names.counters, Key: { counterId } }))).Item?.count as number | undefined) ?? 0;
}

describe('quotas', () => {
  it('limit domains per account, and a deleted domain frees its place', async () => {
    const existing = await counter(counterIds.domains());
    const base = await serviceContext();
    const ctx = { ...base, quotas: { ...base.quotas, domains: existing + 1 } };
    const input = { Name: 'last-one', ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } };
    const { Domain } = await createDomain.call(input, ctx);
    await expect(createDomain.call(input, ctx)).rejects.toMatchObject({
      name: 'ServiceQuotaExceededException',
      message: `The quota of ${existing + 1} domains per account is reached. Delete some first, or raise the quota in the service configuration.`,
    });
    expect(await counter(counterIds.domains())).toBe(existing + 1);
    await deleteDomain.call({ DomainId: Domain.DomainId }, ctx);
    await createDomain.call(input, ctx);
  });
});

describe('concurrent changes', () => {
  it('racing associations fill a watchlist exactly to its quota, and the store stays consistent', async () => {
    const domain = await newDomain();
    const defaultId = domain.WatchlistDetails!.DefaultWatchlistId!;
    const { Watchlist } = await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'contested' }));
    const ctx = await serviceContext();
    const fraudsterIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const fraudsterId = newPrefixedId();
      const now = Date.now();
      await ctx.fraudsters.create(
        { domainId: domain.DomainId!, fraudsterId, watchlistIds: [defaultId], createdAt: now, updatedAt: now },
        100,
      );
      fraudsterIds.push(fraudsterId);
    }
    // Every caller retries a CONCURRENT_CHANGES refusal (the counter item is contended), as Voice ID tells it to.
    const outcomes = await Promise.allSettled(
      fraudsterIds.map((FraudsterId) =>
        retryingConcurrentChanges(() =>
          client.send(new AssociateFraudsterCommand({ DomainId: domain.DomainId, FraudsterId, WatchlistId: Watchlist!.WatchlistId })),
        ),
      ),
    );
    const landed = fraudsterIds.filter((_, i) => outcomes[i].status === 'fulfilled');
    expect(landed).toHaveLength(ctx.quotas.fraudstersPerWatchlist);
    for (const outcome of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({
        name: 'ServiceQuotaExceededException',
        message: `The quota of ${ctx.quotas.fraudstersPerWatchlist} fraudsters per watchlist is reached. Delete some first, or raise the quota in the service configuration.`,
      });
    }
    const members = (await client.send(new ListFraudstersCommand({ DomainId: domain.DomainId, WatchlistId: Watchlist!.WatchlistId })))
      .FraudsterSummaries!;
    expect(members.map((m) => m.GeneratedFraudsterId).sort()).toEqual([...landed].sort());
    expect(await counter(counterIds.fraudsters(domain.DomainId!, Watchlist!.WatchlistId!))).toBe(landed.length);
    for (const member of members) expect(member.WatchlistIds).toEqual([defaultId, Watchlist!.WatchlistId]);
  });
});
