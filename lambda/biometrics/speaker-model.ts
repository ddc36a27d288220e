/**
 * Speaker-embedding models behind one interface, chosen by name (a deployment's SPEAKER_MODEL), so a deployment can
 * move to a better model without touching the audio pipeline or the scoring. Voiceprints carry the name of the
 * model that made them, since embeddings of different models cannot be compared: changing the model means
 * re-enrolling.
 *
 * The model files are built on `npm install` by bin/provision-model.mjs (model/README.md has the details) and are
 * checked against the sha256 pinned in model/models.json before they are loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { lazy } from '#lazy';
import manifest from '../../model/models.json';
import { SpeakerModelNotProvisioned } from './errors.ts';

export interface SpeakerEmbedder {
  /** Stored with every voiceprint; only voiceprints of the same model are compared. */
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

/**
 * Resemblyzer's GE2E encoder with its front end (volume normalisation, STFT, mel filterbank, 1.6 s partials)
 * inside the graph, so the host only supplies 16 kHz samples: nothing of the feature extraction can drift from
 * the reference implementation it was verified against.
 */
class OnnxWaveformEmbedder implements SpeakerEmbedder {
  readonly sampleRate = 16000;
  readonly dimension = 256;
  /** Created on first use, so that a cold start that needs no biometrics does not pay for it. */
  private readonly session = lazy(() => this.createSession());

  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly sha256: string,
    private readonly directory: string,
  ) {}

  async embed(samples: Float32Array): Promise<Float32Array> {
    if (samples.length === 0) throw new RangeError('There are no samples to embed.');
    const session = await this.session();
    const result = await session.run({ waveform: new Tensor('float32', samples, [samples.length]) });
    return result.embedding.data as Float32Array;
  }

  private async createSession(): Promise<InferenceSession> {
    const file = path.join(this.directory, this.file);
    if (!existsSync(file)) {
      throw new SpeakerModelNotProvisioned(
        `The speaker model ${this.name} is not provisioned: ${file} does not exist. ` +
          `Run \`${PROVISION_COMMAND}\` in the project root (npm install runs it; it needs Python 3.11+).`,
      );
    }
    // The bytes that are hashed are the bytes that are loaded, so the file cannot change between check and use.
    const bytes = readFileSync(file);
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== this.sha256) {
      throw new SpeakerModelNotProvisioned(
        `The speaker model ${this.name} at ${file} has sha256 ${digest}, not the ${this.sha256} pinned in ` +
          `model/models.json. Run \`${PROVISION_COMMAND}\` in the project root to rebuild it.`,
      );
    }
    return InferenceSession.create(bytes, {
      // Requests run side by side, one per Lambda or one per core locally: more threads per request would only
      // compete for the same cores.
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  }
}

function fromManifest(name: string, directory: string): SpeakerEmbedder {
  const entry = manifest.models.find((model) => model.name === name);
  if (!entry) {
    throw new SpeakerModelNotProvisioned(
      `model/models.json has no entry for the speaker model ${name}; restore the file from the repository.`,
    );
  }
  return new OnnxWaveformEmbedder(name, entry.file, entry.sha256, directory);
}

/** Models a deployment can select; each is built on first request. */
const REGISTRY = new Map<string, (directory: string) => SpeakerEmbedder>([
  [DEFAULT_SPEAKER_MODEL, (directory) => fromManifest(DEFAULT_SPEAKER_MODEL, directory)],
]);

const instances = new Map<string, SpeakerEmbedder>();

/**
 * The embedder named `modelName` (a deployment's SPEAKER_MODEL), resemblyzer-ge2e when none is given, loading its
 * file from `directory` (model/out unless a deployment names another); one instance per model and place, so that
 * its session is loaded once.
 */
export function speakerEmbedder(modelName = DEFAULT_SPEAKER_MODEL, directory = MODEL_DIR): SpeakerEmbedder {
  const key = `${directory}\n${modelName}`;
  let embedder = instances.get(key);
  if (!embedder) {
    const create = REGISTRY.get(modelName);
    if (!create) {
      throw new RangeError(
        `Unknown speaker model ${modelName}; the known ones are: ${[...REGISTRY.keys()].join(', ')}.`,
      );
    }
    embedder = create(directory);
    instances.set(key, embedder);
  }
  return embedder;
}
