import { ValidationException } from '#api-model/errors';
import type { DomainKey } from './domains.ts';

/** KMS refused to use a customer's key: which key, which action and KMS's reason, for the caller to fix. */
export class KmsKeyRefused extends ValidationException {
  constructor(
    readonly keyId: string,
    readonly action: string,
    readonly reason: string,
  ) {
    super(
      `KMS refused kms:${action} on the domain's key ${keyId} (${reason}). Enable the key and allow this service to use it in the key policy (README, "Your KMS keys").`,
    );
  }
}

/** Checks of a customer's KMS key before a domain is given it. */
export interface KeyChecks {
  /** Refuses (ValidationException) a key this service cannot encrypt and decrypt with; answers the key's ARN. */
  requireUsable(kmsKeyId: string): Promise<string>;
}

/** The domains' keys, for what spans stores: re-encryption asks which key ARN new values are sealed under. */
export interface DomainKeys {
  keyArn(domain: DomainKey): Promise<string>;
}

/** One page of a domain's values re-sealed under its current key (UpdateDomain with a new key). */
export interface ReEncryptedPage {
  /** Values of the page still under another key. */
  found: number;
  /** Of those, the ones re-sealed; the rest changed meanwhile (a newer write) and were left as they are. */
  resealed: number;
  /** Where the next page starts; absent after the last. */
  lastKey?: Record<string, unknown>;
}

/** A store whose values are sealed under their domain's key: voiceprints, session speech. */
export interface ReEncryptable {
  reEncryptPage(domain: DomainKey, keyArn: string, startKey?: Record<string, unknown>): Promise<ReEncryptedPage>;
}

/** The domain and the key its data is being moved to. */
export interface ReEncryptionTarget {
  domainId: string;
  kmsKeyId: string;
}

/** Runs of the state machine that re-encrypts a domain's data after UpdateDomain changed its key. */
export interface ReEncryptionRuns {
  start(target: ReEncryptionTarget, name: string): Promise<void>;
}
