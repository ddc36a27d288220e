import {
  AssociateFraudsterCommand,
  CreateWatchlistCommand,
  DeleteFraudsterCommand,
  DescribeFraudsterCommand,
  DisassociateFraudsterCommand,
  ListFraudstersCommand,
} from '@aws-sdk/client-voice-id';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import { counterIds } from '#store/quota-counters';
import { serviceContext, serviceTables, voiceId } from '../support/clients';
import { failure, newDomain } from '../support/voice-id-errors';

const client = voiceId();

/** Fraudsters arrive through registration jobs; until those exist, tests register them through the store. */
async function registerFraudster(domainId: string, watchlistIds: string[]): Promise<string> {
  const ctx = await serviceContext();
  const fraudsterId = newPrefixedId();
  const now = Date.now();
  await ctx.fraudsters.create({ domainId, fraudsterId, watchlistIds, createdAt: now, updatedAt: now }, ctx.quotas.fraudstersPerWatchlist);
  return fraudsterId;
}

async function counter(counterId: string): Promise<number> {
  const { names, client: raw } = await serviceTables();
  const { Item } = await raw.send(new GetCommand({ TableName: names.counters, Key: { counterId } }));
  return Item?.count ?? 0;
}

async function setUp() {
  const domain = await newDomain();
  const defaultId = domain.WatchlistDetails!.DefaultWatchlistId!;
  const { Watchlist } = await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'second' }));
  return { domainId: domain.DomainId!, defaultId, secondId: Watchlist!.WatchlistId! };
}

describe('fraudsters', () => {
  it('describe, associate, list by watchlist, disassociate and delete from every watchlist', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    const fraudsterId = await registerFraudster(domainId, [defaultId]);

    const described = await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }));
    expect(described.Fraudster).toMatchObject({ DomainId: domainId, GeneratedFraudsterId: fraudsterId, WatchlistIds: [defaultId] });

    const associated = await client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: secondId }));
    expect(associated.Fraudster!.WatchlistIds).toEqual([defaultId, secondId]);
    // Associating again changes nothing.
    const again = await client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: secondId }));
    expect(again.Fraudster!.WatchlistIds).toEqual([defaultId, secondId]);
    expect(await counter(counterIds.fraudsters(domainId, secondId))).toBe(1);

    const onSecond = await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: secondId }));
    expect(onSecond.FraudsterSummaries!.map((f) => f.GeneratedFraudsterId)).toEqual([fraudsterId]);

    const taken = await client.send(new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: defaultId }));
    expect(taken.Fraudster!.WatchlistIds).toEqual([secondId]);
    expect((await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: defaultId }))).FraudsterSummaries).toEqual([]);

    await client.send(new DeleteFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }));
    const gone = await failure(client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'FRAUDSTER' });
    expect((await client.send(new ListFraudstersCommand({ DomainId: domainId }))).FraudsterSummaries).toEqual([]);
    expect(await counter(counterIds.fraudsters(domainId, secondId))).toBe(0);
  });

  it('keeps a fraudster on at least one watchlist', async () => {
    const { domainId, defaultId } = await setUp();
    const fraudsterId = await registerFraudster(domainId, [defaultId]);
    const error = await failure(client.send(new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: defaultId })));
    expect(error).toMatchObject({ name: 'ConflictException', ConflictType: 'FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST' });
    expect((await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }))).Fraudster!.WatchlistIds).toEqual([defaultId]);
  });

  it('never lets racing disassociations strip a fraudster of every watchlist', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    const fraudsterId = await registerFraudster(domainId, [defaultId, secondId]);
    const outcomes = await Promise.allSettled(
      [defaultId, secondId].map((WatchlistId) =>
        client.send(new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId })),
      ),
    );
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason.name).toBe('ConflictException');
    }
    const { Fraudster } = await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }));
    expect(Fraudster!.WatchlistIds!.length).toBeGreaterThanOrEqual(1);
    const memberships = await Promise.all(
      [defaultId, secondId].map(async (w) => (await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: w }))).FraudsterSummaries!.length),
    );
    expect(memberships.reduce((a, b) => a + b)).toBe(Fraudster!.WatchlistIds!.length);
  });

  it('refuses unknown fraudsters and watchlists, malformed ids, and a watchlist the fraudster is not on', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    const fraudsterId = await registerFraudster(domainId, [defaultId]);
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: `id#${'f'.repeat(22)}` })), 'ResourceNotFoundException', /fraudster .* does not exist/],
      [() => client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: 'not-an-id' })), 'ValidationException', /FraudsterId must be/],
      [() => client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: 'q'.repeat(22) })), 'ResourceNotFoundException', /watchlist .* does not exist/],
      [() => client.send(new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: secondId })), 'ValidationException', /is not on the watchlist/],
      [() => client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: 'q'.repeat(22) })), 'ResourceNotFoundException', /watchlist/],
      [() => client.send(new ListFraudstersCommand({ DomainId: domainId, MaxResults: 101 })), 'ValidationException', /MaxResults must be between 1 and 100/],
    ];
    for (const [call, name, message] of cases) {
      const error = await failure(call());
      expect(error.name).toBe(name);
      expect(error.message).toMatch(message);
    }
  });

  it('enforces the fraudsters-per-watchlist quota on association and registration', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    for (let i = 0; i < 3; i++) await registerFraudster(domainId, [secondId]);
    const extra = await registerFraudster(domainId, [defaultId]);
    const error = await failure(client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: extra, WatchlistId: secondId })));
    expect(error.name).toBe('ServiceQuotaExceededException');
    await expect(registerFraudster(domainId, [secondId])).rejects.toMatchObject({ name: 'ServiceQuotaExceededException' });
    expect((await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: secondId }))).FraudsterSummaries).toHaveLength(3);
    expect((await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: extra }))).Fraudster!.WatchlistIds).toEqual([defaultId]);
  });

  it('pages through more fraudsters than a page holds', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await registerFraudster(domainId, [defaultId]));
    for (let i = 0; i < 2; i++) ids.push(await registerFraudster(domainId, [secondId]));
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListFraudstersCommand({ DomainId: domainId, MaxResults: 2, NextToken }));
      seen.push(...page.FraudsterSummaries!.map((f) => f.GeneratedFraudsterId!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen.sort()).toEqual(ids.sort());
    // A token of the whole list is not one of a watchlist's list.
    const token = (await client.send(new ListFraudstersCommand({ DomainId: domainId, MaxResults: 1 }))).NextToken;
    const error = await failure(client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: defaultId, NextToken: token })));
    expect(error.message).toMatch(/NextToken is not valid/);
  });
});
