import { z } from 'zod';
import { resourceArn, tagKeyList } from '#api-model/validation';
import { domainOfArn } from '#rules/tags';
import { defineOperation } from './operation.ts';

const UntagResourceInput = z.object({ ResourceArn: resourceArn, TagKeys: tagKeyList });

/** Removes tags from a domain; keys it does not have are ignored. */
export default defineOperation({
  name: 'UntagResource',
  input: UntagResourceInput,
  route: { method: 'DELETE', path: '/tags', summary: 'Remove tags from a domain', query: { ResourceArn: 'string', TagKeys: 'list' } },
  uses: ['accountId', 'domains', 'region'],
  async run(request, ctx) {
    const domain = await domainOfArn(ctx, request.ResourceArn);
    const removed = new Set(request.TagKeys);
    await ctx.domains.replaceTags(domain, Object.fromEntries(Object.entries(domain.tags).filter(([key]) => !removed.has(key))));
    return {};
  },
});
