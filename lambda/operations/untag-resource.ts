import { z } from 'zod';
import { parseInput, resourceArn, tagKeyList } from '#api-model/validation';
import type { OperationContext } from './context.ts';
import { domainOfArn } from './tags.ts';

export const UntagResourceInput = z.object({ ResourceArn: resourceArn, TagKeys: tagKeyList });

/** Removes tags from a domain; keys it does not have are ignored. */
export async function untagResource(input: unknown, ctx: OperationContext) {
  const request = parseInput(UntagResourceInput, input);
  const domain = await domainOfArn(ctx, request.ResourceArn);
  const removed = new Set(request.TagKeys);
  await ctx.domains.replaceTags(domain, Object.fromEntries(Object.entries(domain.tags).filter(([key]) => !removed.has(key))));
  return {};
}
