import {
  CreateDomainCommand,
  DeleteDomainCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-voice-id';
import { endpoints, http, voiceId } from '#test/support/clients';
import { failure, newDomain, retryingConcurrentChanges } from '#test/support/voice-id-errors';

const client = voiceId();

async function taggedDomain() {
  const { Domain } = await client.send(
    new CreateDomainCommand({
      Name: 'tagged',
      ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn },
      Tags: [{ Key: 'team', Value: 'fraud' }],
    }),
  );
  return Domain!.Arn!;
}

const tagsOf = async (ResourceArn: string): Promise<Record<string, string | undefined>> =>
  Object.fromEntries((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags!.map((t) => [t.Key!, t.Value] as const));

describe('tags', () => {
  it('are listed, added, overwritten and removed', async () => {
    const ResourceArn = await taggedDomain();
    expect(await tagsOf(ResourceArn)).toEqual({ team: 'fraud' });
    await client.send(
      new TagResourceCommand({
        ResourceArn,
        Tags: [
          { Key: 'team', Value: 'risk' },
          { Key: 'cost-centre', Value: '42' },
        ],
      }),
    );
    expect(await tagsOf(ResourceArn)).toEqual({ team: 'risk', 'cost-centre': '42' });
    await client.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['team', 'absent'] }));
    expect(await tagsOf(ResourceArn)).toEqual({ 'cost-centre': '42' });
  });

  it('are limited to 200 per domain, and a refused change leaves the tags as they were', async () => {
    const ResourceArn = await taggedDomain();
    await client.send(new TagResourceCommand({ ResourceArn, Tags: Array.from({ length: 199 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }));
    const error = await failure(client.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'one-more', Value: 'v' }] })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/at most 200 tags; this request would give it 201/);
    expect(Object.keys(await tagsOf(ResourceArn))).toHaveLength(200);
  });

  it('answer ARNs of no domain of this service, and malformed ARNs', async () => {
    const arn = await taggedDomain();
    const { DomainId } = await newDomain('tags-deleted');
    await client.send(new DeleteDomainCommand({ DomainId }));
    const deleted = arn.slice(0, arn.lastIndexOf('/') + 1) + DomainId!;
    const elsewhere = [
      arn.replace(':000000000000:', ':123456789012:'),
      arn.replace(':us-east-1:', ':eu-west-1:'),
      arn.replace('arn:aws:', 'arn:aws-cn:'),
      arn.slice(0, -22) + 'n'.repeat(22),
      deleted,
    ];
    for (const ResourceArn of elsewhere) {
      for (const call of [
        () => client.send(new ListTagsForResourceCommand({ ResourceArn })),
        () => client.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'k', Value: 'v' }] })),
        () => client.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['team'] })),
      ]) {
        expect(await failure(call())).toMatchObject({
          name: 'ResourceNotFoundException',
          ResourceType: 'DOMAIN',
          message: `No domain of this service has the ARN ${ResourceArn}. Check the ResourceArn.`,
        });
      }
    }
    expect(await tagsOf(arn)).toEqual({ team: 'fraud' });
    const malformed = await failure(client.send(new TagResourceCommand({ ResourceArn: 'arn:aws:s3:::bucket', Tags: [] })));
    expect(malformed.message).toMatch(/ResourceArn must be the ARN of a Voice ID domain/);
    const badKey = await failure(client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'bad;key', Value: 'v' }] })));
    expect(badKey.message).toMatch(/Tag Key may contain only/);
  });

  it('are never lost to a racing change: racing TagResource calls, each retried on CONCURRENT_CHANGES, all land', async () => {
    const ResourceArn = await taggedDomain();
    const keys = Array.from({ length: 6 }, (_, i) => `racer-${i}`);
    await Promise.all(
      keys.map((Key) => retryingConcurrentChanges(() => client.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key, Value: Key }] })))),
    );
    expect(await tagsOf(ResourceArn)).toEqual({ team: 'fraud', ...Object.fromEntries(keys.map((k) => [k, k])) });
    await Promise.all(
      keys
        .slice(0, 3)
        .map((Key) => retryingConcurrentChanges(() => client.send(new UntagResourceCommand({ ResourceArn, TagKeys: [Key] })))),
    );
    expect(await tagsOf(ResourceArn)).toEqual({ team: 'fraud', ...Object.fromEntries(keys.slice(3).map((k) => [k, k])) });
  });

  it('work over the REST routes, with repeated TagKeys in the query', async () => {
    const ResourceArn = await taggedDomain();
    await http('POST', '/tags', {
      body: {
        ResourceArn,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      },
    });
    const removed = await http('DELETE', `/tags?ResourceArn=${encodeURIComponent(ResourceArn)}&TagKeys=a&TagKeys=team`);
    expect(removed.status).toBe(200);
    const listed = await http<{ Tags: { Key: string; Value: string }[] }>('GET', `/tags?ResourceArn=${encodeURIComponent(ResourceArn)}`);
    expect(listed.body.Tags).toEqual([{ Key: 'b', Value: '2' }]);
  });

  it('are refused when a value was put before a signed TagKeys, as API Gateway refuses a changed query', async () => {
    const ResourceArn = await taggedDomain();
    const arn = encodeURIComponent(ResourceArn);
    const changed = await http('DELETE', `/tags?ResourceArn=${arn}&TagKeys=team`, {
      tamperedQuery: `ResourceArn=${arn}&TagKeys=cost-centre&TagKeys=team`,
    });
    expect(changed.status).toBe(403);
    expect(changed.body).toMatchObject({ __type: 'AccessDeniedException' });
  });
});
