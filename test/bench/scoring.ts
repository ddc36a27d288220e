/**
 * `npm run bench:scoring`: the time one EvaluateSession spends scoring, after the voiceprints are at hand: the
 * caller against the claimed speaker and against a watchlist (1 and 500 fraudsters), each against the shipped
 * cohort of the default model (441 voices), as a domain too small for its own is scored.
 */
import { modelScoring } from '#biometrics/calibration';
import { DomainScorer } from '#biometrics/scoring';
import type { Voiceprint } from '#biometrics/voiceprint';

const MODEL = 'resemblyzer-ge2e';
const scoring = modelScoring();
const scorer = new DomainScorer(scoring, []);
const voice = (): Voiceprint => ({
  model: MODEL,
  vector: Float32Array.from({ length: 256 }, () => Math.random() - 0.5),
  speechSeconds: 30,
});
const [enrolled, caller] = [voice(), voice()];
const watchlist = (size: number) => Array.from({ length: size }, (_, i) => ({ id: `fraudster-${i}`, voiceprint: voice() }));

function timed(label: string, runs: number, work: () => void): void {
  for (let i = 0; i < Math.min(runs, 200); i++) work();
  const started = performance.now();
  for (let i = 0; i < runs; i++) work();
  console.log(`${label.padEnd(58)} ${((performance.now() - started) / runs).toFixed(3)} ms`);
}

console.log(`cohort: ${scoring.shippedCohort(MODEL).length} voices of ${MODEL}`);
timed('authentication (the claimed speaker left out of the cohort)', 5000, () => scorer.score(enrolled, caller, new Set(['claimed'])));
const one = watchlist(1);
timed('fraud risk against 1 fraudster', 5000, () => scorer.fraudRisk(caller, one));
const many = watchlist(500);
timed('fraud risk against 500 fraudsters', 200, () => scorer.fraudRisk(caller, many));
