import { z } from 'zod';
import { asOf, presentSpeaker } from '#api-model/speaker';
import { maxResults, nextToken, resourceId } from '#api-model/validation';
import { listPage } from '#rules/paging';
import { defineOperation, page } from './operation.ts';

const ListSpeakersInput = z.object({
  DomainId: resourceId('DomainId'),
  MaxResults: maxResults(100).optional(),
  NextToken: nextToken.optional(),
});

export default defineOperation({
  name: 'ListSpeakers',
  input: ListSpeakersInput,
  route: { method: 'GET', path: '/domains/{DomainId}/speakers', summary: 'List speakers', query: page },
  uses: ['domains', 'now', 'pageTokens', 'speakerExpiryMs', 'speakers'],
  async run(request, ctx) {
    await ctx.domains.require(request.DomainId);
    const now = ctx.now();
    const { items, NextToken } = await listPage(
      ctx,
      `ListSpeakers/${request.DomainId}`,
      request,
      100,
      (limit, start) => ctx.speakers.list(request.DomainId, limit, start),
      (speaker) => presentSpeaker(asOf(speaker, now, ctx.speakerExpiryMs)),
    );
    return { SpeakerSummaries: items, NextToken };
  },
});
