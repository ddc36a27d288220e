import { evaluationAudit } from '#api-model/audit-event';
import type { DomainRecord } from '#api-model/domain';
import { toEpochSeconds } from '#api-model/domain';
import { resultId, type SessionRecord, streamingStatus } from '#api-model/session';
import { isExpired } from '#api-model/speaker';
import { sessionInput } from '#api-model/validation';
import { authenticationDecision } from '#biometrics/scoring';
import type { Voiceprint } from '#biometrics/voiceprint';
import type { Needs } from '#context';
import { domainScorer, requireSameModel, screenAgainstWatchlist } from '#rules/enrollment';
import { openSession, openSpeech } from '#rules/sessions';
import { defineOperation } from './operation.ts';

/**
 * Voice ID's EvaluateSession: the authentication decision for the session's speaker and the fraud decision
 * against its watchlist, from the speech the session has taken so far. It compares voiceprints only; the speech
 * was detected and embedded as it arrived. Result ids stay the same until new audio, a threshold or the speaker
 * changes, so a caller polling during a call can tell a fresh result from the one it had.
 */
export default defineOperation({
  name: 'EvaluateSession',
  input: sessionInput,
  route: {
    method: 'GET',
    path: '/domains/{DomainId}/sessions/{SessionNameOrId}/evaluation',
    summary: 'Evaluate a session: authentication and fraud detection',
  },
  audit: evaluationAudit,
  uses: ['fraudsters', 'now', 'scoring', 'sessions', 'speakerExpiryMs', 'speakers', 'speech', 'voiceprints'],
  async run({ DomainId, SessionNameOrId }, ctx) {
    const { domain, session } = await openSession(ctx, DomainId, SessionNameOrId);
    const now = ctx.now();
    const caller = (await openSpeech(ctx, domain, session))?.summary.voiceprint;
    const enoughSpeech = caller !== undefined && session.speechSeconds >= session.authentication.requiredSpeechSeconds;
    const aggregation = {
      AudioAggregationStartedAt: session.firstAudioAt === undefined ? undefined : toEpochSeconds(session.firstAudioAt),
      AudioAggregationEndedAt: session.lastAudioAt === undefined ? undefined : toEpochSeconds(session.lastAudioAt),
    };
    // Authentication and fraud detection read different items: they run side by side.
    const [authentication, fraudDetection] = await Promise.all([
      session.authentication.enabled ? authenticate(ctx, domain, session, enoughSpeech ? caller : undefined, now) : undefined,
      session.fraudDetection.enabled && enoughSpeech ? detectFraud(ctx, domain, session, caller) : undefined,
    ]);
    return {
      DomainId: domain.domainId,
      SessionId: session.sessionId,
      SessionName: session.sessionName,
      StreamingStatus: streamingStatus(session, now),
      AuthenticationResult: authentication && {
        AuthenticationResultId: resultId(session, 'authentication'),
        ...aggregation,
        Configuration: { AcceptanceThreshold: session.authentication.acceptanceThreshold },
        ...authentication,
      },
      FraudDetectionResult: session.fraudDetection.enabled
        ? {
            FraudDetectionResultId: resultId(session, 'fraud-detection'),
            ...aggregation,
            Configuration: { RiskThreshold: session.fraudDetection.riskThreshold, WatchlistId: session.fraudDetection.watchlistId },
            ...(fraudDetection ?? { Decision: 'NOT_ENOUGH_SPEECH' }),
          }
        : undefined,
    };
  },
});

/** Speaker problems come first: more speech cannot help a caller who is not enrolled. */
async function authenticate(
  ctx: Needs<'scoring' | 'speakerExpiryMs' | 'speakers' | 'voiceprints'>,
  domain: DomainRecord,
  session: SessionRecord,
  caller: Voiceprint | undefined,
  nowMs: number,
) {
  if (!session.speakerId) return { Decision: 'SPEAKER_ID_NOT_PROVIDED' };
  const speaker = await ctx.speakers.find(domain.domainId, session.speakerId);
  const ids = speaker && { CustomerSpeakerId: speaker.customerSpeakerId, GeneratedSpeakerId: speaker.speakerId };
  if (!speaker) return { Decision: 'SPEAKER_NOT_ENROLLED' };
  if (speaker.status === 'OPTED_OUT') return { ...ids, Decision: 'SPEAKER_OPTED_OUT' };
  if (isExpired(speaker, nowMs, ctx.speakerExpiryMs)) return { ...ids, Decision: 'SPEAKER_EXPIRED' };
  if (speaker.status !== 'ENROLLED') return { ...ids, Decision: 'SPEAKER_NOT_ENROLLED' };
  const enrolled = await ctx.voiceprints.get(domain, { kind: 'speaker', id: speaker.speakerId }, speaker.updatedAt);
  if (!enrolled) return { ...ids, Decision: 'SPEAKER_NOT_ENROLLED' };
  if (!caller) return { ...ids, Decision: 'NOT_ENOUGH_SPEECH' };
  requireSameModel(enrolled.model, caller.model, `The speaker ${speaker.speakerId}`);
  // The claimed speaker is not one of the "other voices" the caller is weighed against.
  const scorer = await domainScorer(ctx, domain);
  const score = scorer.score({ ...enrolled, speechSeconds: 0 }, caller, new Set([speaker.speakerId]));
  const decision = authenticationDecision(score, session.authentication.acceptanceThreshold);
  if (decision === 'ACCEPT') await ctx.speakers.recordAccess(speaker, nowMs, ctx.speakerExpiryMs);
  return { ...ids, Decision: decision, Score: score };
}

async function detectFraud(
  ctx: Needs<'fraudsters' | 'scoring' | 'voiceprints'>,
  domain: DomainRecord,
  session: SessionRecord,
  caller: Voiceprint,
) {
  const risk = await screenAgainstWatchlist(ctx, domain, session.fraudDetection.watchlistId, caller, session.fraudDetection.riskThreshold);
  return {
    Decision: risk.decision,
    Reasons: risk.decision === 'HIGH_RISK' ? ['KNOWN_FRAUDSTER'] : [],
    RiskDetails: { KnownFraudsterRisk: { RiskScore: risk.riskScore, GeneratedFraudsterId: risk.fraudsterId } },
  };
}
