import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fitCalibration, measuringScoring, modelScoring, readCalibrationFile } from '#biometrics/calibration';
import { calibratedScore } from '#biometrics/scoring';

/** Margins of impostors drawn from N(0, 0.07), the spread measured on real speech, reproducibly. */
function normalMargins(count: number, sd = 0.07): number[] {
  // mulberry32: a small generator whose output passes the usual statistical tests.
  let seed = 42;
  const uniform = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4_294_967_297;
  };
  return Array.from({ length: count }, () => sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

describe('fitCalibration', () => {
  const margins = normalMargins(20_000);
  const calibration = fitCalibration('resemblyzer-ge2e', margins, ['generated']);

  it('puts score 90 where 1 % of impostors reach and score 50 where 10 % do', () => {
    // N(0, 0.07): the 99th percentile is 2.326 sd, the 90th 1.282 sd.
    expect(calibration.m90).toBeCloseTo(0.07 * 2.326, 2);
    const at = (score: number) => margins.filter((m) => calibratedScore(m, calibration) >= score).length / margins.length;
    expect(at(90)).toBeCloseTo(0.01, 2);
    expect(at(50)).toBeCloseTo(0.1, 1);
    expect(calibration).toMatchObject({
      schema: 2,
      model: 'resemblyzer-ge2e',
      farAt90: 0.01,
      farAt50: 0.1,
      impostorTrials: 20_000,
      fittedOn: ['generated'],
    });
  });

  it('fits other rates when asked', () => {
    const strict = fitCalibration('resemblyzer-ge2e', margins, ['generated'], { farAt90: 0.002 });
    expect(strict.m90).toBeGreaterThan(calibration.m90);
    expect(margins.filter((m) => m >= strict.m90).length / margins.length).toBeCloseTo(0.002, 3);
  });

  it('refuses too few impostor trials for the rate, saying how many it needs', () => {
    expect(() => fitCalibration('m', normalMargins(999), [])).toThrow(/at least 1000 impostor trials .* there are 999/);
  });

  it('refuses rates in the wrong order and margins that do not spread', () => {
    expect(() => fitCalibration('m', margins, [], { farAt90: 0.2, farAt50: 0.1 })).toThrow(/fewer impostors/);
    expect(() => fitCalibration('m', new Array<number>(2000).fill(0.1), [])).toThrow(/do not spread/);
  });
});

describe('modelScoring', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'calibration-'));
  const write = (name: string, content: unknown) => {
    const file = path.join(folder, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('ships a calibration and a cohort for the default model', () => {
    const scoring = modelScoring();
    expect(scoring.mapping('resemblyzer-ge2e').m90).toBeGreaterThan(0);
    const cohort = scoring.shippedCohort('resemblyzer-ge2e');
    expect(cohort.length).toBeGreaterThan(100);
    expect(cohort[0].vector).toHaveLength(256);
    expect(scoring.shippedCohort('another-model')).toEqual([]);
  });

  it("uses an operator's calibration in place of the shipped one of its model", () => {
    const operator = fitCalibration('resemblyzer-ge2e', normalMargins(2000, 0.1), ['our calls']);
    const scoring = modelScoring(write('ours.json', operator));
    expect(scoring.mapping('resemblyzer-ge2e')).toMatchObject({ m90: operator.m90, a: operator.a });
  });

  it('names npm run calibrate for a model without a calibration', () => {
    expect(modelScoring().calibrated('wespeaker-resnet34')).toBe(false);
    expect(() => modelScoring().mapping('wespeaker-resnet34')).toThrow(/npm run calibrate/);
  });

  it('lends a model without a calibration a placeholder for measuring, and leaves calibrated ones their own', () => {
    const shipped = modelScoring();
    const measuring = measuringScoring(shipped);
    expect(measuring.mapping('resemblyzer-ge2e')).toEqual(shipped.mapping('resemblyzer-ge2e'));
    expect(measuring.mapping('wespeaker-resnet34')).toMatchObject({ m90: 0, a: 1 });
    expect(measuring.calibrated('wespeaker-resnet34')).toBe(false);
  });

  it('says what is wrong with an unreadable or foreign file', () => {
    expect(() => readCalibrationFile(path.join(folder, 'missing.json'))).toThrow(/missing.json cannot be read/);
    expect(() => readCalibrationFile(write('foreign.json', { x90: 0.8 }))).toThrow(/not a calibration written by npm run calibrate/);
    expect(() => modelScoring(write('broken.json', '{'))).toThrow(/not a calibration written by npm run calibrate/);
  });
});
