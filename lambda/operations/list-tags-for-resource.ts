import { z } from 'zod';
import { parseInput, resourceArn } from '#api-model/validation';
import type { OperationContext } from './context.ts';
import { domainOfArn } from './tags.ts';

export const ListTagsForResourceInput = z.object({ ResourceArn: resourceArn });

export async function listTagsForResource(input: unknown, ctx: OperationContext) {
  const request = parseInput(ListTagsForResourceInput, input);
  const domain = await domainOfArn(ctx, request.ResourceArn);
  return { Tags: Object.entries(domain.tags).map(([Key, Value]) => ({ Key, Value })) };
}
