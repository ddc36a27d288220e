/**
 * Scores as Voice ID reports them: an integer 0-100 per comparison, ACCEPT/REJECT against the domain's
 * AcceptanceThreshold, and a known-fraudster risk score against the RiskThreshold of a watchlist.
 *
 * Cosine similarity is mapped to a score by a logistic curve fitted on impostor trials (model/calibrate.py,
 * model/README.md "Calibration"): score 90 where about 1 % of impostors reach, score 50 where about 10 % do. So
 * the default thresholds keep Voice ID's meaning, "90 is a strong match", rather than an arbitrary cosine cut.
 */
import calibrationFile from '../../model/calibration.json';
import type { Voiceprint } from './voiceprint.ts';

export const DEFAULT_ACCEPTANCE_THRESHOLD = 90;
export const DEFAULT_RISK_THRESHOLD = 50;

export interface Calibration {
  /** The cosine that scores 90. */
  x90: number;
  /** The slope of the logistic curve, per unit of cosine. */
  a: number;
}

/** Each model has its own curve: cosines of different models are on different scales. */
const CALIBRATIONS: ReadonlyMap<string, Calibration> = new Map([
  ['resemblyzer-ge2e', { x90: calibrationFile.x90, a: calibrationFile.a }],
]);

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

/** score = 100 / (1 + exp(-(a (cosine - x90) + ln 9))), rounded to an integer as Voice ID reports it. */
export function calibratedScore(cosineSimilarity: number, { x90, a }: Calibration): number {
  const score = 100 / (1 + Math.exp(-(a * (cosineSimilarity - x90) + Math.log(9))));
  return Math.round(score);
}

/** The 0-100 score of two voiceprints of the same model. */
export function similarityScore(enrolled: Voiceprint, probe: Voiceprint): number {
  if (enrolled.model !== probe.model) {
    throw new RangeError(
      `A voiceprint of model ${enrolled.model} cannot be compared with one of model ${probe.model}; ` +
        'speakers enrolled with another model must enroll again.',
    );
  }
  const calibration = CALIBRATIONS.get(probe.model);
  if (!calibration) throw new RangeError(`There is no score calibration for speaker model ${probe.model}.`);
  return calibratedScore(cosine(enrolled.vector, probe.vector), calibration);
}

export function authenticationDecision(score: number, threshold = DEFAULT_ACCEPTANCE_THRESHOLD): AuthenticationDecision {
  return score >= threshold ? 'ACCEPT' : 'REJECT';
}

/** The risk that `probe` is one of `fraudsters`: the score of the closest one. */
export function fraudRisk(
  probe: Voiceprint,
  fraudsters: { id: string; voiceprint: Voiceprint }[],
  threshold = DEFAULT_RISK_THRESHOLD,
): FraudRisk {
  let closest: { id: string; score: number } | undefined;
  for (const { id, voiceprint } of fraudsters) {
    const score = similarityScore(voiceprint, probe);
    if (!closest || score > closest.score) closest = { id, score };
  }
  const riskScore = closest?.score ?? 0;
  return {
    riskScore,
    ...(closest && { fraudsterId: closest.id }),
    decision: riskScore >= threshold ? 'HIGH_RISK' : 'LOW_RISK',
  };
}
