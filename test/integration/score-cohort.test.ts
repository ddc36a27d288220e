import type { DomainRecord } from '#api-model/domain';
import { type Cohort, DomainScorer } from '#biometrics/scoring';
import type { Voiceprint } from '#biometrics/voiceprint';
import type { ServiceContext } from '#context';
import { enrollSpeaker, registerFraudster } from '#rules/enrollment';
import { serviceContext } from '#test/support/clients';
import { newDomain } from '#test/support/voice-id-errors';

/**
 * The cohort a domain's callers are scored against (lambda/biometrics/scoring.ts): its enrolled speakers'
 * voiceprints, opened from the Voiceprints table, never its fraudsters'.
 */
describe("a domain's score cohort", () => {
  let ctx: ServiceContext;
  let domain: DomainRecord;
  const axis = (i: number): Voiceprint => {
    const vector = new Float32Array(256);
    vector[i] = 1;
    return { model: ctx.speech.model, vector, speechSeconds: 30 };
  };
  const enroll = async (customerSpeakerId: string, voice: Voiceprint) =>
    (
      await enrollSpeaker(ctx, domain, {
        speakerId: customerSpeakerId,
        existingEnrollmentAction: 'SKIP',
        voiceprint: () => Promise.resolve(voice),
      })
    ).speaker;

  beforeAll(async () => {
    ctx = await serviceContext();
    domain = await ctx.domains.require((await newDomain('score-cohort')).DomainId!);
  });
  afterAll(() => ctx.speech.close());

  it("holds the enrolled speakers' voiceprints by GeneratedSpeakerId, and not the fraudsters'", async () => {
    const speakers = await Promise.all([1, 2, 3].map((i) => enroll(`caller-${i}`, axis(i))));
    await registerFraudster(ctx, domain, [domain.defaultWatchlistId], axis(9));
    const cohort = await ctx.voiceprints.cohort(domain);
    expect(new Map(cohort.map(({ id, vector }) => [id, vector.indexOf(1)]))).toEqual(
      new Map(speakers.map((speaker, i) => [speaker.speakerId, i + 1])),
    );
    expect(cohort.every(({ model }) => model === ctx.speech.model)).toBe(true);
  });

  it('scores a caller against the other speakers, not against the one claimed', async () => {
    const cohort: Cohort = await ctx.voiceprints.cohort(domain);
    const claimed = { ...cohort[0], speechSeconds: 30 };
    const scorer = new DomainScorer(ctx.scoring, cohort);
    const caller = axis(claimed.vector.indexOf(1));
    const withClaimed = scorer.margin(claimed, caller);
    const withoutClaimed = scorer.margin(claimed, caller, new Set([claimed.id]));
    // The claimed speaker's own voiceprint, identical to the caller, would raise the cohort's mean similarity.
    expect(withoutClaimed).toBeGreaterThan(withClaimed);
    expect(scorer.score(claimed, caller, new Set([claimed.id]))).toBe(100);
  });
});
