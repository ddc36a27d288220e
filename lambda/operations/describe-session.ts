import { presentSession } from '#api-model/session';
import { sessionInput } from '#api-model/validation';
import { openSession } from '#rules/sessions';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeSession',
  input: sessionInput,
  route: { method: 'GET', path: '/domains/{DomainId}/sessions/{SessionNameOrId}', summary: 'Describe a session' },
  uses: ['now', 'sessions'],
  async run({ DomainId, SessionNameOrId }, ctx) {
    const { session } = await openSession(ctx, DomainId, SessionNameOrId);
    return { Session: presentSession(session, ctx.now()) };
  },
});
