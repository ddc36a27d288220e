import { z } from 'zod';
import { presentSpeaker } from '#api-model/speaker';
import { maxResults, nextToken, parseInput, resourceId } from '#api-model/validation';
import type { OperationContext } from './context.ts';
import { listPage } from './paging.ts';

export const ListSpeakersInput = z.object({
  DomainId: resourceId('DomainId'),
  MaxResults: maxResults(100).optional(),
  NextToken: nextToken.optional(),
});

export async function listSpeakers(input: unknown, ctx: OperationContext) {
  const request = parseInput(ListSpeakersInput, input);
  await ctx.domains.require(request.DomainId);
  const { items, NextToken } = await listPage(
    ctx,
    `ListSpeakers/${request.DomainId}`,
    request,
    100,
    (limit, start) => ctx.speakers.list(request.DomainId, limit, start),
    presentSpeaker,
  );
  return { SpeakerSummaries: items, NextToken };
}
