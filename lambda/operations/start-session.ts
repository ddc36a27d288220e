import { z } from 'zod';
import { sessionAudit } from '#api-model/audit-event';
import { ServiceQuotaExceededException } from '#api-model/errors';
import { newPrefixedId } from '#api-model/ids';
import { ENDED_SESSION_RETENTION_MS, MAX_SESSION_MS, presentSession, type SessionRecord } from '#api-model/session';
import { enabled, resourceId, sessionName, speakerId, threshold, wholeNumber } from '#api-model/validation';
import { DEFAULT_ACCEPTANCE_THRESHOLD, DEFAULT_RISK_THRESHOLD } from '#biometrics/scoring';
import { DEFAULT_AUTHENTICATION_SPEECH_SECONDS } from '#biometrics/voiceprint';
import { checkSessionSpeaker, eraseIfOptedOut } from '#rules/sessions';
import { defineOperation } from './operation.ts';

const StartSessionInput = z.object({
  DomainId: resourceId('DomainId'),
  SessionName: sessionName,
  SpeakerId: speakerId.optional(),
  AuthenticationConfiguration: z
    .object(
      {
        Enabled: enabled('AuthenticationConfiguration.Enabled').optional(),
        AcceptanceThreshold: threshold('AcceptanceThreshold').optional(),
        RequiredSpeechSeconds: wholeNumber('RequiredSpeechSeconds', 5, 10).optional(),
      },
      { error: 'AuthenticationConfiguration must be an object.' },
    )
    .optional(),
  FraudDetectionConfiguration: z
    .object(
      {
        Enabled: enabled('FraudDetectionConfiguration.Enabled').optional(),
        RiskThreshold: threshold('RiskThreshold').optional(),
        WatchlistId: resourceId('WatchlistId').optional(),
      },
      { error: 'FraudDetectionConfiguration must be an object.' },
    )
    .optional(),
});

/**
 * Opens a session for one call, as Amazon Connect's "Set Voice ID" block did: authentication and fraud detection
 * are each on unless turned off, with Voice ID's defaults (AcceptanceThreshold 90, RiskThreshold 50, 10 s of
 * speech, the domain's default watchlist). Audio follows with AppendSessionAudio.
 */
export default defineOperation({
  name: 'StartSession',
  input: StartSessionInput,
  route: { method: 'POST', path: '/domains/{DomainId}/sessions', summary: 'Start a session for a call' },
  audit: sessionAudit('VoiceId Start Session Action', 'START_SESSION'),
  uses: ['domains', 'now', 'quotas', 'sessions', 'speakers', 'watchlists'],
  async run(request, ctx) {
    const domain = await ctx.domains.require(request.DomainId);
    const fraud = request.FraudDetectionConfiguration;
    const watchlistId = fraud?.WatchlistId ?? domain.defaultWatchlistId;
    await ctx.watchlists.require(domain.domainId, watchlistId);
    if (request.SpeakerId) await checkSessionSpeaker(ctx, domain.domainId, request.SpeakerId);
    const now = ctx.now();
    const live = await ctx.sessions.countLive(domain.domainId, now);
    if (live >= ctx.quotas.sessionsPerDomain) {
      throw new ServiceQuotaExceededException(
        `The domain has ${live} live sessions, its limit of concurrent sessions (${ctx.quotas.sessionsPerDomain}). End finished sessions with EndSession, or raise QUOTA_SESSIONS_PER_DOMAIN.`,
      );
    }
    const session: SessionRecord = {
      domainId: domain.domainId,
      sessionId: newPrefixedId(),
      sessionName: request.SessionName,
      speakerId: request.SpeakerId,
      authentication: {
        enabled: request.AuthenticationConfiguration?.Enabled ?? true,
        acceptanceThreshold: request.AuthenticationConfiguration?.AcceptanceThreshold ?? DEFAULT_ACCEPTANCE_THRESHOLD,
        requiredSpeechSeconds: request.AuthenticationConfiguration?.RequiredSpeechSeconds ?? DEFAULT_AUTHENTICATION_SPEECH_SECONDS,
      },
      fraudDetection: {
        enabled: fraud?.Enabled ?? true,
        riskThreshold: fraud?.RiskThreshold ?? DEFAULT_RISK_THRESHOLD,
        watchlistId,
      },
      nextSequenceNumber: 0,
      audioSeconds: 0,
      speechSeconds: 0,
      createdAt: now,
      updatedAt: now,
      expiresAt: Math.ceil((now + MAX_SESSION_MS + ENDED_SESSION_RETENTION_MS) / 1000),
    };
    await ctx.sessions.create(session, now);
    return { Session: presentSession(await eraseIfOptedOut(ctx, session), now) };
  },
});
