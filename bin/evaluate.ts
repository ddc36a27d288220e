/**
 * `npm run evaluate -- <folder> [--out dir] [--rotations K] [--enroll-seconds 30] [--test-seconds 10]`:
 * speaker-verification figures of the service's own audio pipeline on a folder of speaker-labelled 8 kHz WAV files,
 * by the protocol of lambda/biometrics/evaluation/protocol.ts.
 *
 * It prints EER, minDCF (P_target 0.01, C_miss = C_fa = 1), FAR and FRR at the default acceptance threshold (score
 * 90), trial counts and the embedding real-time factor, and writes det.png, histograms.png and scores.json.
 * SPEAKER_MODEL picks the speaker model, as it does for the service.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import calibration from '../model/calibration.json';
import { equalErrorRate, minDcf, P_TARGET, ratesAtScore } from '../lambda/biometrics/evaluation/metrics.ts';
import { evaluate } from '../lambda/biometrics/evaluation/protocol.ts';
import { DEFAULT_ACCEPTANCE_THRESHOLD } from '../lambda/biometrics/scoring.ts';
import { speakerEmbedder } from '../lambda/biometrics/speaker-model.ts';
import { DEFAULT_AUTHENTICATION_SPEECH_SECONDS, ENROLLMENT_SPEECH_SECONDS } from '../lambda/biometrics/voiceprint.ts';
import { detPlot, histograms, percent } from './evaluation/plots.ts';

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

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
  const started = performance.now();
  const result = await evaluate(folder, { embedder, rotations, enrollSeconds, testSeconds });
  const elapsed = (performance.now() - started) / 1000;

  for (const note of result.skipped) console.log(`skipped ${note}`);
  const targets = result.trials.filter((t) => t.target);
  const nontargets = result.trials.filter((t) => !t.target);
  if (targets.length === 0 || nontargets.length === 0) {
    console.error(`${name}: no trials possible (${targets.length} target, ${nontargets.length} non-target); see the notes above.`);
    process.exit(1);
  }
  const eer = equalErrorRate(result.trials);
  const dcf = minDcf(result.trials);
  const { far, frr } = ratesAtScore(result.trials, DEFAULT_ACCEPTANCE_THRESHOLD);
  const count = (rate: number, of: number) => `${percent(rate)} (${Math.round(rate * of)}/${of})`;
  const summary = {
    set: name,
    model: embedder.name,
    enrollSeconds,
    testSeconds,
    rotations,
    speakers: result.speakers,
    enrollments: result.enrollments,
    tests: result.tests,
    targetTrials: targets.length,
    nontargetTrials: nontargets.length,
    skipped: result.skipped.length,
    eer,
    minDcf: dcf,
    farAt90: far,
    frrAt90: frr,
    meanCosine: { target: mean(targets.map((t) => t.cosine)), nontarget: mean(nontargets.map((t) => t.cosine)) },
    embeddingRtf: result.embeddingMs / 1000 / result.embeddedSeconds,
  };
  console.log(
    [
      `${name}: ${result.speakers} speakers, ${result.enrollments} enrollments (${enrollSeconds} s net speech), ` +
        `${result.tests} tests (${testSeconds} s net speech), rotations ${rotations}, ${result.skipped.length} skipped`,
      `  trials               ${targets.length} target, ${nontargets.length} non-target`,
      `  EER                  ${percent(eer)}`,
      `  minDCF (P_tar ${P_TARGET})  ${dcf.toFixed(3)}`,
      `  at score >= ${DEFAULT_ACCEPTANCE_THRESHOLD}       FAR ${count(far, nontargets.length)}, FRR ${count(frr, targets.length)}`,
      `  mean cosine          target ${summary.meanCosine.target.toFixed(3)}, non-target ${summary.meanCosine.nontarget.toFixed(3)}`,
      `  embedding RTF        ${summary.embeddingRtf.toFixed(4)} (${result.embeddedSeconds.toFixed(0)} s of speech embedded in ` +
        `${(result.embeddingMs / 1000).toFixed(1)} s; ${result.audioSeconds.toFixed(0)} s of audio read; whole run ${elapsed.toFixed(0)} s)`,
    ].join('\n'),
  );

  mkdirSync(out, { recursive: true });
  const title = `${name}: ${embedder.name}, ${enrollSeconds} s enrollment / ${testSeconds} s tests`;
  writeFileSync(path.join(out, 'det.png'), detPlot(result.trials, title));
  writeFileSync(path.join(out, 'histograms.png'), histograms(result.trials, title, calibration.x90));
  writeFileSync(path.join(out, 'scores.json'), JSON.stringify({ summary, skipped: result.skipped, trials: result.trials }));
  console.log(`  wrote ${['det.png', 'histograms.png', 'scores.json'].map((f) => path.relative(process.cwd(), path.join(out, f))).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
