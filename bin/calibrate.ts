/**
 * `npm run calibrate -- <folder>... [--out file] [--far-at-90 0.01] [--enroll-seconds 30] [--test-seconds 10]
 *  [--rotations K] [--impostors-only] [--cohort-out file] [--cohort-size N]`:
 * fits the score calibration (which cohort margin scores 90 and which 50) on speaker-labelled recordings, by the
 * protocol of `npm run evaluate`, and writes it for SCORE_CALIBRATION_FILE. Each folder counts as one domain: its
 * trials are scored against its own other speakers. Only impostor trials are used, so any recordings of known,
 * distinct speakers will do; README "Biometrics" says how many.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCohort, FAR_AT_50, FAR_AT_90, fitCalibration, measuringScoring, modelScoring } from '#biometrics/calibration';
import { evaluate } from '#biometrics/evaluation/protocol';
import { speakerEmbedder } from '#biometrics/speaker-model';
import { DEFAULT_AUTHENTICATION_SPEECH_SECONDS, ENROLLMENT_SPEECH_SECONDS } from '#biometrics/voiceprint';
import { loadSpeakerModelSettings } from '#config';

const USAGE =
  'Usage: npm run calibrate -- <folder>... [--out file] [--far-at-90 0.01] [--enroll-seconds 30] [--test-seconds 10] ' +
  '[--rotations K] [--impostors-only] [--cohort-out file] [--cohort-size N]';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string', default: path.join('.data', 'calibration.json') },
      'far-at-90': { type: 'string', default: String(FAR_AT_90) },
      'enroll-seconds': { type: 'string', default: String(ENROLLMENT_SPEECH_SECONDS) },
      'test-seconds': { type: 'string', default: String(DEFAULT_AUTHENTICATION_SPEECH_SECONDS) },
      rotations: { type: 'string', default: '1' },
      'impostors-only': { type: 'boolean', default: false },
      'cohort-out': { type: 'string' },
      'cohort-size': { type: 'string' },
    },
  });
  if (positionals.length === 0) {
    console.error(USAGE);
    process.exit(2);
  }
  const embedder = speakerEmbedder(loadSpeakerModelSettings());
  // Only margins are fitted: the model need not have a calibration yet.
  const scoring = measuringScoring(modelScoring());
  const margins: number[] = [];
  const cohort: { id: string; vector: Float32Array }[] = [];
  for (const folder of positionals.map((f) => path.resolve(f))) {
    const result = await evaluate(folder, {
      embedder,
      scoring,
      rotations: Number(values.rotations),
      enrollSeconds: Number(values['enroll-seconds']),
      testSeconds: Number(values['test-seconds']),
      impostorsOnly: values['impostors-only'],
    });
    const impostors = result.trials.filter((trial) => !trial.target);
    console.log(
      `${path.basename(folder)}: ${result.speakers} of ${result.speakersInSet} speakers enrolled, ${result.tests.length} tests, ${impostors.length} impostor trials`,
    );
    margins.push(...impostors.map((trial) => trial.margin));
    const name = path.basename(folder);
    for (const { speaker, rotation, print } of result.enrollments) {
      if (rotation === 0) cohort.push({ id: `${name}/${speaker}`, vector: print.vector });
    }
  }
  const calibration = fitCalibration(
    embedder.name,
    margins,
    positionals.map((f) => path.basename(path.resolve(f))),
    {
      farAt90: Number(values['far-at-90']),
      farAt50: FAR_AT_50,
    },
  );
  write(values.out, calibration);
  console.log(
    `margin ${calibration.m90.toFixed(4)} scores 90 (${calibration.farAt90 * 100} % of ${margins.length} impostor trials reach it), ` +
      `slope ${calibration.a.toFixed(2)}; wrote ${values.out}. Set SCORE_CALIBRATION_FILE=${path.resolve(values.out)} for the service to use it.`,
  );
  if (values['cohort-out']) {
    // Evenly spaced over the folders' enrollments, so that a smaller cohort keeps every folder's share.
    const size = Math.min(cohort.length, Number(values['cohort-size'] ?? cohort.length));
    const chosen = Array.from({ length: size }, (_, i) => cohort[Math.floor((i * cohort.length) / size)]);
    write(values['cohort-out'], encodeCohort(embedder.name, calibration.fittedOn.join(', '), chosen));
    console.log(`wrote ${chosen.length} of the ${cohort.length} enrollments as a cohort to ${values['cohort-out']}`);
  }
}

function write(file: string, content: unknown): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof RangeError ? error.message : error);
  process.exit(1);
});
