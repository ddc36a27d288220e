import { z } from 'zod';
import { fraudsterAudit } from '#api-model/audit-event';
import { presentFraudster } from '#api-model/fraudster';
import { resourceId, sessionNameOrId } from '#api-model/validation';
import { registerFraudster } from '#rules/enrollment';
import { sessionVoiceprint } from '#rules/session-voiceprint';
import { openSession } from '#rules/sessions';
import { defineOperation } from './operation.ts';

const RegisterSessionFraudsterInput = z.object({
  DomainId: resourceId('DomainId'),
  SessionNameOrId: sessionNameOrId,
  WatchlistIds: z
    .array(resourceId('WatchlistId'), { error: 'WatchlistIds must be a list of WatchlistIds.' })
    .min(1, 'WatchlistIds must name at least one watchlist.')
    .max(3, 'WatchlistIds may name at most 3 watchlists.')
    .optional(),
});

/**
 * Registers the session's caller as a fraudster, for a fraud team that confirmed a fraud call afterwards (Voice
 * ID offered this only as a batch job over recordings). The voiceprint comes from the session's speech (30 s of it);
 * the fraudster goes on the watchlists given, else on the domain's default watchlist.
 */
export default defineOperation({
  name: 'RegisterSessionFraudster',
  input: RegisterSessionFraudsterInput,
  route: {
    method: 'POST',
    path: '/domains/{DomainId}/sessions/{SessionNameOrId}/fraudster',
    summary: 'Register the session’s caller as a fraudster',
  },
  audit: fraudsterAudit('REGISTER_SESSION_FRAUDSTER'),
  uses: ['fraudsters', 'now', 'quotas', 'sessions', 'speech', 'voiceprints', 'watchlists'],
  async run(request, ctx) {
    const { domain, session } = await openSession(ctx, request.DomainId, request.SessionNameOrId);
    const watchlistIds = [...new Set(request.WatchlistIds ?? [domain.defaultWatchlistId])];
    for (const watchlistId of watchlistIds) await ctx.watchlists.require(domain.domainId, watchlistId);
    const voiceprint = await sessionVoiceprint(ctx, domain, session, 'Fraudster registration');
    const fraudster = await registerFraudster(ctx, domain, watchlistIds, voiceprint);
    return { Fraudster: presentFraudster(fraudster) };
  },
});
