import { CreateDomainCommand, DeleteDomainCommand, OptOutSpeakerCommand } from '@aws-sdk/client-voice-id';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DELETED_DOMAIN_RETENTION_MS } from '#api-model/domain';
import { newPrefixedId } from '#api-model/ids';
import { eraseDeletedDomains } from '#operations/erase-deleted-domains';
import { endpoints, serviceContext, serviceTables, voiceId } from '../support/clients';

describe('the expiry sweep', () => {
  it('erases a deleted domain with its watchlists, speakers and fraudsters, but only after the 30-day retention', async () => {
    const client = voiceId();
    const create = (Name: string) =>
      client.send(new CreateDomainCommand({ Name, ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } }));
    const { Domain: deleted } = await create('to-erase');
    const { Domain: kept } = await create('to-keep');
    await client.send(new OptOutSpeakerCommand({ DomainId: deleted!.DomainId, SpeakerId: 'caller-to-erase' }));
    const ctx = await serviceContext();
    const now = Date.now();
    await ctx.fraudsters.create(
      { domainId: deleted!.DomainId!, fraudsterId: newPrefixedId(), watchlistIds: [deleted!.WatchlistDetails!.DefaultWatchlistId!], createdAt: now, updatedAt: now },
      10,
    );
    await client.send(new DeleteDomainCommand({ DomainId: deleted!.DomainId }));
    const { names, client: raw } = await serviceTables();
    const stored = (domainId: string) => raw.send(new GetCommand({ TableName: names.domains, Key: { domainId } }));
    const itemsOf = async (TableName: string, domainId: string) =>
      (await raw.send(new QueryCommand({ TableName, KeyConditionExpression: 'domainId = :d', ExpressionAttributeValues: { ':d': domainId } })))
        .Items ?? [];
    const watchlists = (domainId: string) => itemsOf(names.watchlists, domainId);

    await eraseDeletedDomains(ctx);
    expect((await stored(deleted!.DomainId!)).Item).toBeDefined();

    await eraseDeletedDomains(await serviceContext(() => Date.now() + DELETED_DOMAIN_RETENTION_MS + 60_000));
    expect((await stored(deleted!.DomainId!)).Item).toBeUndefined();
    expect(await watchlists(deleted!.DomainId!)).toEqual([]);
    expect(await itemsOf(names.speakers, deleted!.DomainId!)).toEqual([]);
    expect(await itemsOf(names.fraudsters, deleted!.DomainId!)).toEqual([]);
    expect((await stored(kept!.DomainId!)).Item).toBeDefined();
    expect(await watchlists(kept!.DomainId!)).toHaveLength(1);
  });
});
