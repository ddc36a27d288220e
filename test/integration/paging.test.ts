import {
  CreateDomainCommand,
  CreateWatchlistCommand,
  ListDomainsCommand,
  ListFraudstersCommand,
  ListSpeakersCommand,
  ListWatchlistsCommand,
  OptOutSpeakerCommand,
} from '@aws-sdk/client-voice-id';
import { newPrefixedId } from '#api-model/ids';
import { endpoints, serviceContext, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

/**
 * Paging, the same for every list: pages of exactly MaxResults until the last, which holds the rest (DynamoDB
 * cannot tell that a full page was the last one, so when the count divides evenly a last, empty page follows),
 * every item once, and a NextToken that only the list that issued it accepts.
 */
const client = voiceId();

interface Listed {
  ids: string[];
  NextToken?: string;
}

/** Every page of a list, as the page sizes and the ids in order; stops with an error rather than looping. */
async function pagesOf(list: (NextToken?: string) => Promise<Listed>, atMost = 50) {
  const sizes: number[] = [];
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await list(NextToken);
    sizes.push(page.ids.length);
    ids.push(...page.ids);
    NextToken = page.NextToken;
    if (sizes.length > atMost) throw new Error(`More than ${atMost} pages: ${sizes.join(', ')}`);
  } while (NextToken);
  return { sizes, ids };
}

/** The page sizes a list of `total` items has at `max` per page. */
function expectedSizes(total: number, max: number): number[] {
  const full = Array<number>(Math.floor(total / max)).fill(max);
  return total % max ? [...full, total % max] : [...full, 0];
}

describe('paging', () => {
  it('pages watchlists by MaxResults, each once', async () => {
    const domain = await newDomain('paged-watchlists');
    const ids = [domain.WatchlistDetails!.DefaultWatchlistId!];
    for (const Name of ['w1', 'w2', 'w3']) {
      ids.push((await client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name }))).Watchlist!.WatchlistId!);
    }
    for (const MaxResults of [1, 2, 3, 4, 100]) {
      const { sizes, ids: seen } = await pagesOf(async (NextToken) => {
        const page = await client.send(new ListWatchlistsCommand({ DomainId: domain.DomainId, MaxResults, NextToken }));
        return { ids: page.WatchlistSummaries!.map((w) => w.WatchlistId!), NextToken: page.NextToken };
      });
      expect({ MaxResults, sizes }).toEqual({ MaxResults, sizes: MaxResults === 100 ? [4] : expectedSizes(4, MaxResults) });
      expect(seen).toEqual([...ids].sort());
    }
  });

  it('pages speakers and fraudsters by MaxResults, each once, in id order', async () => {
    const domain = await newDomain('paged-people');
    const domainId = domain.DomainId!;
    const ctx = await serviceContext();
    const speakers: string[] = [];
    for (let i = 0; i < 5; i++) {
      speakers.push(
        (await client.send(new OptOutSpeakerCommand({ DomainId: domainId, SpeakerId: `caller-${i}` }))).Speaker!.GeneratedSpeakerId!,
      );
    }
    const fraudsters: string[] = [];
    for (let i = 0; i < 7; i++) {
      const fraudsterId = newPrefixedId();
      const now = Date.now();
      await ctx.fraudsters.create(
        { domainId, fraudsterId, watchlistIds: [domain.WatchlistDetails!.DefaultWatchlistId!], createdAt: now, updatedAt: now },
        100,
      );
      fraudsters.push(fraudsterId);
    }
    for (const MaxResults of [2, 5]) {
      const listedSpeakers = await pagesOf(async (NextToken) => {
        const page = await client.send(new ListSpeakersCommand({ DomainId: domainId, MaxResults, NextToken }));
        return { ids: page.SpeakerSummaries!.map((s) => s.GeneratedSpeakerId!), NextToken: page.NextToken };
      });
      expect(listedSpeakers).toEqual({ sizes: expectedSizes(5, MaxResults), ids: [...speakers].sort() });
      for (const WatchlistId of [undefined, domain.WatchlistDetails!.DefaultWatchlistId]) {
        const listedFraudsters = await pagesOf(async (NextToken) => {
          const page = await client.send(new ListFraudstersCommand({ DomainId: domainId, WatchlistId, MaxResults, NextToken }));
          return { ids: page.FraudsterSummaries!.map((f) => f.GeneratedFraudsterId!), NextToken: page.NextToken };
        });
        expect(listedFraudsters).toEqual({ sizes: expectedSizes(7, MaxResults), ids: [...fraudsters].sort() });
      }
    }
    // Without MaxResults a page holds up to 100.
    const all = await client.send(new ListFraudstersCommand({ DomainId: domainId }));
    expect(all.FraudsterSummaries).toHaveLength(7);
    expect(all.NextToken).toBeUndefined();
  });

  it('gives ListDomains pages of 10 when MaxResults is not given', async () => {
    await Promise.all(
      Array.from({ length: 11 }, (_, i) =>
        client.send(
          new CreateDomainCommand({
            Name: `default-page-${i}`,
            ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn },
          }),
        ),
      ),
    );
    const first = await client.send(new ListDomainsCommand({}));
    expect(first.DomainSummaries).toHaveLength(10);
    expect(typeof first.NextToken).toBe('string');
  });

  it('accepts a NextToken only in the list that issued it', async () => {
    const [a, b] = [await newDomain('token-owner'), await newDomain('token-stranger')];
    for (const SpeakerId of ['s1', 's2']) {
      for (const domain of [a, b]) await client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId }));
    }
    const speakersOfA = (await client.send(new ListSpeakersCommand({ DomainId: a.DomainId, MaxResults: 1 }))).NextToken!;
    const domains = (await client.send(new ListDomainsCommand({ MaxResults: 1 }))).NextToken!;
    const elsewhere = [
      () => client.send(new ListSpeakersCommand({ DomainId: b.DomainId, NextToken: speakersOfA })),
      () => client.send(new ListWatchlistsCommand({ DomainId: a.DomainId, NextToken: speakersOfA })),
      () => client.send(new ListFraudstersCommand({ DomainId: a.DomainId, NextToken: speakersOfA })),
      () => client.send(new ListDomainsCommand({ NextToken: speakersOfA })),
      () => client.send(new ListSpeakersCommand({ DomainId: a.DomainId, NextToken: domains })),
    ];
    for (const call of elsewhere) {
      expect(await failure(call())).toMatchObject({
        name: 'ValidationException',
        message: 'NextToken is not valid: pass the NextToken of the previous page of this same list, unchanged, or omit it to start over.',
      });
    }
    // In its own list it works, and an empty NextToken starts over.
    const second = await client.send(new ListSpeakersCommand({ DomainId: a.DomainId, MaxResults: 1, NextToken: speakersOfA }));
    const first = await client.send(new ListSpeakersCommand({ DomainId: a.DomainId, MaxResults: 1, NextToken: '' }));
    expect([first, second].map((page) => page.SpeakerSummaries![0].CustomerSpeakerId).sort()).toEqual(['s1', 's2']);
  });
});
