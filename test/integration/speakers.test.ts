import { DeleteSpeakerCommand, DescribeSpeakerCommand, ListSpeakersCommand, OptOutSpeakerCommand } from '@aws-sdk/client-voice-id';
import type { SpeakerRecord } from '#api-model/speaker';
import { serviceContext, voiceId } from '#test/support/clients';
import { enrolledSpeakerRecord } from '#test/support/speaker-record';
import { failure, newDomain } from '#test/support/voice-id-errors';

const client = voiceId();

/** Speakers are enrolled by sessions and batch jobs; until those exist, tests enroll through the store. */
async function enrollThroughStore(domainId: string, customerSpeakerId: string, lastAccessedAt = Date.now()): Promise<SpeakerRecord> {
  const ctx = await serviceContext();
  const speaker = enrolledSpeakerRecord(domainId, customerSpeakerId, lastAccessedAt);
  await ctx.speakers.create(speaker, ctx.quotas.speakersPerDomain);
  return speaker;
}

describe('speakers', () => {
  it('are found by GeneratedSpeakerId or CustomerSpeakerId, with LastAccessedAt to the hour', async () => {
    const domain = await newDomain();
    const accessed = Date.UTC(2026, 10, 20, 14, 37, 12);
    const speaker = await enrollThroughStore(domain.DomainId!, 'caller-1001', accessed);
    for (const SpeakerId of [speaker.speakerId, 'caller-1001']) {
      const { Speaker } = await client.send(new DescribeSpeakerCommand({ DomainId: domain.DomainId, SpeakerId }));
      expect(Speaker).toMatchObject({
        DomainId: domain.DomainId,
        GeneratedSpeakerId: speaker.speakerId,
        CustomerSpeakerId: 'caller-1001',
        Status: 'ENROLLED',
      });
      expect(Speaker!.LastAccessedAt!.toISOString()).toBe('2026-11-20T14:00:00.000Z');
    }
  });

  it('opt out: an enrolled speaker becomes OPTED_OUT, and an unknown caller gets an OPTED_OUT record', async () => {
    const domain = await newDomain();
    const speaker = await enrollThroughStore(domain.DomainId!, 'caller-2002');
    const before = Date.now();
    const { Speaker: optedOut } = await client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'caller-2002' }));
    const after = Date.now();
    expect(optedOut).toMatchObject({
      DomainId: domain.DomainId,
      GeneratedSpeakerId: speaker.speakerId,
      CustomerSpeakerId: 'caller-2002',
      Status: 'OPTED_OUT',
      CreatedAt: new Date(speaker.createdAt),
      // Opting out is not an access.
      LastAccessedAt: new Date(Math.floor(speaker.lastAccessedAt! / 3_600_000) * 3_600_000),
    });
    // Changed now, and later than any change before.
    expect(optedOut!.UpdatedAt!.getTime()).toBeGreaterThanOrEqual(Math.max(before, speaker.updatedAt + 1));
    expect(optedOut!.UpdatedAt!.getTime()).toBeLessThanOrEqual(Math.max(after, speaker.updatedAt + 1));
    expect((await client.send(new DescribeSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: speaker.speakerId }))).Speaker).toEqual(
      optedOut,
    );
    // Opting out again changes nothing.
    const again = await client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: speaker.speakerId }));
    expect(again.Speaker).toEqual(optedOut);

    const { Speaker: stranger } = await client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'never-seen' }));
    expect(stranger).toMatchObject({ DomainId: domain.DomainId, CustomerSpeakerId: 'never-seen', Status: 'OPTED_OUT' });
    expect(stranger!.GeneratedSpeakerId).toMatch(/^id#[a-zA-Z0-9]{22}$/);
    expect(stranger!.UpdatedAt).toEqual(stranger!.CreatedAt);
    expect(stranger!.LastAccessedAt).toBeUndefined();
    for (const SpeakerId of ['never-seen', stranger!.GeneratedSpeakerId]) {
      expect((await client.send(new DescribeSpeakerCommand({ DomainId: domain.DomainId, SpeakerId }))).Speaker).toEqual(stranger);
    }

    const unknownGenerated = await failure(
      client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: `id#${'u'.repeat(22)}` })),
    );
    expect(unknownGenerated).toMatchObject({
      name: 'ResourceNotFoundException',
      ResourceType: 'SPEAKER',
      message: `The speaker id#${'u'.repeat(22)} does not exist in this domain. Check the SpeakerId.`,
    });
  });

  it('delete removes the speaker and frees its CustomerSpeakerId', async () => {
    const domain = await newDomain();
    const speaker = await enrollThroughStore(domain.DomainId!, 'caller-3003');
    await client.send(new DeleteSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'caller-3003' }));
    for (const SpeakerId of ['caller-3003', speaker.speakerId]) {
      const error = await failure(client.send(new DescribeSpeakerCommand({ DomainId: domain.DomainId, SpeakerId })));
      expect(error).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'SPEAKER' });
    }
    const again = await failure(client.send(new DeleteSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'caller-3003' })));
    expect(again.name).toBe('ResourceNotFoundException');
    const reenrolled = await enrollThroughStore(domain.DomainId!, 'caller-3003');
    expect(reenrolled.speakerId).not.toBe(speaker.speakerId);
  });

  it('by CustomerSpeakerId, names the speaker who has it now: never one deleted since it was last looked up', async () => {
    const domain = await newDomain();
    const describe = (SpeakerId: string) => client.send(new DescribeSpeakerCommand({ DomainId: domain.DomainId, SpeakerId }));
    const first = await enrollThroughStore(domain.DomainId!, 'caller-5005');
    expect((await describe('caller-5005')).Speaker!.GeneratedSpeakerId).toBe(first.speakerId);
    await client.send(new DeleteSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: first.speakerId }));
    const second = await enrollThroughStore(domain.DomainId!, 'caller-5005');
    expect((await describe('caller-5005')).Speaker!.GeneratedSpeakerId).toBe(second.speakerId);
    await client.send(new DeleteSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: second.speakerId }));
    expect(await failure(describe('caller-5005'))).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'SPEAKER' });
  });

  it('refuses a second speaker with the same CustomerSpeakerId', async () => {
    const domain = await newDomain();
    await enrollThroughStore(domain.DomainId!, 'caller-4004');
    await expect(enrollThroughStore(domain.DomainId!, 'caller-4004')).rejects.toMatchObject({
      name: 'ConflictException',
      conflictType: 'CONCURRENT_CHANGES',
      message: 'The speaker caller-4004 was changed by another request while this one ran. Describe it and try again.',
    });
    expect((await client.send(new ListSpeakersCommand({ DomainId: domain.DomainId }))).SpeakerSummaries).toHaveLength(1);
  });

  it('lists speakers page by page and enforces the speakers-per-domain quota', async () => {
    const domain = await newDomain();
    for (let i = 0; i < 4; i++) await enrollThroughStore(domain.DomainId!, `paged-${i}`);
    await client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'paged-opt-out' }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListSpeakersCommand({ DomainId: domain.DomainId, MaxResults: 2, NextToken }));
      seen.push(...page.SpeakerSummaries!.map((s) => s.CustomerSpeakerId!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen.sort()).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-opt-out']);

    const error = await failure(client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'sixth' })));
    expect(error).toMatchObject({
      name: 'ServiceQuotaExceededException',
      message: 'The quota of 5 speakers per domain is reached. Delete some first, or raise the quota in the service configuration.',
      $metadata: { httpStatusCode: 402 },
    });
    const notCreated = await failure(client.send(new DescribeSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'sixth' })));
    expect(notCreated.name).toBe('ResourceNotFoundException');
    // Deleting a speaker frees its place.
    await client.send(new DeleteSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'paged-0' }));
    await client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'sixth' }));
    expect(await failure(client.send(new OptOutSpeakerCommand({ DomainId: domain.DomainId, SpeakerId: 'seventh' })))).toMatchObject({
      name: 'ServiceQuotaExceededException',
    });
  });

  it.each([
    ['a SpeakerId with a space', 'has space', /SpeakerId must be a GeneratedSpeakerId/],
    ['a SpeakerId over 256 characters', 's'.repeat(257), /SpeakerId must be at most 256/],
    ['a malformed generated id', 'id#short', /SpeakerId must be a GeneratedSpeakerId/],
  ])('refuses %s', async (_label, SpeakerId, message) => {
    const domain = await newDomain();
    const error = await failure(client.send(new DescribeSpeakerCommand({ DomainId: domain.DomainId, SpeakerId })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
  });

  it('answers speakers of an unknown domain with DOMAIN not found', async () => {
    const error = await failure(client.send(new ListSpeakersCommand({ DomainId: 'n'.repeat(22) })));
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'DOMAIN' });
  });
});
