import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateDomainCommand,
  DescribeDomainCommand,
  type Domain,
  EvaluateSessionCommand,
  UpdateDomainCommand,
} from '@aws-sdk/client-voice-id';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionClient } from '#connectors/session-client';
import type { ServiceContext } from '#context';
import { operationsByName } from '#operations/index';
import { call, callAudio, sessions } from '#test/support/calls';
import { kms, serviceContext, serviceTables, voiceId } from '#test/support/clients';
import { failure, retryingConcurrentChanges } from '#test/support/voice-id-errors';

/**
 * UpdateDomain with a new KMS key (README "Your KMS keys"): new data is sealed under the new key at once, and a run
 * of the re-encryption state machine re-seals every voiceprint and session stream still under the old key, while
 * enrollment and evaluation go on; afterwards the old key can be disabled. Real speech (LibriSpeech test-other),
 * the official SDK, and each test's own keys (disabling the stack's default key would break other suites).
 */
describe('KMS key changes', () => {
  const client = voiceId();
  let calls: SessionClient;

  const newKey = async (Description: string) => (await kms().send(new CreateKeyCommand({ Description }))).KeyMetadata!;
  const describeDomain = async (DomainId: string) => (await client.send(new DescribeDomainCommand({ DomainId }))).Domain!;
  const updateKey = (domain: Domain, KmsKeyId: string, Name = domain.Name) =>
    client.send(new UpdateDomainCommand({ DomainId: domain.DomainId, Name, ServerSideEncryptionConfiguration: { KmsKeyId } }));

  /** The domain once its re-encryption has ended. */
  async function reEncrypted(DomainId: string): Promise<Domain> {
    for (let i = 0; i < 600; i++) {
      const domain = await describeDomain(DomainId);
      if (domain.ServerSideEncryptionUpdateDetails?.UpdateStatus !== 'IN_PROGRESS') return domain;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`The re-encryption of ${DomainId} did not end within 60 s.`);
  }

  /** A domain under `kmsKeyId` with an enrolled speaker (customer-a) and a registered fraudster, from real calls. */
  async function domainWithData(name: string, kmsKeyId: string) {
    const { Domain } = await client.send(
      new CreateDomainCommand({ Name: name, ServerSideEncryptionConfiguration: { KmsKeyId: kmsKeyId } }),
    );
    const DomainId = Domain!.DomainId!;
    const enrollment = await call(calls, DomainId, callAudio('spk1688', 44), { SpeakerId: 'customer-a' });
    await calls.call('EnrollSessionSpeaker', { DomainId, SessionNameOrId: enrollment.session.SessionId });
    const registration = await call(calls, DomainId, callAudio('spk1998', 44));
    await calls.call('RegisterSessionFraudster', { DomainId, SessionNameOrId: registration.session.SessionId });
    return Domain!;
  }

  /** The genuine caller is accepted and the fraudster flagged, on new calls. */
  async function evaluationsWork(DomainId: string) {
    const genuine = await call(calls, DomainId, callAudio('spk1688', 20, 6), { SpeakerId: 'customer-a' });
    const fraud = await call(calls, DomainId, callAudio('spk1998', 25, 5));
    const [accepted, flagged] = await Promise.all([
      client.send(new EvaluateSessionCommand({ DomainId, SessionNameOrId: genuine.session.SessionId })),
      client.send(new EvaluateSessionCommand({ DomainId, SessionNameOrId: fraud.session.SessionId })),
    ]);
    expect(accepted.AuthenticationResult!.Decision).toBe('ACCEPT');
    expect(flagged.FraudDetectionResult!.Decision).toBe('HIGH_RISK');
  }

  /** The key of every voiceprint and session stream of a domain, read raw: the recorded ARN and the wrapped key's. */
  async function sealedUnder(DomainId: string): Promise<{ voiceprints: string[]; streams: string[] }> {
    const { client: raw, names } = await serviceTables();
    const keyOf = (sealed: { kmsKeyArn: string; wrappedKey: Uint8Array }) => {
      // The local KMS's ciphertext blob starts with the id of the key that wrapped it.
      const wrappedBy = Buffer.from(sealed.wrappedKey).subarray(0, 36).toString();
      expect(sealed.kmsKeyArn.endsWith(`key/${wrappedBy}`)).toBe(true);
      return sealed.kmsKeyArn;
    };
    const query = async (TableName: string) =>
      (
        await raw.send(
          new QueryCommand({ TableName, KeyConditionExpression: 'domainId = :d', ExpressionAttributeValues: { ':d': DomainId } }),
        )
      ).Items ?? [];
    const voiceprints = (await query(names.voiceprints)).map((item) => keyOf(item as { kmsKeyArn: string; wrappedKey: Uint8Array }));
    const streams = (await query(names.sessions))
      .filter((item) => item.stream)
      .map((item) => keyOf(item.stream as { kmsKeyArn: string; wrappedKey: Uint8Array }));
    return { voiceprints, streams };
  }

  beforeAll(async () => {
    calls = await sessions();
  });

  it('re-encrypts every voiceprint and session stream under the new key while evaluations keep working; then the old key can go', async () => {
    const [keyA, keyB] = [await newKey('rotation: old key'), await newKey('rotation: new key')];
    const domain = await domainWithData('rotation', keyA.Arn!);
    const before = await sealedUnder(domain.DomainId!);
    expect(before.voiceprints).toHaveLength(2);
    expect(new Set([...before.voiceprints, ...before.streams])).toEqual(new Set([keyA.Arn]));

    const { Domain: updated } = await updateKey(domain, keyB.Arn!);
    expect(updated!.ServerSideEncryptionConfiguration!.KmsKeyId).toBe(keyB.Arn);
    expect(updated!.ServerSideEncryptionUpdateDetails).toEqual({ OldKmsKeyId: keyA.Arn, UpdateStatus: 'IN_PROGRESS' });
    // Evaluations while it runs (they open what is still under the old key with the key it records).
    const [done] = await Promise.all([reEncrypted(domain.DomainId!), evaluationsWork(domain.DomainId!)]);
    expect(done.ServerSideEncryptionUpdateDetails).toEqual({ OldKmsKeyId: keyA.Arn, UpdateStatus: 'COMPLETED' });

    const after = await sealedUnder(domain.DomainId!);
    expect(after.voiceprints).toHaveLength(2);
    expect(after.streams.length).toBeGreaterThanOrEqual(before.streams.length);
    expect(new Set([...after.voiceprints, ...after.streams])).toEqual(new Set([keyB.Arn]));

    await kms().send(new DisableKeyCommand({ KeyId: keyA.KeyId }));
    await evaluationsWork(domain.DomainId!);
  }, 240_000);

  it('while the run is IN_PROGRESS: refuses another key change, allows other changes, and evaluates and enrolls on', async () => {
    const [keyA, keyB, keyC] = [await newKey('lock: old key'), await newKey('lock: new key'), await newKey('lock: third key')];
    const domain = await domainWithData('rotation-lock', keyA.Arn!);
    // UpdateDomain as the API runs it, with the run held back, so that the domain stays IN_PROGRESS for this test.
    const ctx = await serviceContext();
    const held: Parameters<ServiceContext['reEncryptions']['start']>[] = [];
    const holding = {
      ...ctx,
      reEncryptions: { start: (...args: Parameters<ServiceContext['reEncryptions']['start']>) => Promise.resolve(void held.push(args)) },
    };
    await operationsByName
      .get('UpdateDomain')!
      .call({ DomainId: domain.DomainId, Name: domain.Name, ServerSideEncryptionConfiguration: { KmsKeyId: keyB.Arn } }, holding);
    expect(held).toHaveLength(1);
    expect((await describeDomain(domain.DomainId!)).ServerSideEncryptionUpdateDetails).toEqual({
      OldKmsKeyId: keyA.Arn,
      UpdateStatus: 'IN_PROGRESS',
    });

    const refused = await failure(updateKey(domain, keyC.Arn!));
    expect(refused.name).toBe('ConflictException');
    expect(refused.ConflictType).toBe('DOMAIN_LOCKED_FROM_ENCRYPTION_UPDATES');
    expect(refused.message).toMatch(/ServerSideEncryptionUpdateDetails\.UpdateStatus COMPLETED/);
    const { Domain: renamed } = await updateKey(domain, keyB.Arn!, 'rotation-lock-renamed');
    expect(renamed).toMatchObject({ Name: 'rotation-lock-renamed', ServerSideEncryptionUpdateDetails: { UpdateStatus: 'IN_PROGRESS' } });

    // Old data opens with the key it records; new data is sealed under the new key.
    await evaluationsWork(domain.DomainId!);
    const mixed = await sealedUnder(domain.DomainId!);
    expect(new Set(mixed.voiceprints)).toEqual(new Set([keyA.Arn]));
    expect(new Set(mixed.streams)).toEqual(new Set([keyA.Arn, keyB.Arn]));

    // The held run, started as the API would have, completes it.
    await ctx.reEncryptions.start(...held[0]);
    expect((await reEncrypted(domain.DomainId!)).ServerSideEncryptionUpdateDetails).toEqual({
      OldKmsKeyId: keyA.Arn,
      UpdateStatus: 'COMPLETED',
    });
    const after = await sealedUnder(domain.DomainId!);
    expect(new Set([...after.voiceprints, ...after.streams])).toEqual(new Set([keyB.Arn]));
    // Now the key may change again.
    const { Domain: next } = await retryingConcurrentChanges(() => updateKey(domain, keyC.Arn!, 'rotation-lock-renamed'));
    expect(next!.ServerSideEncryptionUpdateDetails).toEqual({ OldKmsKeyId: keyB.Arn, UpdateStatus: 'IN_PROGRESS' });
    expect((await reEncrypted(domain.DomainId!)).ServerSideEncryptionUpdateDetails!.UpdateStatus).toBe('COMPLETED');
  }, 240_000);

  it('ends FAILED, naming the key and the refused action, when the old key refuses Decrypt; the same key again resumes it', async () => {
    const [keyA, keyB] = [await newKey('failure: old key'), await newKey('failure: new key')];
    const domain = await domainWithData('rotation-failure', keyA.Arn!);
    await kms().send(new DisableKeyCommand({ KeyId: keyA.KeyId }));
    await updateKey(domain, keyB.Arn!);
    const failed = (await reEncrypted(domain.DomainId!)).ServerSideEncryptionUpdateDetails!;
    expect(failed).toMatchObject({ OldKmsKeyId: keyA.Arn, UpdateStatus: 'FAILED' });
    expect(failed.Message).toContain(`KMS refused kms:Decrypt on the key ${keyA.Arn} (DisabledException)`);
    expect(failed.Message).toContain(`call UpdateDomain again with KmsKeyId ${keyB.Arn} to resume`);

    await kms().send(new EnableKeyCommand({ KeyId: keyA.KeyId }));
    const { Domain: resumed } = await retryingConcurrentChanges(() => updateKey(domain, keyB.Arn!));
    expect(resumed!.ServerSideEncryptionUpdateDetails).toEqual({ OldKmsKeyId: keyA.Arn, UpdateStatus: 'IN_PROGRESS' });
    expect((await reEncrypted(domain.DomainId!)).ServerSideEncryptionUpdateDetails).toEqual({
      OldKmsKeyId: keyA.Arn,
      UpdateStatus: 'COMPLETED',
    });
    const after = await sealedUnder(domain.DomainId!);
    expect(new Set([...after.voiceprints, ...after.streams])).toEqual(new Set([keyB.Arn]));
    await kms().send(new DisableKeyCommand({ KeyId: keyA.KeyId }));
    await evaluationsWork(domain.DomainId!);
  }, 240_000);
});
