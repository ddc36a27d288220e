import {
  detPoints,
  equalErrorRate,
  minDcf,
  ratesAtScore,
  rateWithInterval,
  type Trial,
  thresholdForFar,
} from '#biometrics/evaluation/metrics';

/** Trials ranked by margin; the score is only read by ratesAtScore, so elsewhere all scores are equal. */
const trials = (targets: number[], nontargets: number[], score = 50): Trial[] => [
  ...targets.map((cosine) => ({ target: true, cosine, margin: cosine, score })),
  ...nontargets.map((cosine) => ({ target: false, cosine, margin: cosine, score })),
];

const separated = trials([0.8, 0.9], [0.1, 0.2]);
const reversed = trials([0.1, 0.2], [0.8, 0.9]);
/** One target of four below the threshold between 0.4 and 0.6, one non-target of four above it. */
const overlapping = trials([0.3, 0.6, 0.7, 0.9], [0.1, 0.2, 0.4, 0.8]);

describe('detPoints', () => {
  it('goes from accepting everything to rejecting everything, one trial at a time in order of margin', () => {
    expect(detPoints(trials([0.5, 0.9], [0.1, 0.7]))).toEqual([
      { miss: 0, falseAlarm: 1 },
      { miss: 0, falseAlarm: 0.5 }, // 0.1 rejected
      { miss: 0.5, falseAlarm: 0.5 }, // 0.5
      { miss: 0.5, falseAlarm: 0 }, // 0.7
      { miss: 1, falseAlarm: 0 }, // 0.9
    ]);
  });
});

describe('equalErrorRate', () => {
  it('is 0 when every target trial is above every non-target one, and 1 when every one is below', () => {
    expect(equalErrorRate(separated)).toBe(0);
    expect(equalErrorRate(reversed)).toBe(1);
  });

  it('is the rate at the threshold where misses and false alarms are equal', () => {
    expect(equalErrorRate(overlapping)).toBeCloseTo(0.25, 12);
  });

  it('interpolates along the step of the DET curve that crosses the diagonal', () => {
    // Rejecting the three lowest trials misses 1/4 of targets and lets 1/3 of non-targets through; rejecting the
    // last non-target as well lets none through. The rates are equal at 1/4 on the way.
    expect(equalErrorRate(trials([0.2, 0.6, 0.7, 0.9], [0.1, 0.3, 0.4]))).toBeCloseTo(0.25, 12);
  });

  it('ranks trials by margin, which integer scores would tie', () => {
    expect(equalErrorRate(trials([0.95, 0.96], [0.93, 0.94], 100))).toBe(0);
  });
});

describe('minDcf', () => {
  it('is 0 for separated scores and 1, the cost of ignoring them, for reversed ones', () => {
    expect(minDcf(separated)).toBe(0);
    expect(minDcf(reversed)).toBeCloseTo(1, 12);
  });

  it('weighs misses by P_target 0.01 by default: rejecting all but the highest target costs least', () => {
    // At the threshold between 0.8 and 0.9: 3/4 of targets missed, no false alarm: 0.01 * 0.75 / 0.01.
    expect(minDcf(overlapping)).toBeCloseTo(0.75, 12);
  });

  it('takes another P_target', () => {
    // Equal priors: the best threshold errs on 1/4 of each class, 0.5 * 0.25 + 0.5 * 0.25, normalised by 0.5.
    expect(minDcf(overlapping, 0.5)).toBeCloseTo(0.5, 12);
  });
});

describe('ratesAtScore', () => {
  const scored: Trial[] = [
    ...[95, 90, 89, 40].map((score) => ({ target: true, cosine: 0, margin: 0, score })),
    ...[91, 90, 10, 5, 0].map((score) => ({ target: false, cosine: 0, margin: 0, score })),
  ];

  it('accepts scores at or above the threshold, as the service does', () => {
    expect(ratesAtScore(scored, 90)).toEqual({ far: 2 / 5, frr: 2 / 4 });
  });

  it('accepts everything at 0 and nothing above 100', () => {
    expect(ratesAtScore(scored, 0)).toEqual({ far: 1, frr: 0 });
    expect(ratesAtScore(scored, 101)).toEqual({ far: 0, frr: 1 });
  });
});

describe('rateWithInterval', () => {
  it('gives the 95 % Wilson interval, which stays inside 0-1 and is not empty at 0 of n', () => {
    // Reference values: statsmodels proportion_confint(count, n, method='wilson').
    const half = rateWithInterval(50, 100);
    expect(half.rate).toBe(0.5);
    expect(half.low).toBeCloseTo(0.4038, 4);
    expect(half.high).toBeCloseTo(0.5962, 4);
    const none = rateWithInterval(0, 420);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.00906, 4);
    const all = rateWithInterval(10, 10);
    expect(all.high).toBeCloseTo(1, 12);
    expect(all.low).toBeCloseTo(0.7225, 4);
  });
});

describe('thresholdForFar', () => {
  it('is the lowest integer score at which at most the given share of impostors is accepted', () => {
    const impostors: Trial[] = Array.from({ length: 100 }, (_, i) => ({ target: false, cosine: 0, margin: 0, score: i }));
    expect(thresholdForFar(impostors, 0.01)).toBe(99);
    expect(thresholdForFar(impostors, 0.1)).toBe(90);
    expect(thresholdForFar(impostors, 0.001)).toBe(100);
    expect(thresholdForFar([...impostors, { target: false, cosine: 0, margin: 0, score: 100 }], 0)).toBe(101);
  });
});

describe('with only one class of trials', () => {
  it.each([
    ['no non-target', trials([0.9], [])],
    ['no target', trials([], [0.1])],
  ])('refuses to give rates over %s trials', (_, only) => {
    expect(() => equalErrorRate(only)).toThrow(RangeError);
    expect(() => minDcf(only)).toThrow(/need target and non-target trials/);
    expect(() => ratesAtScore(only, 90)).toThrow(RangeError);
  });
});
