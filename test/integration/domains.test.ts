import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateDomainCommand,
  type CreateDomainCommandInput,
  DeleteDomainCommand,
  DescribeDomainCommand,
  DescribeWatchlistCommand,
  type DomainSummary,
  ListDomainsCommand,
  ListTagsForResourceCommand,
  UpdateDomainCommand,
  type UpdateDomainCommandInput,
} from '@aws-sdk/client-voice-id';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_DEFAULT_KEY_ALIAS } from '#lib/local/kms-local';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#lib/local/template';
import createDomain from '#operations/create-domain';
import updateDomain from '#operations/update-domain';
import { endpoints, kms, serviceContext, serviceTables, voiceId } from '#test/support/clients';
import { failure, retryingConcurrentChanges } from '#test/support/voice-id-errors';

const client = voiceId();
const keyArn = () => endpoints().defaultKmsKeyArn;
const domainInput = (overrides: Partial<CreateDomainCommandInput> = {}): CreateDomainCommandInput => ({
  Name: 'contact-centre',
  Description: 'Calls to the support line',
  ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() },
  ...overrides,
});

/** The domain once its re-encryption under a new key has ended (ServerSideEncryptionUpdateDetails not IN_PROGRESS). */
async function reEncrypted(DomainId: string) {
  for (let i = 0; i < 200; i++) {
    const { Domain } = await client.send(new DescribeDomainCommand({ DomainId }));
    if (Domain!.ServerSideEncryptionUpdateDetails?.UpdateStatus !== 'IN_PROGRESS') return Domain!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The re-encryption of ${DomainId} did not end within 20 s.`);
}

/** The domains the table holds that are not deleted, read raw: what a complete listing must return. */
async function liveDomainIds(): Promise<string[]> {
  const { names, client: raw } = await serviceTables();
  const ids: string[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await raw.send(
      new ScanCommand({
        TableName: names.domains,
        FilterExpression: 'attribute_not_exists(deletedAt)',
        ExclusiveStartKey,
        ConsistentRead: true,
      }),
    );
    ids.push(...(page.Items ?? []).map((item) => item.domainId as string));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return ids;
}

async function allDomains(): Promise<DomainSummary[]> {
  const domains: DomainSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListDomainsCommand({ MaxResults: 10, NextToken }));
    domains.push(...(page.DomainSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return domains;
}

describe('CreateDomain', () => {
  it('creates an active domain with a default watchlist, and Describe returns it', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput({ Tags: [{ Key: 'team', Value: 'fraud' }] })));
    expect(Domain).toMatchObject({
      Name: 'contact-centre',
      Description: 'Calls to the support line',
      DomainStatus: 'ACTIVE',
      ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() },
    });
    expect(Domain!.DomainId).toMatch(/^[a-zA-Z0-9]{22}$/);
    expect(Domain!.Arn).toBe(`arn:aws:voiceid:us-east-1:000000000000:domain/${Domain!.DomainId}`);
    expect(Domain!.WatchlistDetails!.DefaultWatchlistId).toMatch(/^[a-zA-Z0-9]{22}$/);
    expect(Domain!.CreatedAt).toBeInstanceOf(Date);
    expect(Domain!.UpdatedAt).toEqual(Domain!.CreatedAt);
    expect(Domain!.ServerSideEncryptionUpdateDetails).toBeUndefined();

    const described = await client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId }));
    expect(described.Domain).toEqual(Domain);
    const { Watchlist } = await client.send(
      new DescribeWatchlistCommand({ DomainId: Domain!.DomainId, WatchlistId: Domain!.WatchlistDetails!.DefaultWatchlistId }),
    );
    expect(Watchlist).toEqual({
      DomainId: Domain!.DomainId,
      WatchlistId: Domain!.WatchlistDetails!.DefaultWatchlistId,
      Name: 'Default',
      Description: 'The default watchlist of the domain',
      DefaultWatchlist: true,
      CreatedAt: Domain!.CreatedAt,
      UpdatedAt: Domain!.CreatedAt,
    });
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceArn: Domain!.Arn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'fraud' }]);
  });

  it('returns the first result again for a retried ClientToken, and creates nothing more', async () => {
    const ClientToken = `token-${Date.now()}`;
    const before = (await allDomains()).length;
    const first = await client.send(new CreateDomainCommand(domainInput({ ClientToken })));
    const retried = await client.send(new CreateDomainCommand(domainInput({ ClientToken })));
    expect(retried.Domain).toEqual(first.Domain);
    expect((await allDomains()).length).toBe(before + 1);
  });

  it('answers concurrent retries of one ClientToken with one domain', async () => {
    const ClientToken = `race-${Date.now()}`;
    const before = (await allDomains()).length;
    const results = await Promise.all(Array.from({ length: 5 }, () => client.send(new CreateDomainCommand(domainInput({ ClientToken })))));
    expect(new Set(results.map((r) => r.Domain!.DomainId)).size).toBe(1);
    expect((await allDomains()).length).toBe(before + 1);
  });

  it('refuses a ClientToken reused for a different request', async () => {
    const ClientToken = `reuse-${Date.now()}`;
    await client.send(new CreateDomainCommand(domainInput({ ClientToken })));
    const error = await failure(client.send(new CreateDomainCommand(domainInput({ ClientToken, Name: 'other' }))));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/ClientToken .* was already used for a different CreateDomain request/);
  });

  it.each([
    ['an empty Name', { Name: '' }, /Name must be at least 1 characters/],
    ['a Name starting with a hyphen', { Name: '-starts-with-hyphen' }, /Name must start with a letter or digit/],
    ['a Name with a space', { Name: 'has space' }, /Name must start with a letter or digit and contain only/],
    ['a Name over 256 characters', { Name: 'x'.repeat(257) }, /Name must be at most 256 characters/],
    ['a missing Name', { Name: undefined }, /Name is required/],
    ['a Description with a semicolon', { Description: 'semi;colon' }, /Description may contain only/],
    ['a Description over 1024 characters', { Description: 'd'.repeat(1025) }, /Description must be at most 1024/],
    ['a missing ServerSideEncryptionConfiguration', { ServerSideEncryptionConfiguration: undefined }, /ServerSideEncryptionConfiguration/],
    ['an empty KmsKeyId', { ServerSideEncryptionConfiguration: { KmsKeyId: '' } }, /KmsKeyId must be at least 1/],
    [
      'an unknown KMS key',
      { ServerSideEncryptionConfiguration: { KmsKeyId: 'alias/does-not-exist' } },
      /KMS key alias\/does-not-exist does not exist/,
    ],
    ['a ClientToken with bad characters', { ClientToken: 'bad token!' }, /ClientToken may contain only/],
    ['a ClientToken over 64 characters', { ClientToken: 'x'.repeat(65) }, /ClientToken must be at most 64/],
    ['201 tags', { Tags: Array.from({ length: 201 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, /at most 200 tags/],
    [
      'a repeated tag Key',
      {
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'a', Value: '2' },
        ],
      },
      /must not repeat a Key/,
    ],
    ['an empty tag Key', { Tags: [{ Key: '', Value: '1' }] }, /Tag Key must be at least 1/],
    ['a tag Value over 256 characters', { Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }, /Tag Value must be at most 256/],
  ])('refuses %s with ValidationException and writes nothing', async (_label, overrides, message) => {
    const before = (await allDomains()).length;
    const error = await failure(client.send(new CreateDomainCommand(domainInput(overrides as Partial<CreateDomainCommandInput>))));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
    expect((await allDomains()).length).toBe(before);
  });

  it('refuses a disabled KMS key', async () => {
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({ Description: 'to be disabled' }));
    await kms().send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    const error = await failure(
      client.send(new CreateDomainCommand(domainInput({ ServerSideEncryptionConfiguration: { KmsKeyId: KeyMetadata!.Arn } }))),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/is disabled/);
  });
});

describe('DescribeDomain', () => {
  it.each([['short'], ['x'.repeat(23)], ['has-hyphen-abcdefghijk']])('refuses the DomainId %s', async (DomainId) => {
    const error = await failure(client.send(new DescribeDomainCommand({ DomainId })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/DomainId must be/);
  });

  it('answers an unknown domain with ResourceNotFoundException of type DOMAIN', async () => {
    const error = await failure(client.send(new DescribeDomainCommand({ DomainId: 'a'.repeat(22) })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.ResourceType).toBe('DOMAIN');
    expect(error.message).toMatch(/does not exist/);
  });
});

describe('UpdateDomain', () => {
  it('replaces every attribute: an omitted Description is removed', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput({ Tags: [{ Key: 'kept', Value: 'yes' }] })));
    const before = Date.now();
    const { Domain: updated } = await client.send(
      new UpdateDomainCommand({
        DomainId: Domain!.DomainId,
        Name: 'renamed',
        ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() },
      }),
    );
    const after = Date.now();
    // Everything else stays: id, ARN, status, key, default watchlist, creation time.
    expect(updated).toEqual({ ...Domain, Name: 'renamed', Description: undefined, UpdatedAt: updated!.UpdatedAt });
    expect(updated!.UpdatedAt!.getTime()).toBeGreaterThan(Domain!.UpdatedAt!.getTime());
    expect(updated!.UpdatedAt!.getTime()).toBeGreaterThanOrEqual(Math.max(before, Domain!.UpdatedAt!.getTime() + 1));
    expect(updated!.UpdatedAt!.getTime()).toBeLessThanOrEqual(Math.max(after, Domain!.UpdatedAt!.getTime() + 1));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: Domain!.Arn }))).Tags).toEqual([{ Key: 'kept', Value: 'yes' }]);
    expect((await client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId }))).Domain).toEqual(updated);
  });

  it('moves to a new KMS key and reports the old one', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput()));
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({ Description: 'rotation target' }));
    const { Domain: updated } = await client.send(
      new UpdateDomainCommand({
        DomainId: Domain!.DomainId,
        Name: Domain!.Name,
        ServerSideEncryptionConfiguration: { KmsKeyId: KeyMetadata!.Arn },
      }),
    );
    expect(updated!.ServerSideEncryptionConfiguration!.KmsKeyId).toBe(KeyMetadata!.Arn);
    // The domain's data is re-encrypted asynchronously (test/integration/key-rotation.test.ts has a domain with data).
    expect(updated!.ServerSideEncryptionUpdateDetails).toEqual({ OldKmsKeyId: keyArn(), UpdateStatus: 'IN_PROGRESS' });
    await reEncrypted(Domain!.DomainId!);
    // A later update that keeps the key keeps reporting the last change of key.
    const { Domain: renamed } = await retryingConcurrentChanges(() =>
      client.send(
        new UpdateDomainCommand({
          DomainId: Domain!.DomainId,
          Name: 'renamed',
          ServerSideEncryptionConfiguration: { KmsKeyId: KeyMetadata!.Arn },
        }),
      ),
    );
    expect(renamed).toMatchObject({
      Name: 'renamed',
      ServerSideEncryptionUpdateDetails: { OldKmsKeyId: keyArn(), UpdateStatus: 'COMPLETED' },
    });
    // Moving back reports the key moved from.
    const { Domain: back } = await client.send(
      new UpdateDomainCommand({ DomainId: Domain!.DomainId, Name: 'renamed', ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } }),
    );
    expect(back!.ServerSideEncryptionUpdateDetails).toEqual({ OldKmsKeyId: KeyMetadata!.Arn, UpdateStatus: 'IN_PROGRESS' });
    // The end of the run is a change of the domain: UpdatedAt moves.
    const { UpdatedAt: _updatedAt, ...unchanged } = back!;
    expect(await reEncrypted(Domain!.DomainId!)).toMatchObject({
      ...unchanged,
      ServerSideEncryptionUpdateDetails: { OldKmsKeyId: KeyMetadata!.Arn, UpdateStatus: 'COMPLETED' },
    });
  });

  it('does not check the KMS key again when it is unchanged', async () => {
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({ Description: 'to be disabled after use' }));
    const { Domain } = await client.send(
      new CreateDomainCommand(domainInput({ ServerSideEncryptionConfiguration: { KmsKeyId: KeyMetadata!.Arn } })),
    );
    await kms().send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    const { Domain: updated } = await client.send(
      new UpdateDomainCommand({
        DomainId: Domain!.DomainId,
        Name: 'still-here',
        ServerSideEncryptionConfiguration: { KmsKeyId: KeyMetadata!.Arn },
      }),
    );
    expect(updated).toMatchObject({ Name: 'still-here', ServerSideEncryptionConfiguration: { KmsKeyId: KeyMetadata!.Arn } });
    expect(updated!.ServerSideEncryptionUpdateDetails).toBeUndefined();
  });

  it('refuses a bad update and leaves the domain as it was', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput()));
    const attempts: [Omit<UpdateDomainCommandInput, 'DomainId'>, string][] = [
      [
        { Name: 'bad name', ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } },
        'Name must start with a letter or digit and contain only letters, digits, underscores and hyphens.',
      ],
      [
        { Name: 'ok', ServerSideEncryptionConfiguration: { KmsKeyId: 'alias/missing' } },
        'The KMS key alias/missing does not exist or the service may not use it. Give a key id, key ARN or alias of an enabled symmetric key.',
      ],
      [
        { Name: 'ok', Description: 'semi;colon', ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } },
        'Description may contain only letters, digits, spaces and _ . : / = + - % @.',
      ],
      [
        { Name: 'ok' } as Omit<UpdateDomainCommandInput, 'DomainId'>,
        'ServerSideEncryptionConfiguration must be an object with a KmsKeyId.',
      ],
    ];
    for (const [attempt, message] of attempts) {
      const error = await failure(client.send(new UpdateDomainCommand({ DomainId: Domain!.DomainId, ...attempt })));
      expect({ name: error.name, message: error.message }).toEqual({ name: 'ValidationException', message });
    }
    expect((await client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId }))).Domain).toEqual(Domain);
  });

  it('answers an unknown domain with ResourceNotFoundException', async () => {
    const error = await failure(
      client.send(
        new UpdateDomainCommand({ DomainId: 'b'.repeat(22), Name: 'x', ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } }),
      ),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.ResourceType).toBe('DOMAIN');
  });

  it('never loses an update to a racing one: a loser is refused with CONCURRENT_CHANGES and lands when retried', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput()));
    const names = Array.from({ length: 6 }, (_, i) => `racer-${i}`);
    const refusals: unknown[] = [];
    const landed = await Promise.all(
      names.map((Name) =>
        retryingConcurrentChanges(async () => {
          try {
            return (
              await client.send(
                new UpdateDomainCommand({ DomainId: Domain!.DomainId, Name, ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } }),
              )
            ).Domain!;
          } catch (error) {
            refusals.push(error);
            throw error;
          }
        }),
      ),
    );
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({
        name: 'ConflictException',
        ConflictType: 'CONCURRENT_CHANGES',
        message: `The domain ${Domain!.DomainId} was changed by another request while this one ran. Describe it and try again.`,
        $metadata: { httpStatusCode: 409 },
      });
    }
    expect(landed.map((d) => d.Name)).toEqual(names);
    // Each update happened after the one before it: no two share an UpdatedAt, and the last one is what is stored.
    const times = landed.map((d) => d.UpdatedAt!.getTime());
    expect(new Set(times).size).toBe(names.length);
    const latest = landed[times.indexOf(Math.max(...times))];
    expect((await client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId }))).Domain).toEqual(latest);
  });
});

describe('DeleteDomain', () => {
  it('makes the domain disappear from Describe, List and a second Delete', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput()));
    await client.send(new DeleteDomainCommand({ DomainId: Domain!.DomainId }));
    const described = await failure(client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId })));
    expect(described.name).toBe('ResourceNotFoundException');
    expect((await allDomains()).map((d) => d.DomainId)).not.toContain(Domain!.DomainId);
    const again = await failure(client.send(new DeleteDomainCommand({ DomainId: Domain!.DomainId })));
    expect(again.name).toBe('ResourceNotFoundException');
    const updated = await failure(
      client.send(
        new UpdateDomainCommand({ DomainId: Domain!.DomainId, Name: 'x', ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } }),
      ),
    );
    expect(updated.name).toBe('ResourceNotFoundException');
  });

  it('refuses a malformed DomainId', async () => {
    const error = await failure(client.send(new DeleteDomainCommand({ DomainId: 'nope' })));
    expect(error.name).toBe('ValidationException');
  });
});

describe("the deployment's allow-list of domain keys (domainKmsKeys)", () => {
  /** The service's context with an allow-list, as a deployment with the stack parameter runs it. */
  const allowing = async (domainKmsKeys: string[]) => {
    const base = await serviceContext();
    await base.speech.close();
    return { ...base, domainKmsKeys };
  };
  const refusal = (kmsKeyId: string, list: string[]) =>
    `The KMS key ${kmsKeyId} is not one this deployment's domains may use. Give one of ${list.join(', ')} (an alias entry ending in * allows every alias it begins), or ask the operator to add the key to the stack parameter domainKmsKeys.`;
  const names = async () => {
    const all: (string | undefined)[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListDomainsCommand({ NextToken }));
      all.push(...page.DomainSummaries!.map((summary) => summary.Name));
      NextToken = page.NextToken;
    } while (NextToken);
    return all;
  };

  it('lets CreateDomain and UpdateDomain give only listed keys, by ARN, key id or a listed alias, and refuses others changing nothing', async () => {
    const { KeyMetadata: listed } = await kms().send(new CreateKeyCommand({ Description: 'listed for domains' }));
    const list = [listed!.Arn!, 'alias/voice-id-*'];
    const ctx = await allowing(list);
    const create = (Name: string, KmsKeyId: string) => createDomain.call({ Name, ServerSideEncryptionConfiguration: { KmsKeyId } }, ctx);

    // The default key given by its ARN is not listed, though one of its aliases matches: an alias counts only as given.
    await expect(create('unlisted-key', keyArn())).rejects.toMatchObject({ name: 'ValidationException', message: refusal(keyArn(), list) });
    expect(await names()).not.toContain('unlisted-key');
    const { Domain } = await create('listed-key', listed!.KeyId!);
    expect(Domain.ServerSideEncryptionConfiguration.KmsKeyId).toBe(listed!.KeyId);
    await create('listed-alias', LOCAL_DEFAULT_KEY_ALIAS);
    await create('listed-alias-arn', `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_DEFAULT_KEY_ALIAS}`);
    // An alias of another account never matches a prefix, even where KMS would resolve it.
    const foreign = `arn:aws:kms:${LOCAL_REGION}:111122223333:${LOCAL_DEFAULT_KEY_ALIAS}`;
    await expect(create('foreign-alias', foreign)).rejects.toMatchObject({ name: 'ValidationException' });

    const before = (await client.send(new DescribeDomainCommand({ DomainId: Domain.DomainId }))).Domain;
    const update = (KmsKeyId: string) =>
      updateDomain.call({ DomainId: Domain.DomainId, Name: 'listed-key', ServerSideEncryptionConfiguration: { KmsKeyId } }, ctx);
    await expect(update(keyArn())).rejects.toMatchObject({ name: 'ValidationException', message: refusal(keyArn(), list) });
    expect((await client.send(new DescribeDomainCommand({ DomainId: Domain.DomainId }))).Domain).toEqual(before);
    // A listed alias is accepted, and an exact alias entry allows that alias only.
    expect((await update(LOCAL_DEFAULT_KEY_ALIAS)).Domain.ServerSideEncryptionConfiguration.KmsKeyId).toBe(LOCAL_DEFAULT_KEY_ALIAS);
    const exact = await allowing([LOCAL_DEFAULT_KEY_ALIAS]);
    await expect(
      createDomain.call({ Name: 'exact-alias', ServerSideEncryptionConfiguration: { KmsKeyId: LOCAL_DEFAULT_KEY_ALIAS } }, exact),
    ).resolves.toBeDefined();
    await expect(
      createDomain.call({ Name: 'unlisted-key', ServerSideEncryptionConfiguration: { KmsKeyId: listed!.Arn! } }, exact),
    ).rejects.toMatchObject({
      message: refusal(listed!.Arn!, [LOCAL_DEFAULT_KEY_ALIAS]),
    });
    expect(await names()).not.toContain('unlisted-key');
  });
});

describe('ListDomains', () => {
  it('pages through more domains than a page holds: full pages of MaxResults, each live domain exactly once', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.send(new CreateDomainCommand(domainInput({ Name: `paged-${i}` })))),
    );
    const deleted = created.pop()!.Domain!.DomainId!;
    await client.send(new DeleteDomainCommand({ DomainId: deleted }));
    const live = await liveDomainIds();
    const sizes: number[] = [];
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListDomainsCommand({ MaxResults: 5, NextToken }));
      sizes.push(page.DomainSummaries!.length);
      seen.push(...page.DomainSummaries!.map((d) => d.DomainId!));
      NextToken = page.NextToken;
      expect(sizes.length).toBeLessThanOrEqual(live.length);
    } while (NextToken);
    expect(seen.sort()).toEqual(live.sort());
    // Deleted domains are skipped without leaving a page short: only the last page may hold fewer than 5.
    const full = Math.floor(live.length / 5);
    expect(sizes.slice(0, full)).toEqual(Array(full).fill(5));
    expect(sizes.slice(full).filter((size) => size > 0)).toEqual(live.length % 5 ? [live.length % 5] : []);
    expect(live).toEqual(expect.arrayContaining(created.map(({ Domain }) => Domain!.DomainId)));
    expect(live).not.toContain(deleted);
  });

  it.each([[0], [11], [-1]])('refuses MaxResults %d', async (MaxResults) => {
    const error = await failure(client.send(new ListDomainsCommand({ MaxResults })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('MaxResults must be between 1 and 10.');
  });

  it('refuses a forged or tampered NextToken', async () => {
    for (const NextToken of ['not-a-token', 'A'.repeat(60)]) {
      const error = await failure(client.send(new ListDomainsCommand({ NextToken })));
      expect(error.name).toBe('ValidationException');
      expect(error.message).toMatch(/NextToken is not valid/);
    }
  });
});
