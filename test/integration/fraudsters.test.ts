import {
  AssociateFraudsterCommand,
  CreateWatchlistCommand,
  DeleteFraudsterCommand,
  DescribeFraudsterCommand,
  DisassociateFraudsterCommand,
  ListFraudstersCommand,
} from '@aws-sdk/client-voice-id';
import { BatchGetCommand, type BatchGetCommandOutput, GetCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import { counterIds } from '#store/quota-counters';
import { serviceContext, serviceTables, voiceId } from '#test/support/clients';
import { interceptDynamoDb } from '#test/support/dynamodb-faults';
import { failure, newDomain, retryingConcurrentChanges } from '#test/support/voice-id-errors';

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
  return (Item?.count as number | undefined) ?? 0;
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

    const associated = await client.send(
      new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: secondId }),
    );
    expect(associated.Fraudster!.WatchlistIds).toEqual([defaultId, secondId]);
    // Associating again changes nothing.
    const again = await client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: secondId }));
    expect(again.Fraudster).toEqual(associated.Fraudster);
    expect((await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }))).Fraudster).toEqual(
      associated.Fraudster,
    );
    expect(await counter(counterIds.fraudsters(domainId, secondId))).toBe(1);

    const onSecond = await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: secondId }));
    expect(onSecond.FraudsterSummaries!.map((f) => f.GeneratedFraudsterId)).toEqual([fraudsterId]);

    const taken = await client.send(
      new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: defaultId }),
    );
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
    const error = await failure(
      client.send(new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: defaultId })),
    );
    expect(error).toMatchObject({
      name: 'ConflictException',
      ConflictType: 'FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST',
      message: `The watchlist ${defaultId} is the only one of fraudster ${fraudsterId}. Associate it with another first, or delete the fraudster.`,
      $metadata: { httpStatusCode: 409 },
    });
    expect(
      (await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }))).Fraudster!.WatchlistIds,
    ).toEqual([defaultId]);
  });

  it('never lets racing disassociations strip a fraudster of every watchlist', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    const fraudsterId = await registerFraudster(domainId, [defaultId, secondId]);
    // Each caller retries a CONCURRENT_CHANGES refusal, as Voice ID tells it to: one of them must end up refused
    // for good, because the other took the fraudster's last watchlist but one.
    const outcomes = await Promise.allSettled(
      [defaultId, secondId].map((WatchlistId) =>
        retryingConcurrentChanges(() =>
          client.send(new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId })),
        ),
      ),
    );
    const won = outcomes.findIndex((o) => o.status === 'fulfilled');
    const lost = 1 - won;
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[lost] as PromiseRejectedResult).reason).toMatchObject({
      name: 'ConflictException',
      ConflictType: 'FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST',
    });
    const [removed, remaining] = won === 0 ? [defaultId, secondId] : [secondId, defaultId];
    const { Fraudster } = await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }));
    expect(Fraudster!.WatchlistIds).toEqual([remaining]);
    const members = async (WatchlistId: string) =>
      (await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId }))).FraudsterSummaries!.map(
        (f) => f.GeneratedFraudsterId,
      );
    expect(await members(remaining)).toEqual([fraudsterId]);
    expect(await members(removed)).toEqual([]);
    expect(await counter(counterIds.fraudsters(domainId, remaining))).toBe(1);
    expect(await counter(counterIds.fraudsters(domainId, removed))).toBe(0);
  });

  it('never loses a watchlist to racing associations of one fraudster: each, retried on CONCURRENT_CHANGES, lands', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    const { Watchlist: third } = await client.send(new CreateWatchlistCommand({ DomainId: domainId, Name: 'third' }));
    const fraudsterId = await registerFraudster(domainId, [defaultId]);
    await Promise.all(
      [secondId, third!.WatchlistId!].map((WatchlistId) =>
        retryingConcurrentChanges(() =>
          client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId })),
        ),
      ),
    );
    const { Fraudster } = await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }));
    expect([...Fraudster!.WatchlistIds!].sort()).toEqual([defaultId, secondId, third!.WatchlistId!].sort());
    for (const watchlistId of [defaultId, secondId, third!.WatchlistId!]) {
      expect(await counter(counterIds.fraudsters(domainId, watchlistId))).toBe(1);
    }
  });

  it("lists a watchlist's fraudsters in full, in order, when DynamoDB leaves some keys unprocessed", async () => {
    const { domainId, secondId } = await setUp();
    const ctx = await serviceContext();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const fraudsterId = newPrefixedId();
      const now = Date.now();
      await ctx.fraudsters.create({ domainId, fraudsterId, watchlistIds: [secondId], createdAt: now, updatedAt: now }, 100);
      ids.push(fraudsterId);
    }
    // DynamoDB under load answers the first read for two keys only; only the AWS SDK is stubbed here.
    const reads: unknown[] = [];
    let unprocessed: unknown;
    interceptDynamoDb(async (command, send) => {
      if (!(command instanceof BatchGetCommand)) return send(command);
      reads.push(command.input.RequestItems);
      if (reads.length > 1) return send(command);
      const [[table, { Keys, ...options }]] = Object.entries(command.input.RequestItems!);
      const answered = (await send(
        new BatchGetCommand({ RequestItems: { [table]: { ...options, Keys: Keys!.slice(0, 2) } } }),
      )) as BatchGetCommandOutput;
      unprocessed = { [table]: { ...options, Keys: Keys!.slice(2) } };
      return { ...answered, UnprocessedKeys: unprocessed };
    });
    try {
      const page = await ctx.fraudsters.list(domainId, secondId, 100);
      // Memberships are read in sort-key order, and the fraudsters come back in that order whatever DynamoDB did.
      expect(page.items.map((f) => f.fraudsterId)).toEqual([...ids].sort());
      expect(page.items.map((f) => f.watchlistIds)).toEqual(ids.map(() => [secondId]));
      expect(reads).toHaveLength(2);
      expect(reads[1]).toEqual(unprocessed);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('refuses unknown fraudsters and watchlists, malformed ids, and a watchlist the fraudster is not on', async () => {
    const { domainId, defaultId, secondId } = await setUp();
    const fraudsterId = await registerFraudster(domainId, [defaultId]);
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [
        () => client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: `id#${'f'.repeat(22)}` })),
        'ResourceNotFoundException',
        /fraudster .* does not exist/,
      ],
      [
        () => client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: 'not-an-id' })),
        'ValidationException',
        /FraudsterId must be/,
      ],
      [
        () => client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: 'q'.repeat(22) })),
        'ResourceNotFoundException',
        /watchlist .* does not exist/,
      ],
      [
        () => client.send(new DisassociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: secondId })),
        'ValidationException',
        new RegExp(`^The fraudster ${fraudsterId} is not on the watchlist ${secondId}\\.$`),
      ],
      [
        () => client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: 'q'.repeat(22) })),
        'ResourceNotFoundException',
        /watchlist/,
      ],
      [
        () => client.send(new ListFraudstersCommand({ DomainId: domainId, MaxResults: 101 })),
        'ValidationException',
        /MaxResults must be between 1 and 100/,
      ],
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
    const error = await failure(
      client.send(new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: extra, WatchlistId: secondId })),
    );
    expect(error.name).toBe('ServiceQuotaExceededException');
    await expect(registerFraudster(domainId, [secondId])).rejects.toMatchObject({ name: 'ServiceQuotaExceededException' });
    expect((await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId: secondId }))).FraudsterSummaries).toHaveLength(
      3,
    );
    expect((await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: extra }))).Fraudster!.WatchlistIds).toEqual([
      defaultId,
    ]);
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
