import { ValidationException } from '#api-model/errors';
import type { Needs } from '#context';

/**
 * Checks the KMS key a domain is to be given (CreateDomain, UpdateDomain): one the service can encrypt and decrypt
 * with and, when the deployment lists the keys domains may use, one of those. Without a list, any key the
 * service's role may describe would do, including keys other teams of the account keep for their own data.
 */
export async function requireDomainKey(ctx: Needs<'accountId' | 'domainKmsKeys' | 'encryptionKeys' | 'region'>, kmsKeyId: string) {
  const keyArn = await ctx.encryptionKeys.requireUsable(kmsKeyId);
  if (!ctx.domainKmsKeys.length) return;
  const alias = aliasName(ctx, kmsKeyId);
  const allowed = ctx.domainKmsKeys.some((entry) =>
    !entry.startsWith('alias/') ? entry === keyArn : entry.endsWith('*') ? alias?.startsWith(entry.slice(0, -1)) : alias === entry,
  );
  if (!allowed) {
    throw new ValidationException(
      `The KMS key ${kmsKeyId} is not one this deployment's domains may use. Give one of ${ctx.domainKmsKeys.join(', ')} (an alias entry ending in * allows every alias it begins), or ask the operator to add the key to the stack parameter domainKmsKeys.`,
    );
  }
}

/** `alias/name` of a KmsKeyId that names an alias of this account and region, by name or ARN; else undefined. */
function aliasName(ctx: Needs<'accountId' | 'region'>, kmsKeyId: string): string | undefined {
  if (kmsKeyId.startsWith('alias/')) return kmsKeyId;
  const [, region, account, name] = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(kmsKeyId) ?? [];
  return region === ctx.region && account === ctx.accountId ? name : undefined;
}
