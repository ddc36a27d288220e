import { CreateDomainCommand, DeleteDomainCommand } from '@aws-sdk/client-voice-id';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DELETED_DOMAIN_RETENTION_MS } from '#domain/domain';
import { eraseDeletedDomains } from '#operations/erase-deleted-domains';
import { endpoints, serviceContext, serviceTables, voiceId } from '../support/clients';

describe('the expiry sweep', () => {
  it('erases a deleted domain and its watchlists, but only after the 30-day retention', async () => {
    const client = voiceId();
    const create = (Name: string) =>
      client.send(new CreateDomainCommand({ Name, ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } }));
    const { Domain: deleted } = await create('to-erase');
    const { Domain: kept } = await create('to-keep');
    await client.send(new DeleteDomainCommand({ DomainId: deleted!.DomainId }));
    const { names, client: raw } = await serviceTables();
    const stored = (domainId: string) => raw.send(new GetCommand({ TableName: names.domains, Key: { domainId } }));
    const watchlists = (domainId: string) =>
      raw.send(
        new QueryCommand({
          TableName: names.watchlists,
          KeyConditionExpression: 'domainId = :d',
          ExpressionAttributeValues: { ':d': domainId },
        }),
      );

    await eraseDeletedDomains(await serviceContext());
    expect((await stored(deleted!.DomainId!)).Item).toBeDefined();

    await eraseDeletedDomains(await serviceContext(() => Date.now() + DELETED_DOMAIN_RETENTION_MS + 60_000));
    expect((await stored(deleted!.DomainId!)).Item).toBeUndefined();
    expect((await watchlists(deleted!.DomainId!)).Items).toEqual([]);
    expect((await stored(kept!.DomainId!)).Item).toBeDefined();
    expect((await watchlists(kept!.DomainId!)).Items).toHaveLength(1);
  });
});
