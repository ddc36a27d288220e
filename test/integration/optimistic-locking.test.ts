import {
  AssociateFraudsterCommand,
  CreateWatchlistCommand,
  DeleteDomainCommand,
  DeleteWatchlistCommand,
  DescribeDomainCommand,
  DescribeFraudsterCommand,
  DescribeSpeakerCommand,
  DescribeWatchlistCommand,
  ListTagsForResourceCommand,
  OptOutSpeakerCommand,
  TagResourceCommand,
  UpdateDomainCommand,
  UpdateWatchlistCommand,
} from '@aws-sdk/client-voice-id';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import { createContext } from '#composition';
import { serviceConfig, serviceContext, voiceId } from '#test/support/clients';
import { interceptDynamoDb } from '#test/support/dynamodb-faults';
import { newDomain } from '#test/support/voice-id-errors';

/**
 * Every write is conditional on the record the caller read. Races are timing-dependent; here the stores are
 * given a record read before another request changed it (a stale read, which is what a lost race amounts to), so
 * that the refusal, its exact message and the untouched record can be checked every time.
 */
const client = voiceId();

const changedMeanwhile = (resource: string, id: string) => ({
  name: 'ConflictException',
  conflictType: 'CONCURRENT_CHANGES',
  message: `The ${resource} ${id} was changed by another request while this one ran. Describe it and try again.`,
});

async function setUp() {
  const domain = await newDomain('locking');
  const domainId = domain.DomainId!;
  const defaultId = domain.WatchlistDetails!.DefaultWatchlistId!;
  const { Watchlist } = await client.send(new CreateWatchlistCommand({ DomainId: domainId, Name: 'second' }));
  return { domain, domainId, defaultId, secondId: Watchlist!.WatchlistId!, ctx: await serviceContext() };
}

afterEach(() => jest.restoreAllMocks());

describe('a change based on a stale read', () => {
  it('of a domain is refused, and the other change stays', async () => {
    const { domain, domainId, ctx } = await setUp();
    const stale = await ctx.domains.require(domainId);
    const { Domain: changed } = await client.send(
      new UpdateDomainCommand({
        DomainId: domainId,
        Name: 'changed',
        ServerSideEncryptionConfiguration: domain.ServerSideEncryptionConfiguration,
      }),
    );
    await expect(ctx.domains.replace(stale, { ...stale, name: 'lost', updatedAt: stale.updatedAt + 1 })).rejects.toMatchObject(
      changedMeanwhile('domain', domainId),
    );
    expect((await client.send(new DescribeDomainCommand({ DomainId: domainId }))).Domain).toEqual(changed);

    // Tags changed by another request since the read are not overwritten either.
    const read = await ctx.domains.require(domainId);
    await client.send(new TagResourceCommand({ ResourceArn: domain.Arn, Tags: [{ Key: 'other', Value: 'request' }] }));
    await expect(ctx.domains.replaceTags(read, { lost: 'tag' })).rejects.toMatchObject(changedMeanwhile('domain', domainId));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: domain.Arn }))).Tags).toEqual([
      { Key: 'other', Value: 'request' },
    ]);

    // A domain deleted since the read is not found, rather than changed.
    await client.send(new DeleteDomainCommand({ DomainId: domainId }));
    await expect(ctx.domains.replaceTags(read, { lost: 'tag' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      resourceType: 'DOMAIN',
      message: `The domain ${domainId} does not exist. Check the DomainId.`,
    });
    await expect(ctx.domains.replace(read, { ...read, name: 'lost' })).rejects.toMatchObject({ name: 'ConflictException' });
  });

  // A known bug, kept visible: TagResource changes a domain's tags without changing its UpdatedAt, and UpdateDomain
  // saves the whole record it read (tags included) on the condition that UpdatedAt is unchanged. An UpdateDomain
  // that read the domain before a TagResource therefore puts the old tags back, silently. Remove `.failing` when
  // either write guards the other (say, TagResource moves UpdatedAt, or UpdateDomain sets only its own attributes).
  it.failing('of a domain by UpdateDomain does not undo a TagResource made since', async () => {
    const { domain, domainId, ctx } = await setUp();
    const read = await ctx.domains.require(domainId);
    await client.send(new TagResourceCommand({ ResourceArn: domain.Arn, Tags: [{ Key: 'added', Value: 'meanwhile' }] }));
    await ctx.domains.replace(read, { ...read, name: 'renamed', updatedAt: read.updatedAt + 1 }).catch(() => undefined);
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: domain.Arn }))).Tags).toEqual([
      { Key: 'added', Value: 'meanwhile' },
    ]);
  });

  it('of a watchlist is refused, and a watchlist deleted since is not found', async () => {
    const { domainId, secondId, ctx } = await setUp();
    const stale = await ctx.watchlists.require(domainId, secondId);
    const { Watchlist: changed } = await client.send(
      new UpdateWatchlistCommand({ DomainId: domainId, WatchlistId: secondId, Name: 'changed' }),
    );
    await expect(ctx.watchlists.replace(stale, { ...stale, name: 'lost' })).rejects.toMatchObject(changedMeanwhile('watchlist', secondId));
    expect((await client.send(new DescribeWatchlistCommand({ DomainId: domainId, WatchlistId: secondId }))).Watchlist).toEqual(changed);

    await client.send(new DeleteWatchlistCommand({ DomainId: domainId, WatchlistId: secondId }));
    await expect(ctx.watchlists.delete(stale)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      resourceType: 'WATCHLIST',
      message: `The watchlist ${secondId} does not exist in this domain. Check the WatchlistId.`,
    });
  });

  it('of a speaker is refused, for a change of status and for a deletion', async () => {
    const { domainId, ctx } = await setUp();
    const now = Date.now();
    const speakerId = newPrefixedId();
    const record = {
      domainId,
      speakerId,
      customerSpeakerId: 'caller-locked',
      status: 'ENROLLED' as const,
      createdAt: now,
      updatedAt: now,
      lastAccessedAt: now,
    };
    await ctx.speakers.create(record, 10);
    // The store reads records back as they were written, found by either id.
    expect(await ctx.speakers.find(domainId, speakerId)).toEqual(record);
    expect(await ctx.speakers.find(domainId, 'caller-locked')).toEqual(record);

    const { Speaker: changed } = await client.send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: 'caller-locked' }));
    await expect(ctx.speakers.changeStatus(record, 'OPTED_OUT', Date.now())).rejects.toMatchObject(changedMeanwhile('speaker', speakerId));
    await expect(ctx.speakers.delete(record)).rejects.toMatchObject(changedMeanwhile('speaker', speakerId));
    expect((await client.send(new DescribeSpeakerCommand({ DomainId: domainId, SpeakerId: speakerId }))).Speaker).toEqual(changed);

    // A second speaker with the same CustomerSpeakerId loses to the first.
    await expect(ctx.speakers.create({ ...record, speakerId: newPrefixedId() }, 10)).rejects.toMatchObject(
      changedMeanwhile('speaker', 'caller-locked'),
    );
  });

  it('of a fraudster is refused, for association, disassociation and deletion', async () => {
    const { domainId, defaultId, secondId, ctx } = await setUp();
    const { Watchlist: third } = await client.send(new CreateWatchlistCommand({ DomainId: domainId, Name: 'third' }));
    const fraudsterId = newPrefixedId();
    const now = Date.now();
    await ctx.fraudsters.create({ domainId, fraudsterId, watchlistIds: [defaultId], createdAt: now, updatedAt: now }, 10);
    const stale = await ctx.fraudsters.require(domainId, fraudsterId);
    expect(stale).toEqual({ domainId, fraudsterId, watchlistIds: [defaultId], createdAt: now, updatedAt: now });

    const { Fraudster: changed } = await client.send(
      new AssociateFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId, WatchlistId: secondId }),
    );
    const refused = changedMeanwhile('fraudster', fraudsterId);
    await expect(ctx.fraudsters.associate(stale, third!.WatchlistId!, Date.now(), 10)).rejects.toMatchObject(refused);
    await expect(
      ctx.fraudsters.disassociate({ ...stale, watchlistIds: [defaultId, secondId] }, defaultId, Date.now()),
    ).rejects.toMatchObject(refused);
    await expect(ctx.fraudsters.delete(stale)).rejects.toMatchObject(refused);
    expect((await client.send(new DescribeFraudsterCommand({ DomainId: domainId, FraudsterId: fraudsterId }))).Fraudster).toEqual(changed);

    // A watchlist deleted since it was checked cannot be joined.
    await client.send(new DeleteWatchlistCommand({ DomainId: domainId, WatchlistId: third!.WatchlistId }));
    const fresh = await ctx.fraudsters.require(domainId, fraudsterId);
    await expect(ctx.fraudsters.associate(fresh, third!.WatchlistId!, Date.now(), 10)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      resourceType: 'WATCHLIST',
      message: `The watchlist ${third!.WatchlistId} does not exist in this domain. Check the WatchlistId.`,
    });
    expect(await ctx.fraudsters.require(domainId, fraudsterId)).toEqual(fresh);
  });
});

describe('a transaction DynamoDB cancels', () => {
  /** Answers the next transaction with `error`, as DynamoDB would (only the AWS SDK is stubbed). */
  function failTransactions(error: Error) {
    interceptDynamoDb((command, send) => (command instanceof TransactWriteCommand ? Promise.reject(error) : send(command)));
  }
  const cancelled = (...codes: string[]) =>
    Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it('for a conflict with another transaction is CONCURRENT_CHANGES, which the caller may retry', async () => {
    const { domainId, secondId, ctx } = await setUp();
    const watchlist = await ctx.watchlists.require(domainId, secondId);
    failTransactions(cancelled('None', 'TransactionConflict'));
    await expect(ctx.watchlists.replace(watchlist, { ...watchlist, name: 'x' })).rejects.toMatchObject({
      name: 'ConflictException',
      conflictType: 'CONCURRENT_CHANGES',
      message: 'Another request changed the same resources at the same time. Retry the request.',
    });
  });

  it('for a failed condition is the refusal of the write whose condition failed', async () => {
    const { domainId, secondId, ctx } = await setUp();
    const watchlist = await ctx.watchlists.require(domainId, secondId);
    // The watchlist's delete is the first write, its fraudster counter the second.
    failTransactions(cancelled('None', 'ConditionalCheckFailed', 'None'));
    await expect(ctx.watchlists.delete(watchlist)).rejects.toMatchObject({
      name: 'ConflictException',
      conflictType: 'CANNOT_DELETE_NON_EMPTY_WATCHLIST',
      message: `The watchlist ${secondId} still has fraudsters. Disassociate or delete them first.`,
    });
  });

  it('for any other reason, or any other error, is passed on unchanged', async () => {
    const { domainId, secondId, ctx } = await setUp();
    const watchlist = await ctx.watchlists.require(domainId, secondId);
    for (const error of [
      cancelled('None', 'ThrottlingError'),
      cancelled(),
      Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }),
    ]) {
      jest.restoreAllMocks();
      failTransactions(error);
      await expect(ctx.watchlists.replace(watchlist, { ...watchlist, name: 'x' })).rejects.toBe(error);
    }
  });
});

describe('the operation context', () => {
  it('refuses to page a list without a pagination secret', async () => {
    const ctx = await createContext({ ...serviceConfig(), tokenSecret: { value: '' } });
    await expect(ctx.pageTokens()).rejects.toThrow('The pagination token secret is empty.');
  });
});
