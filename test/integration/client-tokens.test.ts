import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateDomainCommand,
  type CreateDomainCommandInput,
  CreateWatchlistCommand,
  DescribeDomainCommand,
  ListWatchlistsCommand,
} from '@aws-sdk/client-voice-id';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { endpoints, http, kms, serviceTables, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

/**
 * ClientToken makes creation idempotent for 24 hours, as in Voice ID, and no longer: after that a retry is a new
 * request. The service's clock cannot be moved from here, so tests age the token's record in its table instead.
 */
const client = voiceId();
const DAY_SECONDS = 24 * 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);
let tokens = 0;
const newToken = () => `token-${process.pid}-${Date.now()}-${++tokens}`;

const domainInput = (ClientToken: string, Name = 'idempotent'): CreateDomainCommandInput => ({
  Name,
  ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn },
  ClientToken,
});

/** The record that remembers a token: the only one that names the token and the resource it created. */
async function tokenRecord(clientToken: string, resourceId: string): Promise<Record<string, unknown>> {
  const { names, client: raw } = await serviceTables();
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await raw.send(new ScanCommand({ TableName: names.idempotency, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const matching = items.filter((item) => JSON.stringify(item).includes(clientToken));
  expect(matching).toHaveLength(1);
  expect(JSON.stringify(matching[0])).toContain(resourceId);
  return matching[0];
}

/** Moves a token record's expiry, as if the token had been claimed at another time. */
async function setExpiry(record: Record<string, unknown>, expiresAt: number): Promise<void> {
  const { names, client: raw } = await serviceTables();
  await raw.send(new PutCommand({ TableName: names.idempotency, Item: { ...record, expiresAt } }));
}

describe('a ClientToken', () => {
  it('is recorded with the change it guards, and expires 24 hours after the request', async () => {
    const ClientToken = newToken();
    const before = nowSeconds();
    const { Domain } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
    const after = nowSeconds();
    const record = await tokenRecord(ClientToken, Domain!.DomainId!);
    expect(typeof record.expiresAt).toBe('number');
    expect(record.expiresAt).toBeGreaterThanOrEqual(before + DAY_SECONDS);
    expect(record.expiresAt).toBeLessThanOrEqual(after + DAY_SECONDS);
  });

  it('is honoured until it expires: a retry before then returns the first domain', async () => {
    const ClientToken = newToken();
    const { Domain: first } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
    await setExpiry(await tokenRecord(ClientToken, first!.DomainId!), nowSeconds() + 60);
    const { Domain: retried } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
    expect(retried).toEqual(first);
    // Reusing it for another request is still refused.
    const reused = await failure(client.send(new CreateDomainCommand(domainInput(ClientToken, 'another'))));
    expect(reused.name).toBe('ValidationException');
  });

  it('replays the first result without doing the work again (a retry succeeds even if the work would now fail)', async () => {
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({ Description: 'disabled after the first call' }));
    const ClientToken = newToken();
    const input = { ...domainInput(ClientToken), ServerSideEncryptionConfiguration: { KmsKeyId: KeyMetadata!.Arn } };
    const { Domain: first } = await client.send(new CreateDomainCommand(input));
    await kms().send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    expect((await client.send(new CreateDomainCommand(input))).Domain).toEqual(first);
    // Without the token, the same request now fails on the key.
    const fresh = await failure(client.send(new CreateDomainCommand({ ...input, ClientToken: undefined })));
    expect(fresh.message).toBe(`The KMS key ${KeyMetadata!.Arn} is disabled. Enable it or choose another key.`);
  });

  it('creates a new domain when reused after it expired, and is claimed afresh for 24 hours', async () => {
    const ClientToken = newToken();
    const { Domain: first } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
    await setExpiry(await tokenRecord(ClientToken, first!.DomainId!), nowSeconds() - 1);

    const before = nowSeconds();
    const { Domain: second } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
    expect(second!.DomainId).not.toBe(first!.DomainId);
    expect(second).toMatchObject({ Name: 'idempotent', DomainStatus: 'ACTIVE' });
    // Both domains exist: the expired token guarded nothing any more.
    expect((await client.send(new DescribeDomainCommand({ DomainId: first!.DomainId }))).Domain).toEqual(first);
    expect((await client.send(new DescribeDomainCommand({ DomainId: second!.DomainId }))).Domain).toEqual(second);

    const renewed = await tokenRecord(ClientToken, second!.DomainId!);
    expect(JSON.stringify(renewed)).not.toContain(first!.DomainId);
    expect(renewed.expiresAt).toBeGreaterThanOrEqual(before + DAY_SECONDS);
    expect(renewed.expiresAt).toBeLessThanOrEqual(nowSeconds() + DAY_SECONDS);
    // And the renewed token is honoured again.
    const { Domain: retried } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
    expect(retried).toEqual(second);
  });

  it('expires at its expiry second, not one second later', async () => {
    // The check and the expiry are whole seconds; repeat until the request is served within the second it targets.
    for (let attempt = 0; attempt < 5; attempt++) {
      const ClientToken = newToken();
      const { Domain: first } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
      const record = await tokenRecord(ClientToken, first!.DomainId!);
      const second = nowSeconds();
      await setExpiry(record, second);
      const { Domain: retried } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
      if (nowSeconds() !== second) continue;
      expect(retried!.DomainId).not.toBe(first!.DomainId);
      return;
    }
    throw new Error('No request was served within the second it targeted.');
  });

  it('after expiry may be used for a different request', async () => {
    const ClientToken = newToken();
    const { Domain: first } = await client.send(new CreateDomainCommand(domainInput(ClientToken)));
    await setExpiry(await tokenRecord(ClientToken, first!.DomainId!), nowSeconds() - 3600);
    const { Domain: other } = await client.send(new CreateDomainCommand(domainInput(ClientToken, 'different-request')));
    expect(other).toMatchObject({ Name: 'different-request' });
    expect(other!.DomainId).not.toBe(first!.DomainId);
  });

  it('of CreateWatchlist expires the same way, within its domain', async () => {
    const domain = await newDomain('token-watchlists');
    const ClientToken = newToken();
    const create = () => client.send(new CreateWatchlistCommand({ DomainId: domain.DomainId, Name: 'once-a-day', ClientToken }));
    const before = nowSeconds();
    const { Watchlist: first } = await create();
    const record = await tokenRecord(ClientToken, first!.WatchlistId!);
    expect(record.expiresAt).toBeGreaterThanOrEqual(before + DAY_SECONDS);
    expect(record.expiresAt).toBeLessThanOrEqual(nowSeconds() + DAY_SECONDS);
    expect((await create()).Watchlist).toEqual(first);

    await setExpiry(record, nowSeconds() - 1);
    const { Watchlist: second } = await create();
    expect(second!.WatchlistId).not.toBe(first!.WatchlistId);
    const listed = await client.send(new ListWatchlistsCommand({ DomainId: domain.DomainId }));
    expect(listed.WatchlistSummaries!.map((w) => w.WatchlistId).sort()).toEqual(
      [domain.WatchlistDetails!.DefaultWatchlistId, first!.WatchlistId, second!.WatchlistId].sort(),
    );
  });

  it('names the same request whatever the order of its members, and whatever the token itself', async () => {
    const ClientToken = newToken();
    const KmsKeyId = endpoints().defaultKmsKeyArn;
    const send = (body: string) =>
      http<{ Domain: { DomainId: string } }>('POST', '/', {
        body,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'VoiceID.CreateDomain' },
      });
    const first = await send(
      `{"Name":"ordered","Description":"d","ServerSideEncryptionConfiguration":{"KmsKeyId":"${KmsKeyId}"},"Tags":[{"Key":"k","Value":"v"}],"ClientToken":"${ClientToken}"}`,
    );
    const reordered = await send(
      `{"ClientToken":"${ClientToken}","Tags":[{"Value":"v","Key":"k"}],"ServerSideEncryptionConfiguration":{"KmsKeyId":"${KmsKeyId}"},"Description":"d","Name":"ordered"}`,
    );
    expect(first.status).toBe(200);
    expect(reordered.body).toEqual(first.body);
    // A member that differs makes it another request, even one nested in a list.
    const changed = await send(
      `{"ClientToken":"${ClientToken}","Tags":[{"Value":"w","Key":"k"}],"ServerSideEncryptionConfiguration":{"KmsKeyId":"${KmsKeyId}"},"Description":"d","Name":"ordered"}`,
    );
    expect(changed.status).toBe(400);
    expect(changed.body).toMatchObject({
      __type: 'ValidationException',
      message: `The ClientToken ${ClientToken} was already used for a different CreateDomain request. Use a new ClientToken for a new request.`,
    });
  });

  it('of one domain is not the same token in another domain', async () => {
    const [a, b] = [await newDomain('token-scope-a'), await newDomain('token-scope-b')];
    const ClientToken = newToken();
    const { Watchlist: inA } = await client.send(new CreateWatchlistCommand({ DomainId: a.DomainId, Name: 'shared-token', ClientToken }));
    const { Watchlist: inB } = await client.send(new CreateWatchlistCommand({ DomainId: b.DomainId, Name: 'shared-token', ClientToken }));
    expect(inB).toMatchObject({ DomainId: b.DomainId, Name: 'shared-token' });
    expect(inB!.WatchlistId).not.toBe(inA!.WatchlistId);
  });
});
