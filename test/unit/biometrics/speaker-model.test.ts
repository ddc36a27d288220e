/**
 * @jest-environment ./test/unit/biometrics/onnx-environment.ts
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SpeakerModelNotProvisioned } from '#biometrics/errors';
import { FusedEmbedder, type SpeakerEmbedder, speakerEmbedder } from '#biometrics/speaker-model';
import type { CustomSpeakerModel } from '#biometrics/speaker-model-settings';

/**
 * Stand-ins for WeSpeaker and 3D-Speaker exports with sherpa-onnx metadata, and the embeddings the Python reference
 * (kaldi-native-fbank, mean subtraction, onnxruntime) gives for the fixture's signal: model/custom_model_fixtures.py.
 */
const FIXTURES = path.join(__dirname, '../../../model/fixtures');
const golden = JSON.parse(readFileSync(path.join(FIXTURES, 'fbank-golden.json'), 'utf8')) as {
  pcm16: number[];
  models: Record<string, number[]>;
};
const samples = Float32Array.from(golden.pcm16, (value) => value / 32768);
const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(path.join(FIXTURES, file)))
    .digest('hex');
const custom = (file: string, format: CustomSpeakerModel['format']): CustomSpeakerModel => ({ file, sha256: sha256(file), format });

function cosine(a: Float32Array, b: ArrayLike<number>): number {
  return a.reduce((sum, value, i) => sum + value * b[i], 0);
}

describe('speakerEmbedder', () => {
  it('gives resemblyzer-ge2e when no model is named, one instance per name', () => {
    const embedder = speakerEmbedder();
    expect(embedder.name).toBe('resemblyzer-ge2e');
    expect(speakerEmbedder('resemblyzer-ge2e')).toBe(embedder);
    expect(speakerEmbedder({ name: 'resemblyzer-ge2e' })).toBe(embedder);
  });

  it('refuses a model it does not know, listing the ones it does', () => {
    expect(() => speakerEmbedder('cam++')).toThrow(RangeError);
    expect(() => speakerEmbedder('cam++')).toThrow(
      'Unknown speaker model cam++; the known ones are: resemblyzer-ge2e, deep-speaker-rescnn, resemblyzer-ge2e+deep-speaker-rescnn.',
    );
  });

  it('builds the fusion of model/models.json from its parts, without loading them', () => {
    const fused = speakerEmbedder('resemblyzer-ge2e+deep-speaker-rescnn');
    expect([fused.sampleRate, fused.dimension]).toEqual([16000, 256 + 512]);
  });
});

describe('FusedEmbedder', () => {
  const part = (file: string) => speakerEmbedder({ directory: FIXTURES, custom: custom(file, 'sherpa-onnx') });
  const [first, second] = [part('tiny-wespeaker.onnx'), part('tiny-3d-speaker.onnx')];

  it("scores the mean of its parts' z-normalised cosines, up to an increasing affine map", async () => {
    const stds = [0.05, 0.2];
    const fused = new FusedEmbedder('both', [
      { embedder: first, nontargetStd: stds[0] },
      { embedder: second, nontargetStd: stds[1] },
    ]);
    expect(fused.dimension).toBe(32);
    const other = samples.slice().reverse();
    const partCosines = await Promise.all(
      [first, second].map(async (embedder) => cosine(await embedder.embed(samples), await embedder.embed(other))),
    );
    const expected = (partCosines[0] / stds[0] + partCosines[1] / stds[1]) / (1 / stds[0] + 1 / stds[1]);
    expect(cosine(await fused.embed(samples), await fused.embed(other))).toBeCloseTo(expected, 6);
  });

  it('refuses parts that take different sample rates', () => {
    const narrowband: SpeakerEmbedder = {
      name: 'narrowband',
      sampleRate: 8000,
      dimension: 16,
      embed: () => Promise.resolve(new Float32Array(16)),
    };
    expect(
      () =>
        new FusedEmbedder('mixed', [
          { embedder: first, nontargetStd: 1 },
          { embedder: narrowband, nontargetStd: 1 },
        ]),
    ).toThrow('The parts of mixed take different sample rates: 16000, 8000 Hz.');
  });
});

describe("an operator's own model", () => {
  it.each([
    ['tiny-wespeaker.onnx', 'wespeaker'],
    ['tiny-3d-speaker.onnx', '3d-speaker'],
    ['tiny-wespeaker.onnx', 'sherpa-onnx'],
    ['tiny-3d-speaker.onnx', 'sherpa-onnx'],
  ] as const)('embeds %s as a %s model as the Python reference does', async (file, format) => {
    const embedder = speakerEmbedder({ directory: FIXTURES, custom: custom(file, format) });
    expect(embedder.name).toBe(`custom-${format}-${sha256(file).slice(0, 12)}`);
    expect(embedder.sampleRate).toBe(16000);
    expect(embedder.dimension).toBe(16);
    const embedding = await embedder.embed(samples);
    expect(embedding).toHaveLength(16);
    expect(cosine(embedding, golden.models[file])).toBeGreaterThan(0.99999);
  });

  it("uses its framework's front end: a WeSpeaker file read as 3D-Speaker's gives another embedding", async () => {
    const asWespeaker = await speakerEmbedder({ directory: FIXTURES, custom: custom('tiny-wespeaker.onnx', 'sherpa-onnx') }).embed(samples);
    expect(cosine(asWespeaker, golden.models['tiny-3d-speaker.onnx'])).toBeLessThan(0.999);
  });

  it('refuses a file whose metadata names another framework than the one configured', () => {
    const embedder = speakerEmbedder({ directory: FIXTURES, custom: custom('tiny-wespeaker.onnx', '3d-speaker') });
    expect(() => embedder.dimension).toThrow(SpeakerModelNotProvisioned);
    expect(() => embedder.dimension).toThrow('cannot be used as a 3d-speaker model: its metadata names the framework wespeaker');
  });

  it('refuses a file that is not an fbank speaker model', async () => {
    const ge2e = path.join(__dirname, '../../../model/out/resemblyzer-ge2e-wave.onnx');
    const embedder = speakerEmbedder({
      custom: { file: ge2e, sha256: createHash('sha256').update(readFileSync(ge2e)).digest('hex'), format: 'wespeaker' },
    });
    await expect(embedder.embed(samples)).rejects.toThrow('it should take one input of [batch, frames, 80], not waveform [N]');
  });

  it('refuses a missing file, or one whose sha256 is not the configured one, naming the settings to fix', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'custom-model-'));
    try {
      const model = custom('tiny-3d-speaker.onnx', '3d-speaker');
      const missing = speakerEmbedder({ directory, custom: model });
      await expect(missing.embed(samples)).rejects.toThrow(SpeakerModelNotProvisioned);
      await expect(missing.embed(samples)).rejects.toThrow(`${path.join(directory, model.file)} does not exist. Place the file there`);
      copyFileSync(path.join(FIXTURES, 'tiny-wespeaker.onnx'), path.join(directory, model.file));
      await expect(missing.embed(samples)).rejects.toThrow(`has sha256 ${sha256('tiny-wespeaker.onnx')}, not the expected ${model.sha256}`);
    } finally {
      rmSync(directory, { recursive: true });
    }
  });

  it('refuses audio shorter than one fbank frame', async () => {
    const embedder = speakerEmbedder({ directory: FIXTURES, custom: custom('tiny-wespeaker.onnx', 'wespeaker') });
    await expect(embedder.embed(new Float32Array(399))).rejects.toThrow('less than one 25 ms frame');
  });
});
