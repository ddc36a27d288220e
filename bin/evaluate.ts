/**
 * `npm run evaluate -- <folder> [--out dir] [--rotations K]`: speaker-verification figures of the service's own
 * audio pipeline (Silero VAD trim, resampler, speaker model, calibrated scores) on a folder of 8 kHz WAV files.
 *
 * The folder has manifest.csv (path,speaker[,...]; paths relative to the folder) or one sub-folder of .wav files
 * per speaker. The protocol follows model/evaluate.py, with Voice ID's speech amounts counted as the service
 * counts them, in net speech after the VAD:
 *   - enrollment: a speaker's files in manifest order, whole, until they hold 30 s of net speech; their speech
 *     concatenated gives one voiceprint;
 *   - tests: the speech of the speaker's other files, concatenated in order and cut into consecutive 10 s pieces
 *     (a shorter tail is dropped, as the service would answer NOT_ENOUGH_SPEECH). Sets of short clips (digits,
 *     isolated words) thus still give 30 s enrollments and 10 s tests;
 *   - trials: every test against every enrollment of the same rotation; --rotations K repeats the protocol with
 *     the file order rotated by 0..K-1 files, for more (correlated) trials;
 *   - a speaker without 30 s of speech for enrollment and 10 s more for a test is skipped, with a note.
 * --enroll-seconds and --test-seconds change the 30 s and 10 s, for sets with less speech per speaker than Voice
 * ID's rules need (below 30 s of enrollment speech, the figures are not those of the service as configured).
 * It prints EER, minDCF (P_target 0.01, C_miss = C_fa = 1), FAR and FRR at the default acceptance threshold (score
 * 90), trial counts and the embedding real-time factor, and writes det.png, histograms.png and scores.json.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import calibration from '../model/calibration.json';
import { cosine, DEFAULT_ACCEPTANCE_THRESHOLD, similarityScore } from '../lambda/biometrics/scoring.ts';
import { speakerEmbedder, type SpeakerEmbedder } from '../lambda/biometrics/speaker-model.ts';
import {
  DEFAULT_AUTHENTICATION_SPEECH_SECONDS,
  embedSpeech,
  ENROLLMENT_SPEECH_SECONDS,
  extractSpeech,
  type Voiceprint,
} from '../lambda/biometrics/voiceprint.ts';
import { decodeWav, VOICE_ID_SAMPLE_RATE } from '../lambda/biometrics/wav.ts';

const RATE = VOICE_ID_SAMPLE_RATE;
const P_TARGET = 0.01;

export interface Trial {
  target: boolean;
  cosine: number;
  score: number;
}

export interface Evaluation {
  speakers: number;
  enrollments: number;
  tests: number;
  trials: Trial[];
  skipped: string[];
  audioSeconds: number;
  embeddedSeconds: number;
  embeddingMs: number;
}

/** Speakers and their files, in manifest order, or one sub-folder per speaker with its files sorted by name. */
export function loadSpeakers(folder: string): Map<string, string[]> {
  const speakers = new Map<string, string[]>();
  const add = (speaker: string, file: string) => speakers.set(speaker, [...(speakers.get(speaker) ?? []), file]);
  let manifest: string | undefined;
  try {
    manifest = readFileSync(path.join(folder, 'manifest.csv'), 'utf8');
  } catch {
    for (const entry of readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory()).sort(byName)) {
      const files = readdirSync(path.join(folder, entry.name)).filter((f) => f.endsWith('.wav')).sort();
      for (const file of files) add(entry.name, path.join(folder, entry.name, file));
    }
    return speakers;
  }
  const [header, ...rows] = manifest.trim().split(/\r?\n/).map((line) => line.split(','));
  const [pathColumn, speakerColumn] = ['path', 'speaker'].map((name) => header.indexOf(name));
  if (pathColumn < 0 || speakerColumn < 0) throw new Error(`${folder}/manifest.csv needs path and speaker columns.`);
  for (const row of rows) add(row[speakerColumn], path.join(folder, row[pathColumn]));
  return speakers;
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** Runs the protocol in the header comment. */
export async function evaluate(
  folder: string,
  {
    rotations = 1,
    embedder = speakerEmbedder(),
    enrollSeconds = ENROLLMENT_SPEECH_SECONDS,
    testSeconds = DEFAULT_AUTHENTICATION_SPEECH_SECONDS,
  }: { rotations?: number; embedder?: SpeakerEmbedder; enrollSeconds?: number; testSeconds?: number } = {},
): Promise<Evaluation> {
  const timed = timedEmbedder(embedder);
  const speechOf = new Map<string, Float32Array>();
  let audioSeconds = 0;
  const speech = async (file: string) => {
    let result = speechOf.get(file);
    if (!result) {
      const samples = decodeWav(readFileSync(file)).samples;
      audioSeconds += samples.length / RATE;
      result = await extractSpeech(samples);
      speechOf.set(file, result);
    }
    return result;
  };
  const print = async (samples: Float32Array): Promise<Voiceprint> => ({
    model: embedder.name,
    vector: await embedSpeech(samples, timed),
    speechSeconds: samples.length / RATE,
  });

  const enrollments: { speaker: string; rotation: number; print: Voiceprint }[] = [];
  const tests: typeof enrollments = [];
  const skipped: string[] = [];
  const enrollmentSamples = enrollSeconds * RATE;
  const testSamples = testSeconds * RATE;
  for (const [speaker, files] of loadSpeakers(folder)) {
    for (let rotation = 0; rotation < Math.min(rotations, files.length); rotation++) {
      const ordered = [...files.slice(rotation), ...files.slice(0, rotation)];
      const enrollment: Float32Array[] = [];
      let used = 0;
      while (used < ordered.length && total(enrollment) < enrollmentSamples) enrollment.push(await speech(ordered[used++]));
      const rest = concatenate(await Promise.all(ordered.slice(used).map(speech)));
      const pieces = Math.floor(rest.length / testSamples);
      const label = rotations > 1 ? `${speaker} (rotation ${rotation})` : speaker;
      if (total(enrollment) < enrollmentSamples) {
        skipped.push(`${label}: ${seconds(total(enrollment))} of net speech in all ${files.length} files, ${enrollSeconds} s needed to enroll`);
        continue;
      }
      if (pieces === 0) {
        skipped.push(`${label}: ${seconds(rest.length)} of net speech left after enrollment, ${testSeconds} s needed for a test`);
        continue;
      }
      enrollments.push({ speaker, rotation, print: await print(concatenate(enrollment)) });
      for (let i = 0; i < pieces; i++) {
        tests.push({ speaker, rotation, print: await print(rest.subarray(i * testSamples, (i + 1) * testSamples)) });
      }
    }
  }

  const trials: Trial[] = [];
  for (const test of tests) {
    for (const enrolled of enrollments.filter(({ rotation }) => rotation === test.rotation)) {
      trials.push({
        target: test.speaker === enrolled.speaker,
        cosine: cosine(enrolled.print.vector, test.print.vector),
        score: similarityScore(enrolled.print, test.print),
      });
    }
  }
  return {
    speakers: new Set(enrollments.map(({ speaker }) => speaker)).size,
    enrollments: enrollments.length,
    tests: tests.length,
    trials,
    skipped,
    audioSeconds,
    ...timed.totals(),
  };
}

/** Counts the audio the model is given and the time it takes, for the real-time factor. */
function timedEmbedder(embedder: SpeakerEmbedder) {
  let embeddedSeconds = 0;
  let embeddingMs = 0;
  return {
    name: embedder.name,
    sampleRate: embedder.sampleRate,
    dimension: embedder.dimension,
    async embed(samples: Float32Array) {
      const started = performance.now();
      const embedding = await embedder.embed(samples);
      embeddingMs += performance.now() - started;
      embeddedSeconds += samples.length / embedder.sampleRate;
      return embedding;
    },
    totals: () => ({ embeddedSeconds, embeddingMs }),
  };
}

/** One point of the DET curve per threshold: rejecting the `i` lowest-scoring trials. */
export function detPoints(trials: Trial[]): { miss: number; falseAlarm: number }[] {
  const sorted = [...trials].sort((a, b) => a.cosine - b.cosine);
  const targets = trials.filter((trial) => trial.target).length;
  const nontargets = trials.length - targets;
  const points = [{ miss: 0, falseAlarm: 1 }];
  let misses = 0;
  let rejectedNontargets = 0;
  for (const trial of sorted) {
    if (trial.target) misses++;
    else rejectedNontargets++;
    points.push({ miss: misses / targets, falseAlarm: 1 - rejectedNontargets / nontargets });
  }
  return points;
}

/** Where miss and false-alarm rates cross, interpolated between the two thresholds around the crossing. */
export function equalErrorRate(trials: Trial[]): number {
  const points = detPoints(trials);
  const j = points.findIndex(({ miss, falseAlarm }) => miss >= falseAlarm);
  const [before, after] = [points[Math.max(0, j - 1)], points[j]];
  const d0 = before.miss - before.falseAlarm;
  const d1 = after.miss - after.falseAlarm;
  if (j === 0 || d1 === d0) return (after.miss + after.falseAlarm) / 2;
  const t = -d0 / (d1 - d0);
  return before.falseAlarm + t * (after.falseAlarm - before.falseAlarm);
}

/** The NIST detection cost at its best threshold, normalised by the cost of always rejecting or accepting. */
export function minDcf(trials: Trial[], pTarget = P_TARGET): number {
  const costs = detPoints(trials).map(({ miss, falseAlarm }) => pTarget * miss + (1 - pTarget) * falseAlarm);
  return Math.min(...costs) / Math.min(pTarget, 1 - pTarget);
}

export function ratesAtScore(trials: Trial[], threshold: number): { far: number; frr: number } {
  const targets = trials.filter((trial) => trial.target);
  const nontargets = trials.filter((trial) => !trial.target);
  return {
    far: nontargets.filter((trial) => trial.score >= threshold).length / nontargets.length,
    frr: targets.filter((trial) => trial.score < threshold).length / targets.length,
  };
}

function total(parts: Float32Array[]): number {
  return parts.reduce((sum, part) => sum + part.length, 0);
}

function concatenate(parts: Float32Array[]): Float32Array {
  const result = new Float32Array(total(parts));
  parts.reduce((offset, part) => (result.set(part, offset), offset + part.length), 0);
  return result;
}

const seconds = (samples: number) => `${(samples / RATE).toFixed(1)} s`;
const percent = (rate: number) => `${(100 * rate).toFixed(2)} %`;
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

// ---------------------------------------------------------------------------------------------------- plots

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
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
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
function detPlot(trials: Trial[], title: string): Buffer {
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
    line(g, [[x(tick), MARGIN.top], [x(tick), MARGIN.top + plotH]], COLOURS.grid);
    line(g, [[MARGIN.left, y(tick)], [MARGIN.left + plotW, y(tick)]], COLOURS.grid);
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
  line(g, [[x(ticks[0]), y(ticks[0])], [x(ticks[ticks.length - 1]), y(ticks[ticks.length - 1])]], '#999999', 1, [4, 4]);
  line(g, detPoints(trials).map(({ miss, falseAlarm }) => [x(falseAlarm), y(miss)]), '#2166ac', 2);

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

/** Target and non-target distributions of cosine (top) and calibrated score (bottom), each as a share of its class. */
function histograms(trials: Trial[], title: string, cosineAt90: number): Buffer {
  const { image, g } = canvas(title);
  const panelH = (HEIGHT - MARGIN.top - MARGIN.bottom - 40) / 2;
  const panels = [
    { value: (t: Trial) => t.cosine, range: [0.3, 1], bins: 70, step: 0.1, label: 'cosine similarity', threshold: cosineAt90 },
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
    line(g, [[x(threshold), top], [x(threshold), top + panelH]], COLOURS.axis, 1.5, [5, 4]);
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

// ---------------------------------------------------------------------------------------------------- command

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
  const embedder = speakerEmbedder();
  const started = performance.now();
  const result = await evaluate(folder, { rotations, embedder, enrollSeconds, testSeconds });
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
      `  minDCF (P_tar 0.01)  ${dcf.toFixed(3)}`,
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

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
