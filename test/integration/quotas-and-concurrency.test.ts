import { AssociateFraudsterCommand, CreateWatchlistCommand, ListFraudstersCommand } from '@aws-sdk/client-voice-id';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import createDomain from '#operations/create-domain';
import deleteDomain from '#operations/delete-domain';
import { counterIds } from '#store/quota-counters';
import { endpoints, serviceContext, serviceTables, voiceId } from '../support/clients';
import { newDomain } from '../support/voice-id-errors';

const client = voiceId();

async function counter(counterId: string): Promise<number> {
  const { names, client: raw } = await serviceTables();
  return (await raw.send(new GetCommand({ TableName: names.counters, Key: { counterId } }))).Item?.count ?? 0;
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
      message: expect.stringMatching(/quota of \d+ domains per account/),
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
      await ctx.fraudsters.create({ domainId: domain.DomainId!, fraudsterId, watchlistIds: [defaultId], createdAt: now, updatedAt: now }, 100);
      fraudsterIds.push(fraudsterId);
    }
    const outcomes = await Promise.allSettled(
      fraudsterIds.map((FraudsterId) =>
        client.send(new AssociateFraudsterCommand({ DomainId: domain.DomainId, FraudsterId, WatchlistId: Watchlist!.WatchlistId })),
      ),
    );
    const landed = outcomes.filter((o) => o.status === 'fulfilled').length;
    for (const outcome of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(['ServiceQuotaExceededException', 'ConflictException']).toContain(outcome.reason.name);
    }
    const members = (await client.send(new ListFraudstersCommand({ DomainId: domain.DomainId, WatchlistId: Watchlist!.WatchlistId }))).FraudsterSummaries!;
    expect(members.length).toBe(landed);
    expect(members.length).toBeLessThanOrEqual(ctx.quotas.fraudstersPerWatchlist);
    expect(await counter(counterIds.fraudsters(domain.DomainId!, Watchlist!.WatchlistId!))).toBe(members.length);
    for (const member of members) expect(member.WatchlistIds).toContain(Watchlist!.WatchlistId);
  });
});
