/**
 * `npm run evaluate -- <folder> [--out dir] [--rotations K] [--enroll-seconds 30] [--test-seconds 10]`:
 * speaker-verification figures of the service's own audio pipeline and scoring on a folder of speaker-labelled
 * 8 kHz WAV files, by the protocol of lambda/biometrics/evaluation/protocol.ts. `--test-seconds 5` is Voice ID's
 * shortest authentication.
 *
 * It prints what an operator needs to choose thresholds: FAR and FRR at the acceptance thresholds 70/80/90/95 and
 * at the risk threshold 50, each with its 95 % confidence interval and trial counts; the thresholds that give 1 %
 * and 0.1 % FAR on these recordings; EER, minDCF (P_target 0.01), the failure-to-enrol rate and the embedding
 * real-time factor. It writes det.png, histograms.png and scores.json. SPEAKER_MODEL and SCORE_CALIBRATION_FILE
 * choose the model and calibration, as they do for the service.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { modelScoring } from '../lambda/biometrics/calibration.ts';
import { equalErrorRate, minDcf, P_TARGET, rateWithInterval, ratesWithIntervals, thresholdForFar, type Rate } from '../lambda/biometrics/evaluation/metrics.ts';
import { evaluate } from '../lambda/biometrics/evaluation/protocol.ts';
import { DEFAULT_RISK_THRESHOLD } from '../lambda/biometrics/scoring.ts';
import { speakerEmbedder } from '../lambda/biometrics/speaker-model.ts';
import { DEFAULT_AUTHENTICATION_SPEECH_SECONDS, ENROLLMENT_SPEECH_SECONDS } from '../lambda/biometrics/voiceprint.ts';
import { detPlot, histograms, percent } from './evaluation/plots.ts';

const ACCEPTANCE_THRESHOLDS = [70, 80, 90, 95];
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const withInterval = (r: Rate) => `${percent(r.rate)} [${percent(r.low)}, ${percent(r.high)}] (${r.count}/${r.of})`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      rotations: { type: 'string', default: '1' },
      'enroll-seconds': { type: 'string', default: String(ENROLLMENT_SPEECH_SECONDS) },
      'test-seconds': { type: 'string', default: String(DEFAULT_AUTHENTICATION_SPEECH_SECONDS) },
    },
  });
  if (positionals.length !== 1) {
    console.error('Usage: npm run evaluate -- <folder> [--out dir] [--rotations K] [--enroll-seconds 30] [--test-seconds 10]');
    process.exit(2);
  }
  const folder = path.resolve(positionals[0]);
  const name = path.basename(folder);
  const out = path.resolve(values.out ?? path.join('.data', 'evaluation', name));
  const rotations = Number(values.rotations);
  const enrollSeconds = Number(values['enroll-seconds']);
  const testSeconds = Number(values['test-seconds']);
  const embedder = speakerEmbedder(process.env.SPEAKER_MODEL || undefined);
  const scoring = modelScoring(process.env.SCORE_CALIBRATION_FILE || undefined);
  const started = performance.now();
  const result = await evaluate(folder, { embedder, scoring, rotations, enrollSeconds, testSeconds });
  const elapsed = (performance.now() - started) / 1000;

  for (const note of result.skipped) console.log(`skipped ${note}`);
  const targets = result.trials.filter((t) => t.target);
  const nontargets = result.trials.filter((t) => !t.target);
  if (targets.length === 0 || nontargets.length === 0) {
    console.error(`${name}: no trials possible (${targets.length} target, ${nontargets.length} non-target); see the notes above.`);
    process.exit(1);
  }
  const atThresholds = Object.fromEntries(ACCEPTANCE_THRESHOLDS.map((t) => [t, ratesWithIntervals(result.trials, t)]));
  const atRisk = ratesWithIntervals(result.trials, DEFAULT_RISK_THRESHOLD);
  const summary = {
    set: name,
    model: embedder.name,
    calibration: process.env.SCORE_CALIBRATION_FILE || 'shipped',
    enrollSeconds,
    testSeconds,
    rotations,
    speakers: result.speakers,
    speakersInSet: result.speakersInSet,
    failureToEnrol: rateWithInterval(result.failedToEnroll, result.speakersInSet),
    enrollments: result.enrollments.length,
    tests: result.tests.length,
    targetTrials: targets.length,
    nontargetTrials: nontargets.length,
    eer: equalErrorRate(result.trials),
    minDcf: minDcf(result.trials),
    atThresholds,
    atRiskThreshold: atRisk,
    thresholdForFar: { '1%': thresholdForFar(result.trials, 0.01), '0.1%': thresholdForFar(result.trials, 0.001) },
    meanCosine: { target: mean(targets.map((t) => t.cosine)), nontarget: mean(nontargets.map((t) => t.cosine)) },
    embeddingRtf: result.embeddingMs / 1000 / result.embeddedSeconds,
  };
  console.log(
    [
      `${name}: ${result.speakers} speakers, ${result.enrollments.length} enrollments (${enrollSeconds} s net speech), ` +
        `${result.tests.length} tests (${testSeconds} s net speech), rotations ${rotations}, ${result.skipped.length} skipped`,
      `  trials                 ${targets.length} target, ${nontargets.length} non-target`,
      `  failure to enrol       ${withInterval(summary.failureToEnrol)} of speakers`,
      `  EER                    ${percent(summary.eer)}`,
      `  minDCF (P_tar ${P_TARGET})    ${summary.minDcf.toFixed(3)}`,
      ...ACCEPTANCE_THRESHOLDS.map(
        (t) => `  at score >= ${t}        FAR ${withInterval(atThresholds[t].far)}, FRR ${withInterval(atThresholds[t].frr)}`,
      ),
      `  risk score >= ${DEFAULT_RISK_THRESHOLD}     impostors flagged ${withInterval(atRisk.far)}, targets missed ${withInterval(atRisk.frr)}`,
      `  threshold for FAR      1 %: ${summary.thresholdForFar['1%']}, 0.1 %: ${summary.thresholdForFar['0.1%']} (on these recordings)`,
      `  mean cosine            target ${summary.meanCosine.target.toFixed(3)}, non-target ${summary.meanCosine.nontarget.toFixed(3)}`,
      `  embedding RTF          ${summary.embeddingRtf.toFixed(4)} (${result.embeddedSeconds.toFixed(0)} s of speech embedded in ` +
        `${(result.embeddingMs / 1000).toFixed(1)} s; ${result.audioSeconds.toFixed(0)} s of audio read; whole run ${elapsed.toFixed(0)} s)`,
      '  (intervals are 95 % Wilson intervals; trials sharing a speaker are correlated, so they are if anything too narrow)',
    ].join('\n'),
  );

  mkdirSync(out, { recursive: true });
  const title = `${name}: ${embedder.name}, ${enrollSeconds} s enrollment / ${testSeconds} s tests`;
  writeFileSync(path.join(out, 'det.png'), detPlot(result.trials, title));
  writeFileSync(path.join(out, 'histograms.png'), histograms(result.trials, title, scoring.mapping(embedder.name).m90));
  writeFileSync(path.join(out, 'scores.json'), JSON.stringify({ summary, skipped: result.skipped, trials: result.trials }));
  console.log(`  wrote ${['det.png', 'histograms.png', 'scores.json'].map((f) => path.relative(process.cwd(), path.join(out, f))).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
