import { z } from 'zod';
import { ValidationException } from '#api-model/errors';
import { resourceArn, tagList } from '#api-model/validation';
import { domainOfArn } from '#rules/tags';
import { defineOperation } from './operation.ts';

const TagResourceInput = z.object({ ResourceArn: resourceArn, Tags: tagList });

const MAX_TAGS = 200;

/** Adds tags to a domain, replacing the values of keys it already has. */
export default defineOperation({
  name: 'TagResource',
  input: TagResourceInput,
  route: { method: 'POST', path: '/tags', summary: 'Tag a domain' },
  uses: ['accountId', 'domains', 'region'],
  async run(request, ctx) {
    const domain = await domainOfArn(ctx, request.ResourceArn);
    const tags = { ...domain.tags, ...Object.fromEntries(request.Tags.map((tag) => [tag.Key, tag.Value])) };
    if (Object.keys(tags).length > MAX_TAGS) {
      throw new ValidationException(
        `A domain can have at most ${MAX_TAGS} tags; this request would give it ${Object.keys(tags).length}. Remove some first.`,
      );
    }
    await ctx.domains.replaceTags(domain, tags);
    return {};
  },
});
