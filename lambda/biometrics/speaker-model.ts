/**
 * Speaker-embedding models behind one interface, chosen by name (a deployment's SPEAKER_MODEL), so a deployment can
 * move to a better model without touching the audio pipeline or the scoring. Voiceprints carry the name of the
 * model that made them, since embeddings of different models cannot be compared: changing the model means
 * re-enrolling.
 *
 * The built-in model files are built on `npm install` by bin/provision-model.mjs (model/README.md has the details)
 * and are checked against the sha256 pinned in model/models.json before they are loaded. An operator may instead
 * supply a WeSpeaker, 3D-Speaker or sherpa-onnx export (SPEAKER_MODEL=custom), checked against the sha256 the
 * operator configured.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { lazy } from '#lazy';
import manifest from '#model/models.json';
import { SpeakerModelNotProvisioned } from './errors.ts';
import { type FbankWindow, fbank, KALDI_FBANK_80, subtractMean } from './fbank.ts';
import { type OnnxTensorInfo, onnxModelInfo } from './onnx-model-info.ts';
import type { CustomModelFormat, CustomSpeakerModel, SpeakerModelSettings } from './speaker-model-settings.ts';
import { normalise } from './vectors.ts';

export interface SpeakerEmbedder {
  /**
   * Stored with every voiceprint, and the key of the model's score calibration; only voiceprints of the same
   * model are compared.
   */
  readonly name: string;
  /** The rate, in Hz, of the samples `embed` takes. */
  readonly sampleRate: number;
  readonly dimension: number;
  /** One L2-normalised embedding of mono speech at `sampleRate`, full scale ±1. */
  embed(samples: Float32Array): Promise<Float32Array>;
}

const DEFAULT_SPEAKER_MODEL = 'resemblyzer-ge2e';

/** The command that builds the model files, named in every error about them. */
const PROVISION_COMMAND = 'node bin/provision-model.mjs';

/** Where `npm install` builds the models; a deployment names another place (Lambda: the layer's /opt/model/out). */
const MODEL_DIR = path.join(__dirname, '..', '..', 'model', 'out');

const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  // Requests run side by side, one per Lambda or one per core locally: more threads per request would only
  // compete for the same cores.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/**
 * The file's bytes once their sha256 is the expected one. The bytes that are hashed are the bytes that are
 * loaded, so the file cannot change between check and use.
 */
function verifiedBytes(modelName: string, file: string, sha256: string, remedy: string): Buffer {
  if (!existsSync(file)) {
    throw new SpeakerModelNotProvisioned(`The speaker model ${modelName} is not provisioned: ${file} does not exist. ${remedy}`);
  }
  const bytes = readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== sha256) {
    throw new SpeakerModelNotProvisioned(
      `The speaker model ${modelName} at ${file} has sha256 ${digest}, not the expected ${sha256}. ${remedy}`,
    );
  }
  return bytes;
}

/**
 * Resemblyzer's GE2E encoder with its front end (volume normalisation, STFT, mel filterbank, 1.6 s partials)
 * inside the graph, so the host only supplies 16 kHz samples: nothing of the feature extraction can drift from
 * the reference implementation it was verified against.
 */
class OnnxWaveformEmbedder implements SpeakerEmbedder {
  readonly sampleRate = 16000;
  /** Created on first use, so that a cold start that needs no biometrics does not pay for it. */
  private readonly session = lazy(() => this.createSession());

  constructor(
    readonly name: string,
    readonly dimension: number,
    private readonly file: string,
    private readonly sha256: string,
    /** What to run when the file is missing or not the pinned one. */
    private readonly remedy: string,
  ) {}

  async embed(samples: Float32Array): Promise<Float32Array> {
    if (samples.length === 0) throw new RangeError('There are no samples to embed.');
    const session = await this.session();
    const result = await session.run({ waveform: new Tensor('float32', samples, [samples.length]) });
    return result.embedding.data as Float32Array;
  }

  private createSession(): Promise<InferenceSession> {
    return InferenceSession.create(verifiedBytes(this.name, this.file, this.sha256, this.remedy), SESSION_OPTIONS);
  }
}

/**
 * How each framework computed the features its models were trained on: Kaldi fbank with 80 bins, then each bin's
 * mean over the utterance subtracted. WeSpeaker (wespeaker/dataset/processor.py, bin/infer_onnx.py) takes PCM16-
 * scaled samples and a Hamming window; 3D-Speaker takes samples at ±1 and Kaldi's default Povey window. The scale
 * matters only at the log floor, since the mean subtraction removes a constant gain.
 */
const FRONT_ENDS: Record<Exclude<CustomModelFormat, 'sherpa-onnx'>, { window: FbankWindow; scale: number }> = {
  wespeaker: { window: 'hamming', scale: 32768 },
  '3d-speaker': { window: 'povey', scale: 1 },
};

interface FbankModelLayout {
  input: string;
  output: string;
  dimension: number;
  frontEnd: { window: FbankWindow; scale: number };
}

/**
 * An operator's WeSpeaker, 3D-Speaker or sherpa-onnx export: `[1, frames, 80]` log fbank in, `[1, dimension]`
 * embedding out. The features are computed here (fbank.ts) as the framework computed them in training; sherpa-onnx
 * files say in their metadata which framework they come from. Its name holds the format and the start of the
 * file's sha256, so voiceprints and calibrations of different files never mix.
 */
class FbankOnnxEmbedder implements SpeakerEmbedder {
  readonly sampleRate = KALDI_FBANK_80.sampleRate;
  readonly name: string;
  private readonly file: string;
  private layoutRead?: FbankModelLayout;
  private readonly session = lazy(() => InferenceSession.create(this.bytes(), SESSION_OPTIONS));

  constructor(
    private readonly model: CustomSpeakerModel,
    directory: string,
  ) {
    this.name = `custom-${model.format}-${model.sha256.slice(0, 12)}`;
    this.file = path.resolve(directory, model.file);
  }

  /** Read from the file on first use (a voiceprint's sum is sized before the first embedding arrives). */
  get dimension(): number {
    return this.layout().dimension;
  }

  async embed(samples: Float32Array): Promise<Float32Array> {
    const { input, output, frontEnd } = this.layout();
    const features = fbank(frontEnd.scale === 1 ? samples : samples.map((sample) => sample * frontEnd.scale), {
      ...KALDI_FBANK_80,
      window: frontEnd.window,
    });
    if (features.frames === 0) throw new RangeError('There are too few samples to embed: less than one 25 ms frame.');
    subtractMean(features);
    const session = await this.session();
    const result = await session.run({ [input]: new Tensor('float32', features.data, [1, features.frames, features.bins]) });
    return normalise(result[output].data as Float32Array);
  }

  private bytes(): Buffer {
    const remedy = 'Place the file there, or set SPEAKER_MODEL_FILE and SPEAKER_MODEL_SHA256 to the file and its sha256.';
    return verifiedBytes(this.name, this.file, this.model.sha256, remedy);
  }

  private layout(): FbankModelLayout {
    return (this.layoutRead ??= this.readLayout());
  }

  /**
   * The input and output and the front end, from the file itself, refusing one that does not have the expected
   * shapes or whose metadata contradicts the configured format: such a file would give embeddings, just wrong ones.
   */
  private readLayout(): FbankModelLayout {
    const { metadata, inputs, outputs } = onnxModelInfo(this.bytes());
    const refuse = (why: string) =>
      new SpeakerModelNotProvisioned(
        `The speaker model ${this.name} at ${this.file} cannot be used as a ${this.model.format} model: ${why}.`,
      );
    const framework = this.model.format === 'sherpa-onnx' ? metadata.framework : this.model.format;
    if (framework !== 'wespeaker' && framework !== '3d-speaker') {
      throw refuse(`its metadata names the framework ${JSON.stringify(metadata.framework ?? null)}, not wespeaker or 3d-speaker`);
    }
    if (metadata.framework !== undefined && metadata.framework !== framework)
      throw refuse(`its metadata names the framework ${metadata.framework}`);
    if (metadata.sample_rate !== undefined && Number(metadata.sample_rate) !== this.sampleRate) {
      throw refuse(`it takes ${metadata.sample_rate} Hz audio, not ${this.sampleRate} Hz`);
    }
    const [input] = inputs;
    const [output] = outputs;
    const dimension = output?.shape[1];
    if (inputs.length !== 1 || !hasShape(input, [undefined, undefined, KALDI_FBANK_80.melBins])) {
      throw refuse(`it should take one input of [batch, frames, ${KALDI_FBANK_80.melBins}], not ${describe(inputs)}`);
    }
    if (!output || output.shape.length !== 2 || typeof dimension !== 'number' || dimension < 1) {
      throw refuse(`its first output should be [batch, dimension] with a fixed dimension, not ${describe(outputs)}`);
    }
    return { input: input.name, output: output.name, dimension, frontEnd: FRONT_ENDS[framework] };
  }
}

/** A fixed dimension must match; a named or missing one is dynamic and fits anything. */
function hasShape(tensor: OnnxTensorInfo | undefined, expected: (number | undefined)[]): boolean {
  return (
    tensor !== undefined &&
    tensor.shape.length === expected.length &&
    expected.every((size, i) => size === undefined || typeof tensor.shape[i] !== 'number' || tensor.shape[i] === size)
  );
}

function describe(tensors: OnnxTensorInfo[]): string {
  return tensors.map(({ name, shape }) => `${name} [${shape.map((size) => size ?? '?').join(', ')}]`).join(', ') || 'none';
}

/**
 * Several models as one: each part's embedding scaled by 1/sqrt(σ), σ the spread of its impostor cosines, then the
 * whole L2-normalised. Its cosine is then an increasing affine function of the mean of the parts' z-normalised
 * cosines, the fusion measured in model/SURVEY.md, so voiceprints and scoring take it as any other model (with a
 * calibration curve of its own, as any other model needs).
 */
export class FusedEmbedder implements SpeakerEmbedder {
  readonly sampleRate: number;
  readonly dimension: number;

  constructor(
    readonly name: string,
    private readonly parts: { embedder: SpeakerEmbedder; nontargetStd: number }[],
  ) {
    const rates = new Set(parts.map(({ embedder }) => embedder.sampleRate));
    if (rates.size !== 1) throw new RangeError(`The parts of ${name} take different sample rates: ${[...rates].join(', ')} Hz.`);
    this.sampleRate = parts[0].embedder.sampleRate;
    this.dimension = parts.reduce((total, { embedder }) => total + embedder.dimension, 0);
  }

  async embed(samples: Float32Array): Promise<Float32Array> {
    const joined = new Float32Array(this.dimension);
    let offset = 0;
    // One after the other: each run holds the thread, so side by side they would only take turns.
    for (const { embedder, nontargetStd } of this.parts) {
      const embedding = await embedder.embed(samples);
      const weight = 1 / Math.sqrt(nontargetStd);
      joined.set(
        embedding.map((value) => value * weight),
        offset,
      );
      offset += embedding.length;
    }
    return normalise(joined);
  }
}

function fromManifest(name: string, directory: string): SpeakerEmbedder {
  const entry = manifest.models.find((model) => model.name === name);
  if (!entry?.dimension) {
    throw new SpeakerModelNotProvisioned(`model/models.json has no embedding model ${name}; restore the file from the repository.`);
  }
  const command = 'provision_command' in entry ? entry.provision_command : PROVISION_COMMAND;
  const remedy =
    `Run \`${command}\` in the project root to build it as model/models.json pins it (it needs Python 3.11+` +
    `${command === PROVISION_COMMAND ? '; npm install runs it' : ''}).`;
  return new OnnxWaveformEmbedder(name, entry.dimension, path.join(directory, entry.file), entry.sha256, remedy);
}

/** Built-in models a deployment can select, the fusions of model/models.json among them; each is built on first request. */
const REGISTRY = new Map<string, (directory: string) => SpeakerEmbedder>([
  ...manifest.models
    .filter((entry) => entry.dimension)
    .map(({ name }) => [name, (directory: string) => fromManifest(name, directory)] as const),
  ...manifest.fusions.map(
    ({ name, parts }) =>
      [
        name,
        (directory: string) =>
          new FusedEmbedder(
            name,
            parts.map(({ model, nontarget_std }) => ({
              embedder: speakerEmbedder({ name: model, directory }),
              nontargetStd: nontarget_std,
            })),
          ),
      ] as const,
  ),
]);

const instances = new Map<string, SpeakerEmbedder>();

/**
 * The embedder a deployment's settings select (a built-in model's name alone will do): an operator's own file when
 * `custom` is set, otherwise the built-in model named, resemblyzer-ge2e when none is. Files are loaded from the
 * settings' directory, model/out unless a deployment names another. One instance per model and place, so that its
 * session is loaded once.
 */
export function speakerEmbedder(settings: SpeakerModelSettings | string = {}): SpeakerEmbedder {
  const { name = DEFAULT_SPEAKER_MODEL, directory = MODEL_DIR, custom } = typeof settings === 'string' ? { name: settings } : settings;
  const key = JSON.stringify(custom ? [directory, custom.file, custom.sha256, custom.format] : [directory, name]);
  let embedder = instances.get(key);
  if (!embedder) {
    if (custom) embedder = new FbankOnnxEmbedder(custom, directory);
    else {
      const create = REGISTRY.get(name);
      if (!create) {
        throw new RangeError(`Unknown speaker model ${name}; the known ones are: ${[...REGISTRY.keys()].join(', ')}.`);
      }
      embedder = create(directory);
    }
    instances.set(key, embedder);
  }
  return embedder;
}
