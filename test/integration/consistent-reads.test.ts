import { CreateWatchlistCommand, OptOutSpeakerCommand } from '@aws-sdk/client-voice-id';
import { BatchGetCommand, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import { serviceContext, voiceId } from '#test/support/clients';
import { interceptDynamoDb } from '#test/support/dynamodb-faults';
import { newDomain } from '#test/support/voice-id-errors';

/**
 * Every read that answers a caller is strongly consistent. DynamoDB Local always is, so a read that was not would
 * pass every other test here and fail in AWS: a Describe right after a Create could answer ResourceNotFound, and an
 * optimistic-locking write could be based on a stale record. The reads are watched at the AWS SDK.
 */
const client = voiceId();

describe('reads', () => {
  afterEach(() => jest.restoreAllMocks());

  it('are all strongly consistent', async () => {
    const domain = await newDomain('consistent-reads');
    const domainId = domain.DomainId!;
    const defaultId = domain.WatchlistDetails!.DefaultWatchlistId!;
    const { Watchlist } = await client.send(new CreateWatchlistCommand({ DomainId: domainId, Name: 'second' }));
    const { Speaker } = await client.send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: 'caller-1' }));
    const ctx = await serviceContext();
    const fraudsterId = newPrefixedId();
    const now = Date.now();
    await ctx.fraudsters.create({ domainId, fraudsterId, watchlistIds: [defaultId], createdAt: now, updatedAt: now }, 10);

    const reads: { command: string; input: Record<string, unknown> }[] = [];
    interceptDynamoDb((command, send) => {
      for (const kind of [GetCommand, QueryCommand, ScanCommand, BatchGetCommand]) {
        if (command instanceof kind) reads.push({ command: kind.name, input: command.input });
      }
      return send(command);
    });

    expect(await ctx.domains.get(domainId)).toMatchObject({ domainId });
    expect((await ctx.domains.list(1)).items).toHaveLength(1);
    expect(await ctx.watchlists.get(domainId, Watchlist!.WatchlistId!)).toMatchObject({ name: 'second' });
    expect((await ctx.watchlists.list(domainId, 10)).items).toHaveLength(2);
    expect(await ctx.speakers.find(domainId, 'caller-1')).toMatchObject({ speakerId: Speaker!.GeneratedSpeakerId });
    expect(await ctx.speakers.find(domainId, Speaker!.GeneratedSpeakerId!)).toMatchObject({ customerSpeakerId: 'caller-1' });
    expect((await ctx.speakers.list(domainId, 10)).items).toHaveLength(1);
    expect(await ctx.fraudsters.get(domainId, fraudsterId)).toMatchObject({ fraudsterId });
    expect((await ctx.fraudsters.list(domainId, undefined, 10)).items).toHaveLength(1);
    expect((await ctx.fraudsters.list(domainId, defaultId, 10)).items).toHaveLength(1);
    expect(await ctx.idempotency.find(`CreateDomain/000000000000/never-used-${now}`, now)).toBeUndefined();

    // ListDomains with MaxResults 1 scans on past domains other suites deleted, one page each, as many as happen to
    // come first in the table's (random) order: one Scan at least, each consistent like every other read.
    const scans = reads.filter((read) => read.command === 'ScanCommand');
    expect(scans.length).toBeGreaterThanOrEqual(1);
    expect(
      reads
        .filter((read) => read.command !== 'ScanCommand')
        .map((read) => read.command)
        .sort(),
    ).toEqual([...Array<string>(7).fill('GetCommand'), 'BatchGetCommand', ...Array<string>(4).fill('QueryCommand')].sort());
    for (const read of reads) {
      const consistent =
        read.command === 'BatchGetCommand'
          ? Object.values(read.input.RequestItems as Record<string, { ConsistentRead?: boolean }>).map((r) => r.ConsistentRead)
          : [read.input.ConsistentRead];
      expect({ ...read, consistent }).toEqual({ ...read, consistent: consistent.map(() => true) });
    }
  });
});
