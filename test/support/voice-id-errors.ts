import { CreateDomainCommand } from '@aws-sdk/client-voice-id';
import { endpoints, voiceId } from './clients.ts';

/** A Voice ID error as the official client raises it. */
export interface VoiceIdFailure extends Error {
  $metadata?: { httpStatusCode?: number };
  ResourceType?: string;
  ConflictType?: string;
}

/** The error a call fails with, for asserting on its Voice ID shape. */
export async function failure(promise: Promise<unknown>): Promise<VoiceIdFailure> {
  try {
    await promise;
  } catch (error) {
    return error as VoiceIdFailure;
  }
  throw new Error('The call succeeded but was expected to fail.');
}

/** A new domain for a test, with the embedded stack's default key. */
export async function newDomain(Name = 'test-domain') {
  const { Domain } = await voiceId().send(
    new CreateDomainCommand({ Name, ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } }),
  );
  return Domain!;
}

/** Calls `call` until it is not refused with CONCURRENT_CHANGES, as a client following Voice ID's advice does. */
export async function retryingConcurrentChanges<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((error as { ConflictType?: string }).ConflictType !== 'CONCURRENT_CHANGES' || attempt === 20) throw error;
    }
  }
}
