/**
 * Speaker-verification figures of a list of scored trials, as NIST's speaker recognition evaluations define them.
 * Shared by `npm run evaluate` and anything else that measures the pipeline, so that every figure the project
 * reports is computed one way.
 */

/** One comparison of a test against an enrollment. */
export interface Trial {
  /** Whether the test and the enrollment are of the same speaker. */
  target: boolean;
  /** The raw cosine of the two voiceprints, for reference. */
  cosine: number;
  /** The cohort margin the score is calibrated from (scoring.ts): the service's own ranking of trials. */
  margin: number;
  /** The 0-100 score the service would report. */
  score: number;
}

/** The prior of a target trial in minDCF, NIST SRE's for speaker verification. */
export const P_TARGET = 0.01;

/** Rates over an empty class are 0/0: a figure with no trials behind it would read as a result. */
function classSizes(trials: Trial[]): { targets: number; nontargets: number } {
  const targets = trials.filter((trial) => trial.target).length;
  const nontargets = trials.length - targets;
  if (targets === 0 || nontargets === 0) {
    throw new RangeError(`Error rates need target and non-target trials; there are ${targets} target and ${nontargets} non-target.`);
  }
  return { targets, nontargets };
}

/**
 * One point of the DET curve per threshold on the margin: rejecting the `i` lowest-scoring trials, from none to
 * all. The margin rather than the score, because rounding scores to integers would merge distinct thresholds.
 */
export function detPoints(trials: Trial[]): { miss: number; falseAlarm: number }[] {
  const { targets, nontargets } = classSizes(trials);
  const sorted = [...trials].sort((a, b) => a.margin - b.margin);
  const points = [{ miss: 0, falseAlarm: 1 }];
  let misses = 0;
  let rejectedNontargets = 0;
  for (const trial of sorted) {
    if (trial.target) misses++;
    else rejectedNontargets++;
    points.push({ miss: misses / targets, falseAlarm: 1 - rejectedNontargets / nontargets });
  }
  return points;
}

/** Where miss and false-alarm rates cross, interpolated between the two thresholds around the crossing. */
export function equalErrorRate(trials: Trial[]): number {
  const points = detPoints(trials);
  const j = points.findIndex(({ miss, falseAlarm }) => miss >= falseAlarm);
  const [before, after] = [points[Math.max(0, j - 1)], points[j]];
  const d0 = before.miss - before.falseAlarm;
  const d1 = after.miss - after.falseAlarm;
  if (j === 0 || d1 === d0) return (after.miss + after.falseAlarm) / 2;
  const t = -d0 / (d1 - d0);
  return before.falseAlarm + t * (after.falseAlarm - before.falseAlarm);
}

/**
 * The detection cost (C_miss = C_fa = 1) at its best threshold, normalised by the cost of the better of always
 * accepting and always rejecting, so that 1 means the scores are worth no more than ignoring them.
 */
export function minDcf(trials: Trial[], pTarget = P_TARGET): number {
  // A reduce rather than Math.min(...costs): spreading the points of a large calibration set overflows the stack.
  const best = detPoints(trials).reduce(
    (lowest, { miss, falseAlarm }) => Math.min(lowest, pTarget * miss + (1 - pTarget) * falseAlarm),
    Infinity,
  );
  return best / Math.min(pTarget, 1 - pTarget);
}

/** A proportion with its 95 % confidence interval (Wilson score interval), as `count` of `of` trials. */
export interface Rate {
  rate: number;
  count: number;
  of: number;
  low: number;
  high: number;
}

export function rateWithInterval(count: number, of: number): Rate {
  const z = 1.959964;
  const p = count / of;
  const denominator = 1 + (z * z) / of;
  const centre = (p + (z * z) / (2 * of)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / of + (z * z) / (4 * of * of))) / denominator;
  return { rate: p, count, of, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** False acceptance and false rejection rates when a score of `threshold` or more is accepted, as the service does. */
export function ratesAtScore(trials: Trial[], threshold: number): { far: number; frr: number } {
  const { far, frr } = ratesWithIntervals(trials, threshold);
  return { far: far.rate, frr: frr.rate };
}

/** FAR and FRR, with their intervals, when a score of `threshold` or more is accepted. */
export function ratesWithIntervals(trials: Trial[], threshold: number): { far: Rate; frr: Rate } {
  const { targets, nontargets } = classSizes(trials);
  return {
    far: rateWithInterval(trials.filter((trial) => !trial.target && trial.score >= threshold).length, nontargets),
    frr: rateWithInterval(trials.filter((trial) => trial.target && trial.score < threshold).length, targets),
  };
}

/**
 * The lowest integer score threshold (0-101) at which at most `far` of the impostor trials are accepted: the
 * AcceptanceThreshold an operator would set for that rate on these recordings.
 */
export function thresholdForFar(trials: Trial[], far: number): number {
  const impostors = trials.filter((trial) => !trial.target).map((trial) => trial.score);
  for (let threshold = 0; threshold <= 100; threshold++) {
    if (impostors.filter((score) => score >= threshold).length <= far * impostors.length) return threshold;
  }
  return 101;
}
