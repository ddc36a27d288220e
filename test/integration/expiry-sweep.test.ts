import { CreateDomainCommand, CreateWatchlistCommand, DeleteDomainCommand, OptOutSpeakerCommand } from '@aws-sdk/client-voice-id';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DELETED_DOMAIN_RETENTION_MS } from '#api-model/domain';
import { newPrefixedId } from '#api-model/ids';
import { counterIds } from '#store/quota-counters';
import { endpoints, serviceContext, serviceTables, voiceId } from '#test/support/clients';
import { interceptDynamoDb, type PassThrough } from '#test/support/dynamodb-faults';
import { eraseDeletedDomains } from '#workflows/erase-deleted-domains';

const client = voiceId();
const DAY_MS = 24 * 3600 * 1000;
/** A sweep as the daily schedule runs it once a deleted domain's retention is over. */
const sweepAfterRetention = async () => eraseDeletedDomains(await serviceContext(() => Date.now() + DELETED_DOMAIN_RETENTION_MS + 60_000));

const createDomain = async (Name: string) =>
  (await client.send(new CreateDomainCommand({ Name, ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } })))
    .Domain!;

/**
 * A domain with data in every table: two more watchlists, `speakers` speakers (one opted out through the API),
 * and `fraudsters` fraudsters on the default and a second watchlist. Deleted unless `keep`.
 */
async function domainWithData({ speakers = 1, fraudsters = 1, keep = false } = {}) {
  const domain = await createDomain(keep ? 'to-keep' : 'to-erase');
  const domainId = domain.DomainId!;
  const watchlistIds = [domain.WatchlistDetails!.DefaultWatchlistId!];
  for (const Name of ['second', 'third']) {
    watchlistIds.push((await client.send(new CreateWatchlistCommand({ DomainId: domainId, Name }))).Watchlist!.WatchlistId!);
  }
  const ctx = await serviceContext();
  const now = Date.now();
  await client.send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: 'caller-opted-out' }));
  for (let i = 1; i < speakers; i++) {
    const speakerId = newPrefixedId();
    await ctx.speakers.create(
      { domainId, speakerId, customerSpeakerId: `caller-${i}`, status: 'ENROLLED', createdAt: now, updatedAt: now, lastAccessedAt: now },
      1000,
    );
  }
  for (let i = 0; i < fraudsters; i++) {
    const watchlists = [watchlistIds[0], watchlistIds[1]];
    await ctx.fraudsters.create({ domainId, fraudsterId: newPrefixedId(), watchlistIds: watchlists, createdAt: now, updatedAt: now }, 1000);
  }
  // Items of the tables whose records only sessions and jobs write (what they hold does not matter to erasure).
  const { names, client: raw } = await serviceTables();
  await raw.send(new PutCommand({ TableName: names.voiceprints, Item: { domainId, ownerId: `fraudster#${newPrefixedId()}` } }));
  await raw.send(new PutCommand({ TableName: names.sessions, Item: { domainId, itemId: `session#${newPrefixedId()}` } }));
  for (const itemId of ['job#SPEAKER_ENROLLMENT#j', 'entry#j#000000#000000'])
    await raw.send(new PutCommand({ TableName: names.jobs, Item: { domainId, itemId } }));
  if (!keep) await client.send(new DeleteDomainCommand({ DomainId: domainId }));
  return { domainId, watchlistIds };
}

/** What is left of a domain in each of the service's tables, read raw. */
async function leftOf(domainId: string, watchlistIds: string[]) {
  const { names, client: raw } = await serviceTables();
  const partition = async (TableName: string) => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await raw.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'domainId = :d',
          ExpressionAttributeValues: { ':d': domainId },
          ExclusiveStartKey,
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items.length;
  };
  const counters: string[] = [];
  for (const counterId of [
    counterIds.speakers(domainId),
    counterIds.watchlists(domainId),
    ...watchlistIds.map((w) => counterIds.fraudsters(domainId, w)),
  ]) {
    const { Item } = await raw.send(new GetCommand({ TableName: names.counters, Key: { counterId }, ConsistentRead: true }));
    if (Item) counters.push(counterId);
  }
  const { Item: domain } = await raw.send(new GetCommand({ TableName: names.domains, Key: { domainId }, ConsistentRead: true }));
  return {
    domain: domain !== undefined,
    watchlists: await partition(names.watchlists),
    speakers: await partition(names.speakers),
    fraudsters: await partition(names.fraudsters),
    voiceprints: await partition(names.voiceprints),
    sessions: await partition(names.sessions),
    jobs: await partition(names.jobs),
    counters,
  };
}

const nothingLeft = { domain: false, watchlists: 0, speakers: 0, fraudsters: 0, voiceprints: 0, sessions: 0, jobs: 0, counters: [] };

/** How many deleted domains a sweep after the retention period erases now (other tests delete domains too). */
async function deletedDomainsCount(): Promise<number> {
  const { names, client: raw } = await serviceTables();
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await raw.send(
      new ScanCommand({
        TableName: names.domains,
        FilterExpression: 'attribute_exists(deletedAt)',
        ExclusiveStartKey,
        ConsistentRead: true,
      }),
    );
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}

/**
 * Lets `decide` answer the sweep's BatchWriteItem calls instead of DynamoDB (only the AWS SDK is stubbed: the stores
 * run unchanged). `decide` gets the request, DynamoDB's own answer and the number of the call.
 */
function interceptBatchWrites(decide: (input: BatchWriteCommandInput, send: PassThrough, call: number) => Promise<unknown>) {
  let calls = 0;
  return interceptDynamoDb((command, send) =>
    command instanceof BatchWriteCommand ? decide(command.input, send, ++calls) : send(command),
  );
}

afterEach(() => jest.restoreAllMocks());

describe('the expiry sweep', () => {
  it('erases a deleted domain with everything in it (voiceprints, sessions, jobs, watchlists, speakers, fraudsters, counters), but only after the 30-day retention', async () => {
    const deleted = await domainWithData({ speakers: 2, fraudsters: 2 });
    const kept = await domainWithData({ speakers: 2, fraudsters: 2, keep: true });
    const everything = { domain: true, watchlists: 3, speakers: 4, fraudsters: 6, voiceprints: 1, sessions: 1, jobs: 2 };
    const deletedCounters = [
      counterIds.speakers(deleted.domainId),
      counterIds.watchlists(deleted.domainId),
      counterIds.fraudsters(deleted.domainId, deleted.watchlistIds[0]),
      counterIds.fraudsters(deleted.domainId, deleted.watchlistIds[1]),
    ];

    // A day before the retention ends, nothing is erased.
    await eraseDeletedDomains(await serviceContext(() => Date.now() + DELETED_DOMAIN_RETENTION_MS - DAY_MS));
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toEqual({ ...everything, counters: deletedCounters });

    await sweepAfterRetention();
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toEqual(nothingLeft);
    expect(await leftOf(kept.domainId, kept.watchlistIds)).toEqual({
      ...everything,
      counters: [
        counterIds.speakers(kept.domainId),
        counterIds.watchlists(kept.domainId),
        counterIds.fraudsters(kept.domainId, kept.watchlistIds[0]),
        counterIds.fraudsters(kept.domainId, kept.watchlistIds[1]),
      ],
    });
  });

  it('keeps a deleted domain for exactly 30 days: a sweep a minute early leaves it, a minute late erases it', async () => {
    const deleted = await domainWithData();
    const { names, client: raw } = await serviceTables();
    const { Item } = await raw.send(
      new GetCommand({ TableName: names.domains, Key: { domainId: deleted.domainId }, ConsistentRead: true }),
    );
    const deletedAt = Item!.deletedAt as number;
    // No TTL on the deleted domain's item: it is how the sweep finds the domain's data, so only the erasure removes
    // it, last. A TTL due when the sweep may erase would let DynamoDB delete it first and orphan the data for good.
    expect(Item).not.toHaveProperty('expiresAt');

    await eraseDeletedDomains(await serviceContext(() => deletedAt + DELETED_DOMAIN_RETENTION_MS - 60_000));
    expect((await leftOf(deleted.domainId, deleted.watchlistIds)).domain).toBe(true);
    await eraseDeletedDomains(await serviceContext(() => deletedAt + DELETED_DOMAIN_RETENTION_MS + 60_000));
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toEqual(nothingLeft);
  });

  it('takes off the TTL an older version gave a deleted domain, so that DynamoDB cannot remove it before its erasure', async () => {
    const deleted = await domainWithData();
    const { names, client: raw } = await serviceTables();
    const key = { TableName: names.domains, Key: { domainId: deleted.domainId } };
    // Due in an hour, as one deleted 30 days ago less an hour had it; the embedded stack's TTL would delete it then.
    await raw.send(
      new UpdateCommand({
        ...key,
        UpdateExpression: 'SET expiresAt = :due',
        ExpressionAttributeValues: { ':due': Math.floor(Date.now() / 1000) + 3600 },
      }),
    );
    expect(await eraseDeletedDomains(await serviceContext())).toEqual({ erasedDomains: 0 });
    const { Item } = await raw.send(new GetCommand({ ...key, ConsistentRead: true }));
    expect(Item).toMatchObject({ domainId: deleted.domainId });
    expect(typeof Item!.deletedAt).toBe('number');
    expect(Item).not.toHaveProperty('expiresAt');
  });

  it('erases partitions of more than one page (25 items), and reports how many domains it erased', async () => {
    await sweepAfterRetention(); // the domains other tests deleted
    // 30 speakers with their aliases and 30 fraudsters with two memberships each: 60 and 90 items.
    const deleted = await domainWithData({ speakers: 30, fraudsters: 30 });
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toMatchObject({ speakers: 60, fraudsters: 90 });
    expect(await deletedDomainsCount()).toBe(1);
    expect(await sweepAfterRetention()).toEqual({ erasedDomains: 1 });
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toEqual(nothingLeft);
    expect(await deletedDomainsCount()).toBe(0);
  });

  it('sends again the deletions DynamoDB leaves unprocessed, until none is left', async () => {
    const deleted = await domainWithData({ speakers: 4, fraudsters: 4 });
    const { names } = await serviceTables();
    const calls: { request: BatchWriteCommandInput['RequestItems']; unprocessed?: BatchWriteCommandInput['RequestItems'] }[] = [];
    interceptBatchWrites(async (input, send) => {
      // DynamoDB under load: of a request of several items, it processes the first one and returns the others.
      const [table, writes] = Object.entries(input.RequestItems!)[0];
      if (writes.length < 2) {
        calls.push({ request: input.RequestItems });
        return send(new BatchWriteCommand(input));
      }
      await send(new BatchWriteCommand({ RequestItems: { [table]: writes.slice(0, 1) } }));
      const UnprocessedItems = { [table]: writes.slice(1) };
      calls.push({ request: input.RequestItems, unprocessed: UnprocessedItems });
      return { UnprocessedItems, $metadata: {} } satisfies BatchWriteCommandOutput;
    });
    await sweepAfterRetention();
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toEqual(nothingLeft);
    // Every remainder was sent again at once, unchanged, in each of the tables the sweep deletes from.
    const partial = calls.flatMap((call, i) => (call.unprocessed ? [i] : []));
    for (const i of partial) expect(calls[i + 1].request).toEqual(calls[i].unprocessed);
    expect(new Set(partial.map((i) => Object.keys(calls[i].request!)[0]))).toEqual(
      new Set([names.jobs, names.watchlists, names.speakers, names.fraudsters, names.counters]),
    );
  });

  it('finishes on its next run after being interrupted part-way, and a further run finds nothing to do', async () => {
    await sweepAfterRetention(); // the domains other tests deleted
    const deleted = await domainWithData({ speakers: 3, fraudsters: 3 });
    // The second batch of deletions fails (say, the function timed out there).
    interceptBatchWrites(async (input, send, call) => {
      if (call === 2) throw Object.assign(new Error('Task timed out'), { name: 'TimeoutError' });
      return send(new BatchWriteCommand(input));
    });
    await expect(sweepAfterRetention()).rejects.toThrow('Task timed out');
    jest.restoreAllMocks();
    const partly = await leftOf(deleted.domainId, deleted.watchlistIds);
    expect(partly.domain).toBe(true);
    expect(partly.voiceprints).toBe(0);
    expect(partly.sessions).toBe(1);
    expect(partly.speakers).toBe(6);

    expect(await sweepAfterRetention()).toEqual({ erasedDomains: 1 });
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toMatchObject({
      domain: false,
      watchlists: 0,
      speakers: 0,
      fraudsters: 0,
    });
    expect(await sweepAfterRetention()).toEqual({ erasedDomains: 0 });
  });

  it('leaves no fraudster counter behind after an interrupted sweep', async () => {
    await sweepAfterRetention(); // the domains other tests deleted
    const deleted = await domainWithData({ speakers: 3, fraudsters: 3 });
    const { names } = await serviceTables();
    // Interrupted where the counters are deleted: they are found through the watchlists, which are still there.
    interceptBatchWrites(async (input, send) => {
      if (Object.keys(input.RequestItems!)[0] === names.counters) throw new Error('Task timed out');
      return send(new BatchWriteCommand(input));
    });
    await expect(sweepAfterRetention()).rejects.toThrow('Task timed out');
    jest.restoreAllMocks();
    expect((await leftOf(deleted.domainId, deleted.watchlistIds)).watchlists).toBe(3);
    await sweepAfterRetention();
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toEqual(nothingLeft);
  });

  it('is safe to run twice at the same time', async () => {
    await sweepAfterRetention(); // the domains other tests deleted
    const deleted = await domainWithData({ speakers: 3, fraudsters: 3 });
    const kept = await domainWithData({ keep: true });
    const outcomes = await Promise.allSettled([sweepAfterRetention(), sweepAfterRetention()]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await leftOf(deleted.domainId, deleted.watchlistIds)).toEqual(nothingLeft);
    expect((await leftOf(kept.domainId, kept.watchlistIds)).domain).toBe(true);
  });
});
