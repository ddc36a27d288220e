/**
 * Scores as Voice ID reports them: an integer 0-100 per comparison, ACCEPT/REJECT against the domain's
 * AcceptanceThreshold, and a known-fraudster risk score against the RiskThreshold of a watchlist.
 *
 * A raw cosine does not mean the same thing on every line: a telephone channel, a language or a room that all of a
 * domain's callers share makes every voice look like every other (impostor cosines measured 0.63 on clean read
 * English and 0.73 on the same speech through a simulated telephone line), so a fixed cosine cut lets in many
 * times the impostors it promises. Each comparison is therefore scored against a cohort of other voices heard on
 * the same lines: the domain's own enrolled voiceprints (README "Biometrics"). The margin
 *
 *     m = (cos(enrolled, probe) - (mean cos(enrolled, cohort) + probe term) / 2) / sqrt(1 + 1/n)
 *     probe term = w mean cos(probe, cohort) + (1 - w) mean cos(enrolled, cohort),  w = n / (n + 10)
 *
 * says how much closer the two voices are to each other than to the n other voices of the cohort. The probe, a few
 * seconds of a call, says less about how it sits among a handful of voices than a 30 s voiceprint does: with a
 * small cohort its term leans on the enrolled voice's (w), which otherwise would reorder callers by noise; with
 * hundreds of voices it is the probe's own. The square root widens the scale for a small cohort, whose means are
 * themselves uncertain, so that a domain of ten speakers keeps the same false-accept rate as one of ten thousand. A calibration maps the margin to the 0-100 score:
 * 100 / (1 + exp(-(a (m - m90) + ln 9))), where m90 is the margin that few enough impostors reach
 * (lambda/biometrics/calibration.ts).
 */
import { addWeighted, normalise } from './vectors.ts';
import type { Voiceprint } from './voiceprint.ts';

export const DEFAULT_ACCEPTANCE_THRESHOLD = 90;
export const DEFAULT_RISK_THRESHOLD = 50;

/**
 * Below this many voiceprints of its own (the claimed speaker's aside), a domain is scored against the cohort
 * shipped with the model. A single voice would make every comparison depend on that one caller.
 */
export const MIN_DOMAIN_COHORT = 2;

/** How a model's margins map to scores; lambda/biometrics/calibration.ts reads and fits it. */
export interface ScoreMapping {
  /** The margin that scores 90. */
  m90: number;
  /** The slope of the logistic curve, per unit of margin. */
  a: number;
  /** The share of one voice's impostors that reach scores 90 and 50. */
  farAt90: number;
  farAt50: number;
}

/**
 * Other voices of the same lines, each with the id of the speaker it belongs to, so that it can be left out, and
 * its model: only voices of the probe's model count.
 */
export type Cohort = readonly { id: string; model: string; vector: Float32Array }[];

export type AuthenticationDecision = 'ACCEPT' | 'REJECT';
export type FraudDecision = 'HIGH_RISK' | 'LOW_RISK';

export interface FraudRisk {
  /** The closest fraudster's score; 0 against an empty watchlist. */
  riskScore: number;
  /** The closest fraudster, absent against an empty watchlist. */
  fraudsterId?: string;
  decision: FraudDecision;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`Cannot compare vectors of ${a.length} and ${b.length} dimensions.`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/** score = 100 / (1 + exp(-(a (margin - m90) + ln 9))), rounded to an integer as Voice ID reports it. */
export function calibratedScore(margin: number, { m90, a }: ScoreMapping): number {
  return Math.round(100 / (1 + Math.exp(-(a * (margin - m90) + Math.log(9)))));
}

/**
 * The cohort margin of two voiceprints (header comment). `exclude` names voices that must not stand for "other
 * speakers": the claimed speaker's own voiceprint, and in evaluation the test speaker's. The domain's cohort is
 * used when it has MIN_DOMAIN_COHORT voices left, the model's shipped cohort otherwise.
 */
export function cohortMargin(
  enrolled: Voiceprint,
  probe: Voiceprint,
  domainCohort: Cohort,
  shippedCohort: Cohort,
  exclude: ReadonlySet<string>,
): number {
  requireSameModel(enrolled, probe);
  const members = cohortMembers(probe.model, domainCohort, shippedCohort, exclude);
  return margin(enrolled, meanSimilarity(enrolled, members), probe, meanSimilarity(probe, members), members.count);
}

function requireSameModel(enrolled: Voiceprint, probe: Voiceprint): void {
  if (enrolled.model !== probe.model) {
    throw new RangeError(
      `A voiceprint of model ${enrolled.model} cannot be compared with one of model ${probe.model}; ` +
        'speakers enrolled with another model must enroll again.',
    );
  }
}

/**
 * The other voices of a comparison, as the sum of their unit vectors and their count: the mean cosine of a voice
 * with n others is its unit vector's dot product with that sum over n, so scoring against 200 or 441 voices costs
 * one dot product, not 441 (the sums are kept per cohort, and an excluded voice is taken off its cohort's).
 */
interface Others {
  sum: Float64Array;
  count: number;
}

function cohortMembers(model: string, domainCohort: Cohort, shippedCohort: Cohort, exclude: ReadonlySet<string>): Others {
  const domain = others(domainCohort, model, exclude);
  const shipped = others(shippedCohort, model, exclude);
  // A model without a shipped cohort (an operator's own) makes do with what the domain has.
  const members = domain.count >= MIN_DOMAIN_COHORT || shipped.count === 0 ? domain : shipped;
  if (members.count === 0) {
    throw new RangeError(`There is no cohort for speaker model ${model} to score against: enroll other speakers in the domain first.`);
  }
  return members;
}

interface CohortSums {
  all: Others;
  byId: Map<string, Float32Array[]>;
}

const cohortSums = new WeakMap<Cohort, Map<string, CohortSums>>();

function others(cohort: Cohort, model: string, exclude: ReadonlySet<string>): Others {
  let byModel = cohortSums.get(cohort);
  if (!byModel) cohortSums.set(cohort, (byModel = new Map<string, CohortSums>()));
  let sums = byModel.get(model);
  if (!sums) {
    const byId = new Map<string, Float32Array[]>();
    const all = { sum: new Float64Array(0), count: 0 };
    for (const member of cohort.filter((m) => m.model === model)) {
      const unit = normalise(member.vector);
      if (all.count === 0) all.sum = new Float64Array(unit.length);
      addWeighted(all.sum, unit, 1);
      all.count++;
      byId.set(member.id, [...(byId.get(member.id) ?? []), unit]);
    }
    byModel.set(model, (sums = { all, byId }));
  }
  const excluded = [...exclude].flatMap((id) => sums.byId.get(id) ?? []);
  if (excluded.length === 0) return sums.all;
  const sum = Float64Array.from(sums.all.sum);
  for (const unit of excluded) addWeighted(sum, unit, -1);
  return { sum, count: sums.all.count - excluded.length };
}

function meanSimilarity(voice: Voiceprint, members: Others): number {
  const unit = normalise(voice.vector);
  let dot = 0;
  for (let i = 0; i < unit.length; i++) dot += unit[i] * members.sum[i];
  return dot / members.count;
}

/** The cohort size at which the probe's own similarity to the cohort counts for half of its term (header comment). */
export const PROBE_SHRINKAGE = 10;

function margin(enrolled: Voiceprint, enrolledMean: number, probe: Voiceprint, probeMean: number, n: number): number {
  const w = n / (n + PROBE_SHRINKAGE);
  const probeTerm = w * probeMean + (1 - w) * enrolledMean;
  return (cosine(enrolled.vector, probe.vector) - (enrolledMean + probeTerm) / 2) / Math.sqrt(1 + 1 / n);
}

export function authenticationDecision(score: number, threshold = DEFAULT_ACCEPTANCE_THRESHOLD): AuthenticationDecision {
  return score >= threshold ? 'ACCEPT' : 'REJECT';
}

/** What scoring needs beyond the two voiceprints: the calibration and shipped cohort of their model. */
export interface ModelScoring {
  /** Whether `mapping` knows the model; it throws, naming `npm run calibrate`, for one it does not. */
  calibrated(model: string): boolean;
  mapping(model: string): ScoreMapping;
  shippedCohort(model: string): Cohort;
}

/** Scores comparisons of one domain's voices, against its cohort. */
export class DomainScorer {
  constructor(
    private readonly scoring: ModelScoring,
    private readonly domainCohort: Cohort,
  ) {}

  /** The 0-100 score of two voiceprints of the same model. */
  score(enrolled: Voiceprint, probe: Voiceprint, exclude: ReadonlySet<string> = new Set()): number {
    return this.scoreOf(this.margin(enrolled, probe, exclude), probe.model);
  }

  /** The cohort margin, without `exclude`d voices in the cohort (cohortMargin). */
  margin(enrolled: Voiceprint, probe: Voiceprint, exclude: ReadonlySet<string> = new Set()): number {
    return cohortMargin(enrolled, probe, this.domainCohort, this.scoring.shippedCohort(probe.model), exclude);
  }

  scoreOf(margin: number, model: string): number {
    return calibratedScore(margin, this.scoring.mapping(model));
  }

  /**
   * The risk that `probe` is one of `fraudsters`: the score of the closest one, for the size of the watchlist; 0 and
   * LOW_RISK with none.
   *
   * The closest of 500 fraudsters is much closer than one fraudster chosen at random: were the closest one scored
   * as a single comparison, a caller who is no fraudster would reach risk 50 against a list of 500 almost surely.
   * So its margin is lowered by what the list's size adds to the best of N impostor margins (the impostor rate at
   * a margin falls by a factor e per 1/k of margin, k fitted between the calibration's two rates), and RiskThreshold
   * 50 flags about the same share of callers who are not on the list (10 %) whatever its size.
   */
  fraudRisk(probe: Voiceprint, fraudsters: { id: string; voiceprint: Voiceprint }[], threshold = DEFAULT_RISK_THRESHOLD): FraudRisk {
    if (fraudsters.length === 0) return { riskScore: 0, decision: 'LOW_RISK' };
    // The caller's similarity to the cohort is the same against every fraudster: computed once, not 500 times.
    const members = cohortMembers(probe.model, this.domainCohort, this.scoring.shippedCohort(probe.model), new Set());
    const probeMean = meanSimilarity(probe, members);
    const { a, farAt90, farAt50 } = this.scoring.mapping(probe.model);
    const k = (a * Math.log(farAt50 / farAt90)) / Math.log(9);
    const forListSize = Math.log(fraudsters.length) / k;
    let closest = { id: '', score: -1 };
    for (const { id, voiceprint } of fraudsters) {
      requireSameModel(voiceprint, probe);
      const fraudsterMargin = margin(voiceprint, meanSimilarity(voiceprint, members), probe, probeMean, members.count);
      const score = this.scoreOf(fraudsterMargin - forListSize, probe.model);
      if (score > closest.score) closest = { id, score };
    }
    return { riskScore: closest.score, fraudsterId: closest.id, decision: closest.score >= threshold ? 'HIGH_RISK' : 'LOW_RISK' };
  }
}
