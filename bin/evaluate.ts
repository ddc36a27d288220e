/**
 * `npm run evaluate -- <folder> [--out dir] [--rotations K] [--enroll-seconds 30] [--test-seconds 10] [--compare model]`:
 * speaker-verification figures of the service's own audio pipeline and scoring on a folder of speaker-labelled
 * 8 kHz WAV files, by the protocol of lambda/biometrics/evaluation/protocol.ts. `--test-seconds 5` is Voice ID's
 * shortest authentication.
 *
 * It prints what an operator needs to choose thresholds: FAR and FRR at the acceptance thresholds 70/80/90/95 and
 * at the risk threshold 50, each with its 95 % confidence interval and trial counts; the thresholds that give 1 %
 * and 0.1 % FAR on these recordings; EER, minDCF (P_target 0.01), the failure-to-enrol rate and the embedding
 * real-time factor. It writes det.png, histograms.png and scores.json. SPEAKER_MODEL (and SPEAKER_MODEL_FILE & co.
 * for an operator's own model) and SCORE_CALIBRATION_FILE choose the model and calibration, as they do for the
 * service. A model without a calibration is still measured (EER, minDCF), so that it can be compared and then
 * calibrated. `--compare <model>` runs a second built-in model on the same recordings and prints both side by side.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { detPlot, histograms, percent } from '#bin/evaluation/plots';
import { measuringScoring, modelScoring } from '#biometrics/calibration';
import {
  equalErrorRate,
  minDcf,
  P_TARGET,
  type Rate,
  ratesWithIntervals,
  rateWithInterval,
  thresholdForFar,
} from '#biometrics/evaluation/metrics';
import { evaluate, type ProtocolOptions } from '#biometrics/evaluation/protocol';
import { DEFAULT_RISK_THRESHOLD } from '#biometrics/scoring';
import { type SpeakerEmbedder, speakerEmbedder } from '#biometrics/speaker-model';
import { DEFAULT_AUTHENTICATION_SPEECH_SECONDS, ENROLLMENT_SPEECH_SECONDS } from '#biometrics/voiceprint';
import { loadSpeakerModelSettings } from '#config';

const ACCEPTANCE_THRESHOLDS = [70, 80, 90, 95];
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const withInterval = (r: Rate) => `${percent(r.rate)} [${percent(r.low)}, ${percent(r.high)}] (${r.count}/${r.of})`;

const USAGE = 'Usage: npm run evaluate -- <folder> [--out dir] [--rotations K] [--enroll-seconds 30] [--test-seconds 10] [--compare model]';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      rotations: { type: 'string', default: '1' },
      'enroll-seconds': { type: 'string', default: String(ENROLLMENT_SPEECH_SECONDS) },
      'test-seconds': { type: 'string', default: String(DEFAULT_AUTHENTICATION_SPEECH_SECONDS) },
      compare: { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    console.error(USAGE);
    process.exit(2);
  }
  const folder = path.resolve(positionals[0]);
  const out = path.resolve(values.out ?? path.join('.data', 'evaluation', path.basename(folder)));
  const protocol = {
    rotations: Number(values.rotations),
    enrollSeconds: Number(values['enroll-seconds']),
    testSeconds: Number(values['test-seconds']),
  };
  const summaries = [await report(folder, speakerEmbedder(loadSpeakerModelSettings()), protocol, out)];
  if (values.compare) summaries.push(await report(folder, speakerEmbedder(values.compare), protocol, path.join(out, values.compare)));
  if (summaries.length === 2) sideBySide(summaries);
}

type Summary = Awaited<ReturnType<typeof report>>;

/** Runs the protocol with one model, prints its figures and writes its files to `out`. */
async function report(folder: string, embedder: SpeakerEmbedder, protocol: Omit<ProtocolOptions, 'embedder' | 'scoring'>, out: string) {
  const name = path.basename(folder);
  const shipped = modelScoring(process.env.SCORE_CALIBRATION_FILE || undefined);
  const calibrated = shipped.calibrated(embedder.name);
  const started = performance.now();
  const result = await evaluate(folder, { embedder, scoring: measuringScoring(shipped), ...protocol });
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
  const { enrollSeconds, testSeconds, rotations } = protocol;
  const summary = {
    set: name,
    model: embedder.name,
    calibration: calibrated ? process.env.SCORE_CALIBRATION_FILE || 'shipped' : 'none',
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
    ...(calibrated && {
      atThresholds,
      atRiskThreshold: atRisk,
      thresholdForFar: { '1%': thresholdForFar(result.trials, 0.01), '0.1%': thresholdForFar(result.trials, 0.001) },
    }),
    meanCosine: { target: mean(targets.map((t) => t.cosine)), nontarget: mean(nontargets.map((t) => t.cosine)) },
    embeddingRtf: result.embeddingMs / 1000 / result.embeddedSeconds,
  };
  const scores = calibrated
    ? [
        ...ACCEPTANCE_THRESHOLDS.map(
          (t) => `  at score >= ${t}        FAR ${withInterval(atThresholds[t].far)}, FRR ${withInterval(atThresholds[t].frr)}`,
        ),
        `  risk score >= ${DEFAULT_RISK_THRESHOLD}     impostors flagged ${withInterval(atRisk.far)}, targets missed ${withInterval(atRisk.frr)}`,
        `  threshold for FAR      1 %: ${summary.thresholdForFar!['1%']}, 0.1 %: ${summary.thresholdForFar!['0.1%']} (on these recordings)`,
      ]
    : [`  scores                 none: ${embedder.name} has no calibration yet (npm run calibrate; README "Biometrics")`];
  console.log(
    [
      `${name} (${embedder.name}): ${result.speakers} speakers, ${result.enrollments.length} enrollments (${enrollSeconds} s net speech), ` +
        `${result.tests.length} tests (${testSeconds} s net speech), rotations ${rotations}, ${result.skipped.length} skipped`,
      `  trials                 ${targets.length} target, ${nontargets.length} non-target`,
      `  failure to enrol       ${withInterval(summary.failureToEnrol)} of speakers`,
      `  EER                    ${percent(summary.eer)}`,
      `  minDCF (P_tar ${P_TARGET})    ${summary.minDcf.toFixed(3)}`,
      ...scores,
      `  mean cosine            target ${summary.meanCosine.target.toFixed(3)}, non-target ${summary.meanCosine.nontarget.toFixed(3)}`,
      `  embedding RTF          ${summary.embeddingRtf.toFixed(4)} (${result.embeddedSeconds.toFixed(0)} s of speech embedded in ` +
        `${(result.embeddingMs / 1000).toFixed(1)} s; ${result.audioSeconds.toFixed(0)} s of audio read; whole run ${elapsed.toFixed(0)} s)`,
      '  (intervals are 95 % Wilson intervals; trials sharing a speaker are correlated, so they are if anything too narrow)',
    ].join('\n'),
  );

  mkdirSync(out, { recursive: true });
  const title = `${name}: ${embedder.name}, ${enrollSeconds} s enrollment / ${testSeconds} s tests`;
  writeFileSync(path.join(out, 'det.png'), detPlot(result.trials, title));
  if (calibrated) writeFileSync(path.join(out, 'histograms.png'), histograms(result.trials, title, shipped.mapping(embedder.name).m90));
  writeFileSync(path.join(out, 'scores.json'), JSON.stringify({ summary, skipped: result.skipped, trials: result.trials }));
  console.log(`  wrote ${path.relative(process.cwd(), out)}/`);
  return summary;
}

/** The figures that decide between two models, one column each. */
function sideBySide([a, b]: Summary[]): void {
  const rows: [string, (s: Summary) => string][] = [
    ['trials (target / non-target)', (s) => `${s.targetTrials} / ${s.nontargetTrials}`],
    ['EER', (s) => percent(s.eer)],
    [`minDCF (P_tar ${P_TARGET})`, (s) => s.minDcf.toFixed(3)],
    ['FAR at 90', (s) => (s.atThresholds ? percent(s.atThresholds[90].far.rate) : 'no calibration')],
    ['FRR at 90', (s) => (s.atThresholds ? percent(s.atThresholds[90].frr.rate) : 'no calibration')],
    ['embedding RTF', (s) => s.embeddingRtf.toFixed(4)],
  ];
  const width = Math.max(a.model.length, b.model.length, 16);
  console.log(`\n${''.padEnd(30)}${a.model.padEnd(width + 2)}${b.model}`);
  for (const [label, value] of rows) console.log(`${label.padEnd(30)}${value(a).padEnd(width + 2)}${value(b)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
