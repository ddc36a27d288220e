import {
  authenticationDecision,
  type Cohort,
  calibratedScore,
  cohortMargin,
  cosine,
  DomainScorer,
  MIN_DOMAIN_COHORT,
  type ModelScoring,
  type ScoreMapping,
} from '#biometrics/scoring';
import type { Voiceprint } from '#biometrics/voiceprint';

const MODEL = 'resemblyzer-ge2e';
const DIMENSION = 256;
const mapping: ScoreMapping = { m90: 0.2, a: 20, farAt90: 0.01, farAt50: 0.1 };

/** The i-th unit vector: orthogonal voices, whose cosines are 0 with each other. */
function axis(i: number): Float32Array {
  const vector = new Float32Array(DIMENSION);
  vector[i] = 1;
  return vector;
}

/** A unit vector whose cosine with axis(0) is `similarity`, in the plane of axes 0 and 1. */
function near(similarity: number): Float32Array {
  const vector = new Float32Array(DIMENSION);
  vector[0] = similarity;
  vector[1] = Math.sqrt(1 - similarity ** 2);
  return vector;
}

const print = (vector: Float32Array, model = MODEL): Voiceprint => ({ model, vector, speechSeconds: 30 });
/** `n` voices orthogonal to axes 0 and 1, so that they are equally unlike the enrolled speaker and the probe. */
const orthogonalCohort = (n: number, model = MODEL): Cohort =>
  Array.from({ length: n }, (_, i) => ({ id: `other-${i}`, model, vector: axis(10 + i) }));
const scoring = (shipped: Cohort = orthogonalCohort(50)): ModelScoring => ({
  calibrated: (model) => model === MODEL,
  mapping: (model) => {
    if (model !== MODEL) throw new RangeError(`There is no score calibration for speaker model ${model}`);
    return mapping;
  },
  shippedCohort: (model) => (model === MODEL ? shipped : []),
});

describe('cosine', () => {
  it('is 1 for the same direction whatever the lengths, 0 for orthogonal vectors and -1 for opposite ones', () => {
    const a = Float32Array.of(1, 2, 3);
    expect(
      cosine(
        a,
        a.map((x) => 5 * x),
      ),
    ).toBeCloseTo(1, 6);
    expect(cosine(Float32Array.of(1, 0), Float32Array.of(0, 1))).toBe(0);
    expect(
      cosine(
        a,
        a.map((x) => -x),
      ),
    ).toBeCloseTo(-1, 6);
  });

  it('is 0 against a zero vector rather than NaN', () => {
    expect(cosine(Float32Array.of(1, 2), Float32Array.of(0, 0))).toBe(0);
  });

  it('refuses vectors of different dimensions', () => {
    expect(() => cosine(new Float32Array(256), new Float32Array(192))).toThrow(RangeError);
  });
});

describe('calibratedScore', () => {
  it('scores 90 at m90 and 50 at m90 - ln 9 / a, the margins the calibration fitted to its two impostor rates', () => {
    expect(calibratedScore(mapping.m90, mapping)).toBe(90);
    expect(calibratedScore(mapping.m90 - Math.log(9) / mapping.a, mapping)).toBe(50);
  });

  it('stays within 0-100 over the whole margin range and never decreases', () => {
    let previous = -1;
    for (let m = -2; m <= 2; m += 0.001) {
      const score = calibratedScore(m, mapping);
      expect(score).toBeGreaterThanOrEqual(previous);
      previous = score;
    }
    expect(calibratedScore(-2, mapping)).toBe(0);
    expect(calibratedScore(2, mapping)).toBe(100);
  });
});

describe('cohortMargin', () => {
  const enrolled = print(axis(0));
  const margin = (probe: Float32Array, domain: Cohort, exclude: string[] = [], shipped = orthogonalCohort(50)) =>
    cohortMargin(enrolled, print(probe), domain, shipped, new Set(exclude));

  it('is the cosine when the cohort is unlike both voices, widened by sqrt(1 + 1/n) for a cohort of n', () => {
    expect(margin(near(0.6), orthogonalCohort(4))).toBeCloseTo(0.6 / Math.sqrt(1.25), 6);
    expect(margin(near(0.6), orthogonalCohort(100))).toBeCloseTo(0.6 / Math.sqrt(1.01), 6);
  });

  it('takes away how alike the domain makes every voice, so a shared line does not raise impostor scores', () => {
    // Every voice of the domain carries the same channel component: raw cosines rise, the margin does not.
    const channel = axis(200);
    const withChannel = (vector: Float32Array, weight: number) => {
      const mixed = vector.map((x, i) => x + weight * channel[i]);
      const norm = Math.hypot(...mixed);
      return mixed.map((x) => x / norm);
    };
    for (const weight of [0, 0.5, 1]) {
      const domain: Cohort = orthogonalCohort(20).map((member) => ({ ...member, vector: withChannel(member.vector, weight) }));
      const impostor = withChannel(axis(1), weight);
      const raw = cosine(withChannel(axis(0), weight), impostor);
      const m = cohortMargin(print(withChannel(axis(0), weight)), print(impostor), domain, [], new Set());
      expect(raw).toBeCloseTo(weight ** 2 / (1 + weight ** 2), 5);
      expect(m).toBeCloseTo(0, 5);
    }
  });

  it('leaves out excluded voices: the claimed speaker is not one of the others', () => {
    const domain = [...orthogonalCohort(5), { id: 'claimed', model: MODEL, vector: axis(0) }];
    expect(margin(near(0.6), domain, ['claimed'])).toBeCloseTo(margin(near(0.6), orthogonalCohort(5)), 6);
    expect(margin(near(0.6), domain)).toBeLessThan(margin(near(0.6), domain, ['claimed']));
  });

  it(`uses the shipped cohort while the domain has fewer than ${MIN_DOMAIN_COHORT} other voices`, () => {
    // Shipped voices with cosine 0.5 to the enrolled speaker and 0.3 to the probe.
    const shipped: Cohort = Array.from({ length: 10 }, (_, i) => {
      const vector = axis(50 + i).map((x) => x * Math.sqrt(0.75));
      vector[0] = 0.5;
      return { id: `shipped-${i}`, model: MODEL, vector };
    });
    const small = orthogonalCohort(MIN_DOMAIN_COHORT - 1);
    // Ten shipped voices: the probe's term is w = 10 / 20 its own mean (0.3) and 1 - w the enrolled voice's (0.5).
    const probeTerm = 0.5 * 0.3 + 0.5 * 0.5;
    expect(margin(near(0.6), small, [], shipped)).toBeCloseTo((0.6 - (0.5 + probeTerm) / 2) / Math.sqrt(1.1), 5);
    expect(margin(near(0.6), orthogonalCohort(MIN_DOMAIN_COHORT), [], shipped)).toBeCloseTo(0.6 / Math.sqrt(1 + 1 / MIN_DOMAIN_COHORT), 5);
    // With no shipped cohort (an operator's own model), what the domain has is used.
    expect(margin(near(0.6), small, [], [])).toBeCloseTo(0.6 / Math.sqrt(1 + 1 / small.length), 5);
  });

  it('counts only voices of the same model', () => {
    const mixed = [
      ...orthogonalCohort(4),
      ...orthogonalCohort(4, 'another-model').map((m) => ({ ...m, id: `${m.id}-b`, vector: near(0.9) })),
    ];
    expect(margin(near(0.6), mixed)).toBeCloseTo(margin(near(0.6), orthogonalCohort(4)), 6);
  });

  it('refuses voiceprints of different models, and says to enroll other speakers when there is no cohort at all', () => {
    expect(() => cohortMargin(enrolled, print(axis(1), 'another-model'), [], [], new Set())).toThrow(/enroll again/);
    expect(() => cohortMargin(enrolled, print(axis(1)), [], [], new Set())).toThrow(/enroll other speakers/);
  });
});

describe('DomainScorer', () => {
  const probe = print(axis(0));
  const scorer = new DomainScorer(scoring(), orthogonalCohort(20));

  it('scores two voiceprints with the calibration of their model', () => {
    const atM90 = near(mapping.m90 * Math.sqrt(1 + 1 / 20));
    expect(scorer.score(probe, print(atM90))).toBe(90);
    const otherModel = new DomainScorer(scoring(), orthogonalCohort(20, 'x'));
    expect(() => otherModel.score(print(axis(0), 'x'), print(axis(1), 'x'))).toThrow(/no score calibration/);
  });

  it('gives the fraud risk of the closest fraudster, with its id, HIGH_RISK from the risk threshold (50) up', () => {
    const fraudsters = [
      { id: 'far', voiceprint: print(near(0)) },
      { id: 'near', voiceprint: print(near(0.9)) },
      { id: 'middle', voiceprint: print(near(0.3)) },
    ];
    expect(scorer.fraudRisk(probe, fraudsters)).toEqual({ riskScore: 100, fraudsterId: 'near', decision: 'HIGH_RISK' });
    const risk = scorer.fraudRisk(probe, [fraudsters[0]]);
    expect(risk).toMatchObject({ fraudsterId: 'far', decision: 'LOW_RISK' });
    expect(scorer.fraudRisk(probe, [fraudsters[0]], risk.riskScore).decision).toBe('HIGH_RISK');
  });

  it('lowers the closest margin by what a longer list adds to the best impostor margin, so risk 50 keeps its rate', () => {
    // k: the impostor rate falls by a factor e per 1/k of margin between the calibration's 1 % and 10 % points.
    const k = (mapping.a * Math.log(10)) / Math.log(9);
    const at = (similarity: number, copies: number) =>
      scorer.fraudRisk(
        probe,
        Array.from({ length: copies }, (_, i) => ({ id: `f${i}`, voiceprint: print(near(similarity)) })),
      ).riskScore;
    const single = (similarity: number) => scorer.fraudRisk(probe, [{ id: 'f', voiceprint: print(near(similarity)) }]).riskScore;
    const shift = (Math.log(100) / k) * Math.sqrt(1 + 1 / 20);
    expect(at(0.3, 1)).toBe(single(0.3));
    expect(at(0.3, 100)).toBe(single(0.3 - shift));
    expect(at(0.3, 100)).toBeLessThan(at(0.3, 1));
  });

  it('is 0 and LOW_RISK with no fraudster to compare with', () => {
    expect(scorer.fraudRisk(probe, [])).toEqual({ riskScore: 0, decision: 'LOW_RISK' });
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
