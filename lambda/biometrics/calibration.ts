/**
 * Score calibrations: which cohort margin scores 90 and which 50 for a speaker model (scoring.ts), and the cohort
 * shipped with the model for domains too small to have their own.
 *
 * The shipped ones (model/calibration/<model>.json, model/cohort/<model>.json) are built by `npm run calibrate`
 * from recordings that no figure in the README measures (README "Biometrics"). An operator can fit one on
 * their own calls with the same command and name the file in SCORE_CALIBRATION_FILE; it replaces the shipped
 * calibration of its model.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import ge2eCalibration from '#model/calibration/resemblyzer-ge2e.json';
import fusedCalibration from '#model/calibration/resemblyzer-ge2e+deep-speaker-rescnn.json';
import ge2eCohort from '#model/cohort/resemblyzer-ge2e.json';
import fusedCohort from '#model/cohort/resemblyzer-ge2e+deep-speaker-rescnn.json';
import type { Cohort, ModelScoring, ScoreMapping } from './scoring.ts';

/** The impostor rates that scores 90 and 50 stand for, unless the calibration is fitted to others. */
export const FAR_AT_90 = 0.01;
export const FAR_AT_50 = 0.1;

export const CalibrationFile = z.object({
  schema: z.literal(2),
  /** The speaker model whose margins it maps: a calibration never applies to another model. */
  model: z.string().min(1),
  m90: z.number(),
  a: z.number().positive(),
  /** The share of the fitting impostor trials that reach scores 90 and 50. */
  farAt90: z.number().gt(0).lt(1),
  farAt50: z.number().gt(0).lt(1),
  impostorTrials: z.number().int().positive(),
  fittedOn: z.array(z.string()),
  createdAt: z.string(),
});
export type CalibrationFile = z.infer<typeof CalibrationFile>;

const CohortFile = z.object({
  schema: z.literal(2),
  model: z.string(),
  source: z.string(),
  /** Each member's voiceprint: little-endian float32, base64. */
  members: z.array(z.object({ id: z.string(), vector: z.string() })),
});

/**
 * The margins at which `farAt90` and `farAt50` of `impostorMargins` are reached (at or above), and the logistic
 * curve through them.
 */
export function fitCalibration(
  model: string,
  impostorMargins: number[],
  fittedOn: string[],
  { farAt90 = FAR_AT_90, farAt50 = FAR_AT_50 }: { farAt90?: number; farAt50?: number } = {},
): CalibrationFile {
  if (!(farAt90 < farAt50)) throw new RangeError(`Score 90 must stand for fewer impostors than score 50 (${farAt90} vs ${farAt50}).`);
  const needed = Math.ceil(10 / farAt90);
  if (impostorMargins.length < needed) {
    throw new RangeError(
      `A false-accept rate of ${farAt90} needs at least ${needed} impostor trials (10 above the threshold); there are ` +
        `${impostorMargins.length}. Add speakers or recordings.`,
    );
  }
  const sorted = Float64Array.from(impostorMargins).sort();
  const m90 = quantile(sorted, 1 - farAt90);
  const m50 = quantile(sorted, 1 - farAt50);
  if (!(m90 > m50)) throw new RangeError('The impostor margins do not spread: the recordings may all be one speaker.');
  return {
    schema: 2,
    model,
    m90,
    a: Math.log(9) / (m90 - m50),
    farAt90,
    farAt50,
    impostorTrials: impostorMargins.length,
    fittedOn,
    createdAt: new Date().toISOString(),
  };
}

/** Linear interpolation between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** Reads an operator's calibration file, saying what is wrong with it. */
export function readCalibrationFile(file: string): CalibrationFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RangeError(`SCORE_CALIBRATION_FILE ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`SCORE_CALIBRATION_FILE ${file} is not a calibration written by npm run calibrate: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = CalibrationFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(
      `SCORE_CALIBRATION_FILE ${file} is not a calibration written by npm run calibrate: ${issue.path.join('.')} ${issue.message}`,
    );
  }
  return parsed.data;
}

function decodeCohort(file: z.infer<typeof CohortFile>): Cohort {
  return file.members.map(({ id, vector }) => {
    const bytes = Buffer.from(vector, 'base64');
    return { id, model: file.model, vector: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
  });
}

export function encodeCohort(model: string, source: string, members: { id: string; vector: Float32Array }[]): z.infer<typeof CohortFile> {
  return {
    schema: 2,
    model,
    source,
    members: members.map(({ id, vector }) => ({
      id,
      vector: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64'),
    })),
  };
}

/**
 * The calibrations and shipped cohorts the service scores with: the shipped ones, and an operator's calibration
 * (SCORE_CALIBRATION_FILE) in place of the shipped one of its model.
 */
export function modelScoring(operatorCalibrationFile?: string): ModelScoring {
  const calibrations = new Map<string, ScoreMapping>(
    [ge2eCalibration, fusedCalibration].map((file) => [file.model, CalibrationFile.parse(file)]),
  );
  if (operatorCalibrationFile) {
    const operator = readCalibrationFile(operatorCalibrationFile);
    calibrations.set(operator.model, operator);
  }
  const cohorts = new Map<string, Cohort>([ge2eCohort, fusedCohort].map((file) => [file.model, decodeCohort(CohortFile.parse(file))]));
  return {
    calibrated: (model) => calibrations.has(model),
    mapping(model) {
      const mapping = calibrations.get(model);
      if (!mapping) {
        throw new RangeError(
          `There is no score calibration for speaker model ${model}: fit one with npm run calibrate and set SCORE_CALIBRATION_FILE.`,
        );
      }
      return mapping;
    },
    shippedCohort: (model) => cohorts.get(model) ?? [],
  };
}

/**
 * Scoring for the tools that measure a model before it has a calibration (`npm run calibrate` fits one from the
 * margins; `npm run evaluate` ranks trials by them): its scores are placeholders that nothing should read.
 */
export function measuringScoring(scoring: ModelScoring): ModelScoring {
  const placeholder: ScoreMapping = { m90: 0, a: 1, farAt90: FAR_AT_90, farAt50: FAR_AT_50 };
  return { ...scoring, mapping: (model) => (scoring.calibrated(model) ? scoring.mapping(model) : placeholder) };
}
