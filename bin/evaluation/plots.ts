/**
 * The evaluation's figures as PNG: the DET curve and the score histograms. They live under bin/ because
 * @napi-rs/canvas is a development dependency, which no Lambda bundle may reach.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { detPoints, equalErrorRate, ratesAtScore, type Trial } from '#biometrics/evaluation/metrics';
import { DEFAULT_ACCEPTANCE_THRESHOLD } from '#biometrics/scoring';

/** Rates as the plots label them and the command prints them. */
export const percent = (rate: number) => `${(100 * rate).toFixed(2)} %`;

const WIDTH = 720;
const HEIGHT = 640;
const MARGIN = { left: 80, right: 24, top: 48, bottom: 64 };
const COLOURS = { target: '#1b7837', nontarget: '#b2182b', grid: '#dddddd', axis: '#333333' };

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

function canvas(title: string) {
  const image = createCanvas(WIDTH, HEIGHT);
  const g = image.getContext('2d');
  g.fillStyle = 'white';
  g.fillRect(0, 0, WIDTH, HEIGHT);
  g.fillStyle = COLOURS.axis;
  g.font = 'bold 16px sans-serif';
  g.textAlign = 'center';
  g.fillText(title, WIDTH / 2, 28);
  g.font = '13px sans-serif';
  return { image, g };
}

function line(g: SKRSContext2D, points: [number, number][], colour: string, width = 1, dash: number[] = []) {
  g.strokeStyle = colour;
  g.lineWidth = width;
  g.setLineDash(dash);
  g.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? g.moveTo(x, y) : g.lineTo(x, y)));
  g.stroke();
  g.setLineDash([]);
}

/** Miss rate against false-alarm rate, both on normal-deviate axes, so that Gaussian scores give straight lines. */
export function detPlot(trials: Trial[], title: string): Buffer {
  const { image, g } = canvas(title);
  const ticks = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6];
  const [low, high] = [probit(ticks[0]), probit(ticks[ticks.length - 1])];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  // Rates of 0 or 1 have no normal deviate: they are drawn on the plot's edge.
  const position = (p: number) => (Math.min(high, Math.max(low, probit(Math.min(Math.max(p, 1e-9), 1 - 1e-9)))) - low) / (high - low);
  const x = (p: number) => MARGIN.left + position(p) * plotW;
  const y = (p: number) => MARGIN.top + (1 - position(p)) * plotH;
  for (const tick of ticks) {
    line(
      g,
      [
        [x(tick), MARGIN.top],
        [x(tick), MARGIN.top + plotH],
      ],
      COLOURS.grid,
    );
    line(
      g,
      [
        [MARGIN.left, y(tick)],
        [MARGIN.left + plotW, y(tick)],
      ],
      COLOURS.grid,
    );
    g.fillStyle = COLOURS.axis;
    g.textAlign = 'center';
    g.fillText(`${100 * tick}`, x(tick), MARGIN.top + plotH + 18);
    g.textAlign = 'right';
    g.fillText(`${100 * tick}`, MARGIN.left - 6, y(tick) + 4);
  }
  g.strokeStyle = COLOURS.axis;
  g.strokeRect(MARGIN.left, MARGIN.top, plotW, plotH);
  g.textAlign = 'center';
  g.fillText('false acceptance rate (%)', MARGIN.left + plotW / 2, HEIGHT - 20);
  g.save();
  g.translate(22, MARGIN.top + plotH / 2);
  g.rotate(-Math.PI / 2);
  g.fillText('false rejection rate (%)', 0, 0);
  g.restore();
  line(
    g,
    [
      [x(ticks[0]), y(ticks[0])],
      [x(ticks[ticks.length - 1]), y(ticks[ticks.length - 1])],
    ],
    '#999999',
    1,
    [4, 4],
  );
  line(
    g,
    detPoints(trials).map(({ miss, falseAlarm }) => [x(falseAlarm), y(miss)]),
    '#2166ac',
    2,
  );

  const eer = equalErrorRate(trials);
  const { far, frr } = ratesAtScore(trials, DEFAULT_ACCEPTANCE_THRESHOLD);
  marker(g, x(eer), y(eer), '#2166ac', `EER ${percent(eer)}`, 0);
  marker(g, x(far), y(frr), '#e08214', `at score ${DEFAULT_ACCEPTANCE_THRESHOLD}: FAR ${percent(far)}, FRR ${percent(frr)}`, 1);
  return image.toBuffer('image/png');
}

/** A dot on the curve, keyed by the legend line `row` in the top-right corner, where labels cannot overlap. */
function marker(g: SKRSContext2D, px: number, py: number, colour: string, label: string, row: number) {
  g.fillStyle = colour;
  g.beginPath();
  g.arc(px, py, 5, 0, 2 * Math.PI);
  g.arc(WIDTH - MARGIN.right - 12, MARGIN.top + 18 + 20 * row, 5, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = COLOURS.axis;
  g.textAlign = 'right';
  g.fillText(label, WIDTH - MARGIN.right - 24, MARGIN.top + 23 + 20 * row);
}

/** Target and non-target distributions of cohort margin (top) and calibrated score (bottom), each as a share of its class. */
export function histograms(trials: Trial[], title: string, marginAt90: number): Buffer {
  const { image, g } = canvas(title);
  const panelH = (HEIGHT - MARGIN.top - MARGIN.bottom - 40) / 2;
  const panels = [
    { value: (t: Trial) => t.margin, range: [-0.3, 0.5], bins: 80, step: 0.1, label: 'cohort margin', threshold: marginAt90 },
    // Bins of 2 points, the last one [100, 102) so that a score of 100 has a bin of its own width.
    { value: (t: Trial) => t.score, range: [0, 102], bins: 51, step: 10, label: 'score (0-100)', threshold: DEFAULT_ACCEPTANCE_THRESHOLD },
  ];
  panels.forEach(({ value, range, bins, step, label, threshold }, index) => {
    const top = MARGIN.top + index * (panelH + 40);
    const left = MARGIN.left;
    const plotW = WIDTH - MARGIN.left - MARGIN.right;
    const bin = (v: number) => Math.min(bins - 1, Math.max(0, Math.floor(((v - range[0]) / (range[1] - range[0])) * bins)));
    const shares = (target: boolean) => {
      const counts = new Array<number>(bins).fill(0);
      const members = trials.filter((t) => t.target === target);
      for (const trial of members) counts[bin(value(trial))]++;
      return counts.map((count) => count / members.length);
    };
    const series = [
      { target: true, colour: COLOURS.target, shares: shares(true) },
      { target: false, colour: COLOURS.nontarget, shares: shares(false) },
    ];
    const peak = Math.max(...series.flatMap((s) => s.shares));
    const x = (v: number) => left + ((v - range[0]) / (range[1] - range[0])) * plotW;
    const y = (share: number) => top + panelH - (share / peak) * (panelH - 10);
    for (const { colour, shares: values } of series) {
      g.fillStyle = `${colour}55`;
      values.forEach((share, i) => {
        const x0 = x(range[0] + (i * (range[1] - range[0])) / bins);
        const x1 = x(range[0] + ((i + 1) * (range[1] - range[0])) / bins);
        g.fillRect(x0, y(share), x1 - x0, top + panelH - y(share));
      });
    }
    g.strokeStyle = COLOURS.axis;
    g.strokeRect(left, top, plotW, panelH);
    line(
      g,
      [
        [x(threshold), top],
        [x(threshold), top + panelH],
      ],
      COLOURS.axis,
      1.5,
      [5, 4],
    );
    g.fillStyle = COLOURS.axis;
    g.textAlign = 'center';
    for (let v = range[0]; v <= range[1] + 1e-9; v += step) {
      g.fillText(Number(v.toFixed(1)).toString(), x(v), top + panelH + 16);
    }
    g.fillText(label, left + plotW / 2, top + panelH + 32);
    g.textAlign = 'right';
    g.fillText(`threshold: score ${DEFAULT_ACCEPTANCE_THRESHOLD}`, x(threshold) - 6, top + 16);
    g.save();
    g.translate(22, top + panelH / 2);
    g.rotate(-Math.PI / 2);
    g.textAlign = 'center';
    g.fillText('share of trials', 0, 0);
    g.restore();
    const counts = [trials.filter((t) => t.target).length, trials.filter((t) => !t.target).length];
    g.textAlign = 'left';
    series.forEach(({ colour, target }, i) => {
      g.fillStyle = colour;
      g.fillRect(left + 10, top + 10 + 18 * i, 12, 12);
      g.fillStyle = COLOURS.axis;
      g.fillText(`${target ? 'same speaker' : 'different speakers'} (${counts[i]} trials)`, left + 28, top + 21 + 18 * i);
    });
  });
  return image.toBuffer('image/png');
}
