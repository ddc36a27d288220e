import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { ONNX_RUNTIME_BUILDS } from '#lib/constructs/speech-model-layer';
import { type FunctionBundle, readTemplate } from '#lib/local/template';
import models from '#model/models.json';

const ROOT = path.join(__dirname, '..', '..');

/** Lambda's limit on a function's code and layers together, unzipped (250 MB). */
export const LAMBDA_UNZIPPED_LIMIT = 262_144_000;

const NATIVE_FILES = ['onnxruntime_binding.node', 'libonnxruntime.so.1'];
/** The ELF header's e_machine of each architecture's code. */
const ELF_MACHINES = { arm64: 0xb7, x86_64: 0x3e } as const;
/** Shared objects and Node addons of any platform. */
const NATIVE = /\.(node|so(\.\d+)*|dylib|dll)$/;
/** Anything this large in an asset must be one of the files the functions need. */
const LARGE_BYTES = 1024 * 1024;

const speakerModel = models.models.find((model) => model.name === 'resemblyzer-ge2e')!;
/** The model files the layer must carry, with where their bytes must come from. */
const MODEL_FILES = [
  { file: path.join('model', 'out', speakerModel.file), sha256: speakerModel.sha256 },
  {
    file: path.join('nodejs', 'node_modules', '@jjhbw', 'silero-vad', 'weights', 'silero_vad.onnx'),
    sha256: sha256(path.join(ROOT, 'node_modules', '@jjhbw', 'silero-vad', 'weights', 'silero_vad.onnx')),
  },
];

export interface FunctionAssets extends FunctionBundle {
  /** The function's logical id in the template. */
  functionId: string;
  /** Its file under lambda/handlers/. */
  handlerName: string;
}

/** Every function of the cloud assembly `assemblyDir` (from `cdk synth -o`, or an App with asset metadata on), with its assets. */
export function functionsOf(assemblyDir: string, stackName = 'VoiceId'): FunctionAssets[] {
  const template = readTemplate(JSON.parse(readFileSync(path.join(assemblyDir, `${stackName}.template.json`), 'utf8')), assemblyDir);
  return Object.entries(template.functions).map(([functionId, fn]) => {
    if (!fn.bundle) throw new Error(`${functionId} names no bundled asset: was the app synthesized with bundling and asset metadata?`);
    return { ...fn.bundle, functionId, handlerName: fn.handler };
  });
}

/** Every file under `dir`, relative to it, with its size. */
export function filesOf(dir: string): { file: string; bytes: number }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => ({ file, stat: statSync(path.join(dir, file)) }))
    .filter(({ stat }) => stat.isFile())
    .map(({ file, stat }) => ({ file, bytes: stat.size }));
}

export const unzippedBytes = (dir: string) => filesOf(dir).reduce((sum, { bytes }) => sum + bytes, 0);

/**
 * The size of the zip cdk-assets uploads for `dir`: it deflates each file at zlib's default level (yazl), with a
 * local and a central header per file and an end record.
 */
export function zippedBytes(dir: string): number {
  return filesOf(dir).reduce((sum, { file }) => sum + deflateRawSync(readFileSync(path.join(dir, file))).length + 76 + 2 * file.length, 22);
}

/**
 * What is wrong with a function's assets for `architecture`, as sentences (none when all is well): its handler
 * bundle is missing, a bundle carries native code, models or node_modules, the layer lacks ONNX Runtime's build for
 * the architecture (or its files are for another processor), carries another platform's binaries, lacks a model or
 * carries different bytes, holds any other large file, or all of it is beyond Lambda's unzipped limit.
 */
export function problemsOf(fn: FunctionAssets, architecture: 'arm64' | 'x86_64'): string[] {
  const problems: string[] = [];
  const name = fn.functionId;
  if (fn.architecture !== architecture) problems.push(`${name} is built for ${fn.architecture}, not ${architecture}.`);

  const handlerFile = `${fn.handler.split('.')[0]}.js`;
  const code = filesOf(fn.code);
  if (!code.some(({ file, bytes }) => file === handlerFile && bytes > 0)) problems.push(`${name}'s bundle has no ${handlerFile}.`);
  for (const { file } of code) {
    if (NATIVE.test(file) || file.endsWith('.onnx') || file.split(path.sep).includes('node_modules')) {
      problems.push(`${name}'s bundle carries ${file}, which belongs in the layer or nowhere.`);
    }
  }

  const nativeDir = path.join('nodejs', 'node_modules', 'onnxruntime-node', ONNX_RUNTIME_BUILDS[architecture]);
  const expected = new Set([...NATIVE_FILES.map((file) => path.join(nativeDir, file)), ...MODEL_FILES.map(({ file }) => file)]);
  const layerFiles = fn.layers.flatMap((layer) => filesOf(layer).map((entry) => ({ ...entry, layer })));
  for (const file of expected) {
    const found = layerFiles.find((entry) => entry.file === file);
    if (!found) {
      problems.push(`${name}'s layers lack ${file}.`);
      continue;
    }
    const full = path.join(found.layer, file);
    const model = MODEL_FILES.find((entry) => entry.file === file);
    if (model && sha256(full) !== model.sha256)
      problems.push(`${name}'s layers carry ${file} with sha256 ${sha256(full)}, not ${model.sha256}.`);
    if (!model && elfMachine(full) !== ELF_MACHINES[architecture])
      problems.push(`${name}'s layers carry ${file} built for another processor.`);
  }
  for (const { file, bytes } of layerFiles) {
    if (expected.has(file)) continue;
    if (NATIVE.test(file)) problems.push(`${name}'s layers carry native code that is not for linux ${architecture}: ${file}.`);
    else if (bytes >= LARGE_BYTES)
      problems.push(`${name}'s layers carry ${file} (${(bytes / 1e6).toFixed(1)} MB), which no function needs.`);
  }

  const total = unzippedBytes(fn.code) + fn.layers.reduce((sum, layer) => sum + unzippedBytes(layer), 0);
  if (total > LAMBDA_UNZIPPED_LIMIT)
    problems.push(`${name} and its layers hold ${total} bytes unzipped, beyond Lambda's ${LAMBDA_UNZIPPED_LIMIT}.`);
  return problems;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The processor an ELF file is for (its header's e_machine), or undefined if it is not ELF. */
function elfMachine(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  return header.toString('latin1', 0, 4) === '\x7fELF' ? header.readUInt16LE(18) : undefined;
}
