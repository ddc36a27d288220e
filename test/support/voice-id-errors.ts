import { CreateDomainCommand } from '@aws-sdk/client-voice-id';
import { endpoints, voiceId } from './clients';

/** The error a call fails with, for asserting on its Voice ID shape. */
export async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
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
