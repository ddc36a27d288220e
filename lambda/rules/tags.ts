import { type DomainRecord, domainArn } from '#api-model/domain';
import { ResourceNotFoundException } from '#api-model/errors';
import type { Needs } from '#context';

/** The domain a tagging ARN names. Only domains are taggable, and only this deployment's (its region and account). */
export async function domainOfArn(ctx: Needs<'accountId' | 'domains' | 'region'>, arn: string): Promise<DomainRecord> {
  const domainId = arn.slice(arn.lastIndexOf('/') + 1);
  const domain = arn === domainArn(ctx.region, ctx.accountId, domainId) ? await ctx.domains.get(domainId) : undefined;
  if (!domain) {
    throw new ResourceNotFoundException('DOMAIN', `No domain of this service has the ARN ${arn}. Check the ResourceArn.`);
  }
  return domain;
}
