import calibrationFile from '../../../model/calibration.json';
import {
  authenticationDecision,
  calibratedScore,
  cosine,
  fraudRisk,
  similarityScore,
  type Calibration,
} from '../../../lambda/biometrics/scoring.ts';
import type { Voiceprint } from '../../../lambda/biometrics/voiceprint.ts';

const MODEL = 'resemblyzer-ge2e';
const calibration: Calibration = { x90: calibrationFile.x90, a: calibrationFile.a };

/** A unit vector in 256 dimensions whose cosine with `unit(0)` is `similarity`. */
function unit(similarity = 1): Float32Array {
  const vector = new Float32Array(256);
  vector[0] = similarity;
  vector[1] = Math.sqrt(1 - similarity ** 2);
  return vector;
}

const print = (vector: Float32Array, model = MODEL): Voiceprint => ({ model, vector, speechSeconds: 30 });

describe('cosine', () => {
  it('is 1 for the same direction whatever the lengths, 0 for orthogonal vectors and -1 for opposite ones', () => {
    const a = Float32Array.of(1, 2, 3);
    expect(cosine(a, a.map((x) => 5 * x))).toBeCloseTo(1, 6);
    expect(cosine(Float32Array.of(1, 0), Float32Array.of(0, 1))).toBe(0);
    expect(cosine(a, a.map((x) => -x))).toBeCloseTo(-1, 6);
  });

  it('is 0 against a zero vector rather than NaN', () => {
    expect(cosine(Float32Array.of(1, 2), Float32Array.of(0, 0))).toBe(0);
  });

  it('refuses vectors of different dimensions', () => {
    expect(() => cosine(new Float32Array(256), new Float32Array(192))).toThrow(RangeError);
  });
});

describe('calibratedScore', () => {
  it('scores 90 at x90 and 50 at x50, the cosines where 1 % and 10 % of calibration impostors reach', () => {
    expect(calibratedScore(calibrationFile.x90, calibration)).toBe(90);
    expect(calibratedScore(calibrationFile.x50, calibration)).toBe(50);
  });

  it('matches the examples in model/README.md, rounded as Voice ID reports scores', () => {
    const examples: [number, number][] = [
      [0.7, 3], // 3.47
      [0.75, 19], // 18.7
      [0.79, 50], // 50.4
      [0.82, 76], // 75.6
      [0.85, 90], // 90.4
      [0.88, 97], // 96.6
      [0.9, 98], // 98.4
    ];
    for (const [x, score] of examples) expect(calibratedScore(x, calibration)).toBe(score);
  });

  it('stays within 0-100 over the whole cosine range and never decreases', () => {
    let previous = -1;
    for (let x = -1; x <= 1; x += 0.001) {
      const score = calibratedScore(x, calibration);
      expect(score).toBeGreaterThanOrEqual(previous);
      previous = score;
    }
    expect(calibratedScore(-1, calibration)).toBe(0);
    expect(calibratedScore(1, calibration)).toBe(100);
  });
});

describe('similarityScore', () => {
  it('scores two voiceprints of the same model with the calibration in model/calibration.json', () => {
    expect(similarityScore(print(unit()), print(unit(calibrationFile.x90)))).toBe(90);
    expect(similarityScore(print(unit()), print(unit()))).toBe(100);
  });

  it('refuses to compare voiceprints of different models, which live on different scales', () => {
    expect(() => similarityScore(print(unit()), print(unit(), 'another-model'))).toThrow(/enroll again/);
  });

  it('refuses a model it has no calibration for', () => {
    expect(() => similarityScore(print(unit(), 'x'), print(unit(), 'x'))).toThrow(/no score calibration/);
  });
});

describe('authenticationDecision', () => {
  it('accepts a score equal to the threshold, 90 by default', () => {
    expect(authenticationDecision(90)).toBe('ACCEPT');
    expect(authenticationDecision(89)).toBe('REJECT');
    expect(authenticationDecision(70, 70)).toBe('ACCEPT');
    expect(authenticationDecision(69, 70)).toBe('REJECT');
  });
});

describe('fraudRisk', () => {
  const probe = print(unit());

  it('is the score of the closest fraudster, with its id', () => {
    const fraudsters = [
      { id: 'far', voiceprint: print(unit(0.5)) },
      { id: 'near', voiceprint: print(unit(0.9)) },
      { id: 'middle', voiceprint: print(unit(0.8)) },
    ];
    expect(fraudRisk(probe, fraudsters)).toEqual({ riskScore: 98, fraudsterId: 'near', decision: 'HIGH_RISK' });
  });

  it('is HIGH_RISK from the risk threshold up, 50 by default', () => {
    const fraudster = [{ id: 'f', voiceprint: print(unit(calibrationFile.x50)) }];
    expect(fraudRisk(probe, fraudster).decision).toBe('HIGH_RISK');
    expect(fraudRisk(probe, fraudster, 51)).toEqual({ riskScore: 50, fraudsterId: 'f', decision: 'LOW_RISK' });
  });

  it('is 0 and LOW_RISK with no fraudster to compare with', () => {
    expect(fraudRisk(probe, [])).toEqual({ riskScore: 0, decision: 'LOW_RISK' });
  });
});
