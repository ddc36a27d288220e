import { z } from 'zod';
import { resourceArn } from '#api-model/validation';
import { domainOfArn } from '#rules/tags';
import { defineOperation } from './operation.ts';

const ListTagsForResourceInput = z.object({ ResourceArn: resourceArn });

export default defineOperation({
  name: 'ListTagsForResource',
  input: ListTagsForResourceInput,
  route: { method: 'GET', path: '/tags', summary: "List a domain's tags", query: { ResourceArn: 'string' } },
  uses: ['accountId', 'domains', 'region'],
  async run(request, ctx) {
    const domain = await domainOfArn(ctx, request.ResourceArn);
    return { Tags: Object.entries(domain.tags).map(([Key, Value]) => ({ Key, Value })) };
  },
});
