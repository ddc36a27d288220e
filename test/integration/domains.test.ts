import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateDomainCommand,
  DeleteDomainCommand,
  DescribeDomainCommand,
  EvaluateSessionCommand,
  ListDomainsCommand,
  UpdateDomainCommand,
  type CreateDomainCommandInput,
  type DomainSummary,
} from '@aws-sdk/client-voice-id';
import { endpoints, kms, voiceId } from '../support/clients';
import { failure } from '../support/voice-id-errors';

const client = voiceId();
const keyArn = () => endpoints().defaultKmsKeyArn;
const domainInput = (overrides: Partial<CreateDomainCommandInput> = {}): CreateDomainCommandInput => ({
  Name: 'contact-centre',
  Description: 'Calls to the support line',
  ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() },
  ...overrides,
});

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

    const described = await client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId }));
    expect(described.Domain).toEqual(Domain);
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
    const results = await Promise.all(
      Array.from({ length: 5 }, () => client.send(new CreateDomainCommand(domainInput({ ClientToken })))),
    );
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
    ['an unknown KMS key', { ServerSideEncryptionConfiguration: { KmsKeyId: 'alias/does-not-exist' } }, /KMS key alias\/does-not-exist does not exist/],
    ['a ClientToken with bad characters', { ClientToken: 'bad token!' }, /ClientToken may contain only/],
    ['a ClientToken over 64 characters', { ClientToken: 'x'.repeat(65) }, /ClientToken must be at most 64/],
    ['201 tags', { Tags: Array.from({ length: 201 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, /at most 200 tags/],
    ['a repeated tag Key', { Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }, /must not repeat a Key/],
    ['an empty tag Key', { Tags: [{ Key: '', Value: '1' }] }, /Tag Key must be at least 1/],
    ['a tag Value over 256 characters', { Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }, /Tag Value must be at most 256/],
  ])('refuses %s with ValidationException and writes nothing', async (_label, overrides, message) => {
    const before = (await allDomains()).length;
    const error = await failure(client.send(new CreateDomainCommand(domainInput(overrides as Partial<CreateDomainCommandInput>))));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
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
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.ResourceType).toBe('DOMAIN');
    expect(error.message).toMatch(/does not exist/);
  });
});

describe('UpdateDomain', () => {
  it('replaces every attribute: an omitted Description is removed', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput()));
    const { Domain: updated } = await client.send(
      new UpdateDomainCommand({
        DomainId: Domain!.DomainId,
        Name: 'renamed',
        ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() },
      }),
    );
    expect(updated).toMatchObject({ Name: 'renamed', DomainId: Domain!.DomainId });
    expect(updated!.Description).toBeUndefined();
    expect(updated!.ServerSideEncryptionUpdateDetails).toBeUndefined();
    expect(updated!.UpdatedAt!.getTime()).toBeGreaterThan(Domain!.UpdatedAt!.getTime());
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
    expect(updated!.ServerSideEncryptionUpdateDetails).toEqual({ OldKmsKeyId: keyArn(), UpdateStatus: 'COMPLETED' });
  });

  it('refuses a bad update and leaves the domain as it was', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput()));
    const attempts = [
      { Name: 'bad name', ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } },
      { Name: 'ok', ServerSideEncryptionConfiguration: { KmsKeyId: 'alias/missing' } },
    ];
    for (const attempt of attempts) {
      const error = await failure(client.send(new UpdateDomainCommand({ DomainId: Domain!.DomainId, ...attempt })));
      expect(error.name).toBe('ValidationException');
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

  it('never loses an update to a racing one: each either lands or gets CONCURRENT_CHANGES', async () => {
    const { Domain } = await client.send(new CreateDomainCommand(domainInput()));
    const names = Array.from({ length: 6 }, (_, i) => `racer-${i}`);
    const outcomes = await Promise.allSettled(
      names.map((Name) =>
        client.send(
          new UpdateDomainCommand({ DomainId: Domain!.DomainId, Name, ServerSideEncryptionConfiguration: { KmsKeyId: keyArn() } }),
        ),
      ),
    );
    const landed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.Domain!] : []));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason.name).toBe('ConflictException');
        expect(outcome.reason.ConflictType).toBe('CONCURRENT_CHANGES');
      }
    }
    expect(landed.length).toBeGreaterThan(0);
    const final = (await client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId }))).Domain!;
    const latest = landed.reduce((a, b) => (a.UpdatedAt! >= b.UpdatedAt! ? a : b));
    expect(final.Name).toBe(latest.Name);
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

describe('ListDomains', () => {
  it('pages through more domains than a page holds, each exactly once', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.send(new CreateDomainCommand(domainInput({ Name: `paged-${i}` })))),
    );
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListDomainsCommand({ MaxResults: 5, NextToken }));
      expect(page.DomainSummaries!.length).toBeLessThanOrEqual(5);
      seen.push(...page.DomainSummaries!.map((d) => d.DomainId!));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    for (const { Domain } of created) expect(seen).toContain(Domain!.DomainId);
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

describe('operations not built yet', () => {
  it('answer with a typed Voice ID error that says so', async () => {
    const error = await failure(client.send(new EvaluateSessionCommand({ DomainId: 'a'.repeat(22), SessionNameOrId: 'call-1' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/EvaluateSession .* not implemented in this release/);
  });
});
