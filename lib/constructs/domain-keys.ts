import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';

/** Voice ID's encryption context key; its value is the domain's ARN (lambda/store/envelope.ts). */
export const DOMAIN_ENCRYPTION_CONTEXT_KEY = 'aws:voiceid:domain:arn';

/**
 * Each domain names its own customer-managed KMS key, unknown when the stack is deployed, so the grant covers the
 * account's keys but only for this service's domains: data keys may be generated and opened only with the
 * encryption context of one of this deployment's domain ARNs. The key's own policy must allow the same (README
 * "Your KMS keys"); a key whose policy does not is refused at CreateDomain/UpdateDomain.
 */
export function grantDomainKeyUse(fn: IFunction, use: { check: boolean; encrypt: boolean; decrypt: boolean }): void {
  // Pseudo parameters rather than the stack's env, so the policy reads the same in every account and region.
  const keys = `arn:${Aws.PARTITION}:kms:${Aws.REGION}:${Aws.ACCOUNT_ID}:key/*`;
  if (use.check) {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:DescribeKey'], resources: [keys] }));
  }
  const actions = [...(use.encrypt ? ['kms:GenerateDataKey'] : []), ...(use.decrypt ? ['kms:Decrypt'] : [])];
  if (!actions.length) return;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions,
      resources: [keys],
      conditions: {
        StringLike: {
          [`kms:EncryptionContext:${DOMAIN_ENCRYPTION_CONTEXT_KEY}`]: `arn:aws:voiceid:${Aws.REGION}:${Aws.ACCOUNT_ID}:domain/*`,
        },
      },
    }),
  );
}
