import {
  AssociateFraudsterCommand,
  CreateWatchlistCommand,
  DeleteWatchlistCommand,
  DescribeWatchlistCommand,
  ListWatchlistsCommand,
  UpdateWatchlistCommand,
  type UpdateWatchlistCommandInput,
} from '@aws-sdk/client-voice-id';
import { newPrefixedId } from '#api-model/ids';
import { serviceContext, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

const client = voiceId();

describe('watchlists', () => {
  it('create, describe, update (only the members given), list and delete', async () => {
    const domain = await newDomain();
    const { Watchlist } = await client.send(
      new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'chargebacks', Description: 'Card fraud' }),
    );
    expect(Watchlist).toMatchObject({ DomainId: domain.DomainId, Name: 'chargebacks', Description: 'Card fraud', DefaultWatchlist: false });
    expect(Watchlist!.WatchlistId).toMatch(/^[a-zA-Z0-9]{22}$/);
    const id = { DomainId: domain.DomainId, WatchlistId: Watchlist!.WatchlistId };
    expect((await client.send(new DescribeWatchlistCommand(id))).Watchlist).toEqual(Watchlist);

    const { Watchlist: renamed } = await client.send(new UpdateWatchlistCommand({ ...id, Name: 'card-fraud' }));
    expect(renamed).toEqual({ ...Watchlist, Name: 'card-fraud', UpdatedAt: renamed!.UpdatedAt });
    expect(renamed!.UpdatedAt!.getTime()).toBeGreaterThan(Watchlist!.UpdatedAt!.getTime());
    const { Watchlist: described } = await client.send(new UpdateWatchlistCommand({ ...id, Description: 'Card and wire fraud' }));
    expect(described).toEqual({ ...renamed, Description: 'Card and wire fraud', UpdatedAt: described!.UpdatedAt });
    const { Watchlist: both } = await client.send(new UpdateWatchlistCommand({ ...id, Name: 'fraud', Description: 'All fraud' }));
    expect(both).toMatchObject({ Name: 'fraud', Description: 'All fraud' });
    expect((await client.send(new DescribeWatchlistCommand(id))).Watchlist).toEqual(both);

    const listed = await client.send(new ListWatchlistsCommand({ DomainId: domain.DomainId }));
    expect(listed.WatchlistSummaries!.map((w) => [w.Name, w.DefaultWatchlist]).sort()).toEqual([
      ['Default', true],
      ['fraud', false],
    ]);

    await client.send(new DeleteWatchlistCommand(id));
    expect((await failure(client.send(new DescribeWatchlistCommand(id)))).ResourceType).toBe('WATCHLIST');
  });

  it('keeps the default watchlist: it cannot be updated or deleted', async () => {
    const domain = await newDomain();
    const id = { DomainId: domain.DomainId, WatchlistId: domain.WatchlistDetails!.DefaultWatchlistId };
    const update = await failure(client.send(new UpdateWatchlistCommand({ ...id, Name: 'renamed' })));
    expect(update).toMatchObject({
      name: 'ValidationException',
      message: `The watchlist ${id.WatchlistId} is the domain's default watchlist, which cannot be updated.`,
    });
    const remove = await failure(client.send(new DeleteWatchlistCommand(id)));
    expect(remove.message).toBe(`The watchlist ${id.WatchlistId} is the domain's default watchlist, which cannot be deleted.`);
    expect((await client.send(new DescribeWatchlistCommand(id))).Watchlist!.Name).toBe('Default');
  });

  it('refuses to delete a watchlist that still has fraudsters', async () => {
    const domain = await newDomain();
    const { Watchlist } = await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'busy' }));
    const ctx = await serviceContext();
    const fraudsterId = newPrefixedId();
    const now = Date.now();
    await ctx.fraudsters.create(
      {
        domainId: domain.DomainId!,
        fraudsterId,
        watchlistIds: [domain.WatchlistDetails!.DefaultWatchlistId!],
        createdAt: now,
        updatedAt: now,
      },
      10,
    );
    const id = { DomainId: domain.DomainId, WatchlistId: Watchlist!.WatchlistId };
    await client.send(new AssociateFraudsterCommand({ ...id, FraudsterId: fraudsterId }));
    const error = await failure(client.send(new DeleteWatchlistCommand(id)));
    expect(error).toMatchObject({
      name: 'ConflictException',
      ConflictType: 'CANNOT_DELETE_NON_EMPTY_WATCHLIST',
      message: `The watchlist ${Watchlist!.WatchlistId} still has fraudsters. Disassociate or delete them first.`,
    });
    expect((await client.send(new DescribeWatchlistCommand(id))).Watchlist).toEqual(Watchlist);
  });

  it('replays a retried ClientToken and refuses one reused for another request', async () => {
    const domain = await newDomain();
    const ClientToken = `wl-${Date.now()}`;
    const first = await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'once', ClientToken }));
    const again = await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'once', ClientToken }));
    expect(again.Watchlist).toEqual(first.Watchlist);
    expect((await client.send(new ListWatchlistsCommand({ DomainId: domain.DomainId }))).WatchlistSummaries).toHaveLength(2);
    const reused = await failure(client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'twice', ClientToken })));
    expect(reused).toMatchObject({
      name: 'ValidationException',
      message: `The ClientToken ${ClientToken} was already used for a different CreateWatchlist request. Use a new ClientToken for a new request.`,
    });
  });

  it.each([
    ['an unknown domain', { DomainId: 'z'.repeat(22), Name: 'x' }, 'ResourceNotFoundException', /domain .* does not exist/],
    ['a bad name', { Name: 'no spaces please' }, 'ValidationException', /Name must start with a letter or digit/],
    ['a long description', { Name: 'x', Description: 'd'.repeat(1025) }, 'ValidationException', /Description must be at most 1024/],
  ] as [string, object, string, RegExp][])('refuses creation with %s', async (_label, overrides, errorName, message) => {
    const domain = await newDomain();
    const error = await failure(client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'x', ...overrides })));
    expect(error.name).toBe(errorName);
    expect(error.message).toMatch(message);
    expect((await client.send(new ListWatchlistsCommand({ DomainId: domain.DomainId }))).WatchlistSummaries).toHaveLength(1);
  });

  it('answers unknown and malformed watchlist ids', async () => {
    const domain = await newDomain();
    const unknown = await failure(client.send(new DescribeWatchlistCommand({ DomainId: domain.DomainId, WatchlistId: 'w'.repeat(22) })));
    expect(unknown).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'WATCHLIST' });
    const malformed = await failure(client.send(new DeleteWatchlistCommand({ DomainId: domain.DomainId, WatchlistId: 'short' })));
    expect(malformed.message).toBe('WatchlistId must be at least 22 characters long.');
    const id = { DomainId: domain.DomainId, WatchlistId: 'w'.repeat(22) };
    const updates: [Partial<UpdateWatchlistCommandInput>, string, string][] = [
      [{ Name: 'x' }, 'ResourceNotFoundException', `The watchlist ${'w'.repeat(22)} does not exist in this domain. Check the WatchlistId.`],
      [{ WatchlistId: undefined }, 'ValidationException', 'WatchlistId is required.'],
      [
        { Name: 'bad name' },
        'ValidationException',
        'Name must start with a letter or digit and contain only letters, digits, underscores and hyphens.',
      ],
      [{ Name: '' }, 'ValidationException', 'Name must be at least 1 characters long.'],
      [{ Description: 'semi;colon' }, 'ValidationException', 'Description may contain only letters, digits, spaces and _ . : / = + - % @.'],
    ];
    for (const [change, name, message] of updates) {
      const error = await failure(client.send(new UpdateWatchlistCommand({ ...id, ...change })));
      expect({ change, name: error.name, message: error.message }).toEqual({ change, name, message });
    }
  });

  it('enforces the watchlists-per-domain quota, counting the default one', async () => {
    const domain = await newDomain();
    const created = [];
    for (let i = 1; i < 4; i++) created.push(await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: `w${i}` })));
    const error = await failure(client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'one-too-many' })));
    expect(error).toMatchObject({ name: 'ServiceQuotaExceededException', $metadata: { httpStatusCode: 402 } });
    expect(error.message).toMatch(/quota of 4 watchlists per domain/);
    // Deleting one frees its place.
    await client.send(new DeleteWatchlistCommand({ DomainId: domain.DomainId, WatchlistId: created[0].Watchlist!.WatchlistId }));
    await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'fits-again' }));
  });

  it('pages through watchlists', async () => {
    const domain = await newDomain();
    for (let i = 0; i < 3; i++) await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: `p${i}` }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListWatchlistsCommand({ DomainId: domain.DomainId, MaxResults: 1, NextToken }));
      seen.push(...page.WatchlistSummaries!.map((w) => w.WatchlistId!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(new Set(seen).size).toBe(4);
    // A token of this list is refused for another domain's list.
    const token = (await client.send(new ListWatchlistsCommand({ DomainId: domain.DomainId, MaxResults: 1 }))).NextToken;
    const other = await newDomain();
    const error = await failure(client.send(new ListWatchlistsCommand({ DomainId: other.DomainId, NextToken: token })));
    expect(error.message).toMatch(/NextToken is not valid/);
  });
});
