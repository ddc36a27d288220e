/**
 * @jest-environment ./test/unit/biometrics/onnx-environment.ts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resample } from '#biometrics/resample';
import { detectSpeech, type SpeechActivity, SpeechSegmenter } from '#biometrics/vad';
import { decodeWav } from '#biometrics/wav';

/** shared/ sits beside the repository. */
const LIBRISPEECH = path.join(__dirname, '../../../..', 'shared/data/librispeech-test-other-10');

/** 15 s of read speech by one speaker, with a few pauses between phrases. */
const speech = decodeWav(readFileSync(path.join(LIBRISPEECH, 'spk1688/1688-142285-0000.wav'))).samples;

function padded(samples: Float32Array, seconds: number): Float32Array {
  const padding = seconds * 8000;
  const result = new Float32Array(samples.length + 2 * padding);
  result.set(samples, padding);
  return result;
}

/** Gaussian noise at the given RMS level, from a fixed seed. */
function noise(seconds: number, level: number): Float32Array {
  let seed = 7;
  const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return new Float32Array(seconds * 8000).map(() => level * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

function expectWellFormed({ speechSeconds, segments }: SpeechActivity, durationSeconds: number): void {
  let previousEnd = 0;
  for (const { start, end } of segments) {
    expect(start).toBeGreaterThanOrEqual(previousEnd);
    expect(end).toBeGreaterThan(start);
    previousEnd = end;
  }
  expect(previousEnd).toBeLessThanOrEqual(durationSeconds);
  expect(speechSeconds).toBeCloseTo(
    segments.reduce((total, { start, end }) => total + end - start, 0),
    9,
  );
}

describe('detectSpeech', () => {
  it('finds no speech in digital silence or in a quiet line hiss', async () => {
    expect(await detectSpeech(new Float32Array(10 * 8000), 8000)).toEqual({ speechSeconds: 0, segments: [] });
    expect((await detectSpeech(noise(10, 0.003), 8000)).speechSeconds).toBeLessThan(0.5);
    expect(await detectSpeech(new Float32Array(0), 8000)).toEqual({ speechSeconds: 0, segments: [] });
  });

  it('counts most of a read utterance as speech, but not its pauses', async () => {
    const activity = await detectSpeech(speech, 8000);
    expectWellFormed(activity, 15);
    expect(activity.speechSeconds).toBeGreaterThan(0.5 * 15);
    expect(activity.speechSeconds).toBeLessThan(15);
    expect(activity.segments.length).toBeGreaterThan(1);
  });

  it('counts the same speech whether or not silence surrounds it', async () => {
    const bare = await detectSpeech(speech, 8000);
    const surrounded = await detectSpeech(padded(speech, 3), 8000);
    expectWellFormed(surrounded, 21);
    expect(Math.abs(surrounded.speechSeconds - bare.speechSeconds)).toBeLessThan(0.5);
    expect(surrounded.segments[0].start).toBeGreaterThan(3);
    expect(surrounded.segments.at(-1)!.end).toBeLessThan(18.1);
  });

  it('agrees at 16 kHz with what it finds at 8 kHz', async () => {
    const narrowband = await detectSpeech(speech, 8000);
    const upsampled = await detectSpeech(resample(speech, 8000, 16000), 16000);
    expectWellFormed(upsampled, 15);
    expect(Math.abs(upsampled.speechSeconds - narrowband.speechSeconds)).toBeLessThan(1);
  });

  it('gives each of several concurrent calls its own model state', async () => {
    const alone = await detectSpeech(speech, 8000);
    const together = await Promise.all([detectSpeech(speech, 8000), detectSpeech(noise(15, 0.003), 8000), detectSpeech(speech, 8000)]);
    expect(together[0]).toEqual(alone);
    expect(together[2]).toEqual(alone);
  });

  it('refuses rates the model does not run at', async () => {
    await expect(detectSpeech(speech, 44100)).rejects.toThrow(/8000 or 16000 Hz, not 44100 Hz; resample first/);
  });
});

describe('SpeechSegmenter', () => {
  /**
   * One character per 256-sample window at 8 kHz: S speech (0.9), ~ undecided (0.4, between OFFSET and ONSET),
   * . silence (0.1). Speech must last more than 2000 samples, a pause of 800 ends it, pads are 240.
   */
  const windows = (pattern: string) => [...pattern].map((c) => (c === 'S' ? 0.9 : c === '~' ? 0.4 : 0.1));

  function segment(pattern: string, segmenter = new SpeechSegmenter(8000)) {
    for (const probability of windows(pattern)) segmenter.push(probability);
    return segmenter;
  }

  it('pads segments, bridges short pauses and drops short bursts', () => {
    const pattern = '.....SSSSSSSSSS.....SSSSS.....SSSSS..SS~~S...';
    const segmenter = segment(pattern);
    // The first segment is final as soon as its pause is long enough; the burst of 5 windows is dropped.
    expect(segmenter.takeEnded()).toEqual([{ start: 1280 - 240, end: 3840 + 240 }]);
    segmenter.end(pattern.length * 256);
    // Speech still being heard when the audio ends runs to its end, with no pad past it.
    expect(segmenter.takeEnded()).toEqual([{ start: 7680 - 240, end: 11520 }]);
    expect(segmenter.takeEnded()).toEqual([]);
  });

  it('finds the same segments when rebuilt from its snapshot after every window', () => {
    const pattern = '..SSSSSSSSS~~..SSS.....SSSSSSSSSSSS.......SS';
    const whole = segment(pattern);
    whole.end(pattern.length * 256);
    let resumed = new SpeechSegmenter(8000);
    const ended = [];
    for (const c of pattern) {
      resumed = segment(c, new SpeechSegmenter(8000, structuredClone(resumed.snapshot())));
      ended.push(...resumed.takeEnded());
    }
    resumed.end(pattern.length * 256);
    expect([...ended, ...resumed.takeEnded()]).toEqual(whole.takeEnded());
  });

  it('confirms speech once it outlasts the shortest kept, and keeps audio only until it is decided', () => {
    const segmenter = segment('....SSSSSSS');
    // 7 windows of speech could still turn out to be a click: nothing is confirmed, its padded start is kept.
    expect(segmenter.confirmed()).toBeUndefined();
    expect(segmenter.undecidedFrom()).toBe(1024 - 240);
    segment('S', segmenter);
    expect(segmenter.confirmed()).toEqual({ start: 1024 - 240, end: 3072 });
    expect(segmenter.undecidedFrom()).toBe(3072);
    // A pause that has not yet ended the segment may still be speech.
    segment('..', segmenter);
    expect(segmenter.confirmed()).toEqual({ start: 1024 - 240, end: 3072 });
    segment('S', segmenter);
    expect(segmenter.confirmed()).toEqual({ start: 1024 - 240, end: 3840 });
    segment('.....', segmenter);
    expect(segmenter.confirmed()).toBeUndefined();
    expect(segmenter.takeEnded()).toEqual([{ start: 1024 - 240, end: 3840 + 240 }]);
    // With no segment open, the next one's pad may reach back before the next window.
    expect(segmenter.undecidedFrom()).toBe(20 * 256 - 240);
  });
});
