/**
 * The evaluation protocol: how enrollments, tests and trials are formed from a folder of speaker-labelled 8 kHz WAV
 * files, run through the service's own pipeline (Silero VAD trim, resampler, speaker model, cohort-normalised and
 * calibrated scores, by the same code as EvaluateSession).
 *
 * The folder has manifest.csv (path,speaker[,...]; paths relative to the folder) or one sub-folder of .wav files
 * per speaker. The protocol follows model/evaluate.py, with Voice ID's speech amounts counted as the service
 * counts them, in net speech after the VAD:
 *   - enrollment: a speaker's files in manifest order, whole, until they hold 30 s of net speech; their speech
 *     concatenated gives one voiceprint;
 *   - tests: the speech of the speaker's other files, concatenated in order and cut into consecutive 10 s pieces
 *     (a shorter tail is dropped, as the service would answer NOT_ENOUGH_SPEECH). Sets of short clips (digits,
 *     isolated words) thus still give 30 s enrollments and 10 s tests;
 *   - trials: every test against every enrollment of the same rotation; `rotations` K repeats the protocol with
 *     the file order rotated by 0..K-1 files, for more (correlated) trials;
 *   - the cohort of a trial, standing for the domain's other enrolled speakers, is the other enrollments of the
 *     rotation without the claimed and the test speaker's own: a real impostor is rarely an enrolled customer,
 *     and a cohort holding the impostor's own voiceprint would flatter the figures;
 *   - a speaker without 30 s of speech for enrollment and 10 s more for a test is skipped, with a note.
 * `enrollSeconds` and `testSeconds` change the 30 s and 10 s, for sets with less speech per speaker than Voice ID's
 * rules need (below 30 s of enrollment speech, the figures are not those of the service as configured).
 * `impostorsOnly`, for sets of one recording per speaker (calibration needs only impostor trials): each speaker's
 * tests are cut from all of its speech, the enrollment's included, and no target trial is formed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cosine, DomainScorer, type ModelScoring } from '#biometrics/scoring';
import type { SpeakerEmbedder } from '#biometrics/speaker-model';
import {
  concatenate,
  DEFAULT_AUTHENTICATION_SPEECH_SECONDS,
  ENROLLMENT_SPEECH_SECONDS,
  embedSpeech,
  extractSpeech,
  type Voiceprint,
} from '#biometrics/voiceprint';
import { decodeWav, VOICE_ID_SAMPLE_RATE } from '#biometrics/wav';
import type { Trial } from './metrics.ts';

const RATE = VOICE_ID_SAMPLE_RATE;

/** A voiceprint the protocol made, and whose it is. */
export interface LabelledPrint {
  speaker: string;
  rotation: number;
  print: Voiceprint;
}

export interface Evaluation {
  /** Speakers enrolled, and speakers in the folder. */
  speakers: number;
  speakersInSet: number;
  /** Speakers without enough speech to enroll in any rotation: the failure-to-enrol rate's numerator. */
  failedToEnroll: number;
  enrollments: LabelledPrint[];
  tests: LabelledPrint[];
  trials: Trial[];
  /** Why each speaker (and rotation) left out was left out. */
  skipped: string[];
  /** Audio read, before the VAD; each file counts once. */
  audioSeconds: number;
  /** Seconds of speech given to the model, and the time it took over them: the real-time factor. */
  embeddedSeconds: number;
  embeddingMs: number;
}

export interface ProtocolOptions {
  embedder: SpeakerEmbedder;
  scoring: ModelScoring;
  rotations?: number;
  enrollSeconds?: number;
  testSeconds?: number;
  impostorsOnly?: boolean;
}

/** Speakers and their files, in manifest order, or one sub-folder per speaker with its files sorted by name. */
function loadSpeakers(folder: string): Map<string, string[]> {
  const speakers = new Map<string, string[]>();
  const add = (speaker: string, file: string) => speakers.set(speaker, [...(speakers.get(speaker) ?? []), file]);
  let manifest: string | undefined;
  try {
    manifest = readFileSync(path.join(folder, 'manifest.csv'), 'utf8');
  } catch {
    for (const entry of readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .sort(byName)) {
      const files = readdirSync(path.join(folder, entry.name))
        .filter((f) => f.endsWith('.wav'))
        .sort();
      for (const file of files) add(entry.name, path.join(folder, entry.name, file));
    }
    return speakers;
  }
  const [header, ...rows] = manifest
    .trim()
    .split(/\r?\n/)
    .map((line) => line.split(','));
  const [pathColumn, speakerColumn] = ['path', 'speaker'].map((name) => header.indexOf(name));
  if (pathColumn < 0 || speakerColumn < 0) throw new Error(`${folder}/manifest.csv needs path and speaker columns.`);
  for (const row of rows) add(row[speakerColumn], path.join(folder, row[pathColumn]));
  return speakers;
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** Runs the protocol in the header comment on the recordings in `folder`. */
export async function evaluate(
  folder: string,
  {
    embedder,
    scoring,
    rotations = 1,
    enrollSeconds = ENROLLMENT_SPEECH_SECONDS,
    testSeconds = DEFAULT_AUTHENTICATION_SPEECH_SECONDS,
    impostorsOnly = false,
  }: ProtocolOptions,
): Promise<Evaluation> {
  const timed = timedEmbedder(embedder);
  // Rotations reuse the same files: each is decoded and trimmed once.
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

  const enrollments: LabelledPrint[] = [];
  const tests: LabelledPrint[] = [];
  const skipped: string[] = [];
  const speakers = loadSpeakers(folder);
  const enrollmentSamples = enrollSeconds * RATE;
  const testSamples = testSeconds * RATE;
  for (const [speaker, files] of speakers) {
    for (let rotation = 0; rotation < Math.min(rotations, files.length); rotation++) {
      const ordered = [...files.slice(rotation), ...files.slice(0, rotation)];
      const enrollment: Float32Array[] = [];
      let enrolled = 0;
      let used = 0;
      while (used < ordered.length && enrolled < enrollmentSamples) {
        const part = await speech(ordered[used++]);
        enrollment.push(part);
        enrolled += part.length;
      }
      const rest = concatenate(await Promise.all(ordered.slice(impostorsOnly ? 0 : used).map(speech)));
      const pieces = Math.floor(rest.length / testSamples);
      const label = rotations > 1 ? `${speaker} (rotation ${rotation})` : speaker;
      if (enrolled < enrollmentSamples) {
        skipped.push(`${label}: ${seconds(enrolled)} of net speech in all ${files.length} files, ${enrollSeconds} s needed to enroll`);
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

  const enrolledSpeakers = new Set(enrollments.map(({ speaker }) => speaker));
  return {
    speakers: enrolledSpeakers.size,
    speakersInSet: speakers.size,
    failedToEnroll: [...speakers.keys()].filter((speaker) => !enrolledSpeakers.has(speaker)).length,
    enrollments,
    tests,
    trials: scoreTrials(enrollments, tests, scoring, { impostorsOnly }),
    skipped,
    audioSeconds,
    ...timed.totals(),
  };
}

/**
 * Every test against every enrollment of its rotation, scored as EvaluateSession scores a caller against the
 * claimed speaker, with the rotation's other enrollments as the domain's cohort (header comment).
 */
export function scoreTrials(
  enrollments: LabelledPrint[],
  tests: LabelledPrint[],
  scoring: ModelScoring,
  { impostorsOnly = false } = {},
): Trial[] {
  const trials: Trial[] = [];
  const scorers = new Map<number, DomainScorer>();
  for (const test of tests) {
    const enrolledInRotation = enrollments.filter(({ rotation }) => rotation === test.rotation);
    let scorer = scorers.get(test.rotation);
    if (!scorer) {
      scorer = new DomainScorer(
        scoring,
        enrolledInRotation.map(({ speaker, print }) => ({ id: speaker, model: print.model, vector: print.vector })),
      );
      scorers.set(test.rotation, scorer);
    }
    for (const enrolled of enrolledInRotation) {
      const target = test.speaker === enrolled.speaker;
      if (target && impostorsOnly) continue;
      const margin = scorer.margin(enrolled.print, test.print, new Set([test.speaker, enrolled.speaker]));
      trials.push({
        target,
        cosine: cosine(enrolled.print.vector, test.print.vector),
        margin,
        score: scorer.scoreOf(margin, test.print.model),
      });
    }
  }
  return trials;
}

/** Counts the audio the model is given and the time it takes, for the real-time factor. */
function timedEmbedder(embedder: SpeakerEmbedder): SpeakerEmbedder & {
  totals(): { embeddedSeconds: number; embeddingMs: number };
} {
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

const seconds = (samples: number) => `${(samples / RATE).toFixed(1)} s`;
