import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { VoiceIdStack } from '#lib/voice-id-stack';
import { type FunctionAssets, functionsOf, LAMBDA_UNZIPPED_LIMIT, problemsOf, unzippedBytes } from '#test/support/lambda-assets';

const ROOT = path.join(__dirname, '..', '..');
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

describe('the architecture', () => {
  const synthesized = (architecture?: 'arm64' | 'x86_64') => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    return Template.fromStack(new VoiceIdStack(app, 'VoiceId', { env: { account: '123456789012', region: 'eu-west-1' }, architecture }));
  };

  it.each([
    [undefined, 'arm64'],
    ['x86_64', 'x86_64'],
  ] as const)('given as %s, is %s for every function and the layer', (given, expected) => {
    const template = synthesized(given);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    for (const fn of functions) expect(fn).toMatchObject({ Properties: { Architectures: [expected] } });
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: [expected] });
  });
});

describe('cdk synth', () => {
  let out: string;
  let functions: FunctionAssets[];

  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '-q', '-o', out], {
      cwd: ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: 'pipe',
    });
    functions = functionsOf(out);
  }, 180_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('works offline with the pinned CLI, bundling each handler with the local esbuild', () => {
    expect(functions.map((fn) => fn.handlerName).sort()).toEqual(['api', 'batch-job-worker', 'expiry-sweeper']);
  });

  it("gives each function its handler bundle and a layer with ONNX Runtime for arm64 only and both models, well under Lambda's limit", () => {
    const sizes: string[] = [];
    for (const fn of functions) {
      expect(problemsOf(fn, 'arm64')).toEqual([]);
      const [code, layers] = [unzippedBytes(fn.code), fn.layers.reduce((sum, layer) => sum + unzippedBytes(layer), 0)];
      sizes.push(`${fn.handlerName}: function ${MiB(code)} + layer ${MiB(layers)} unzipped`);
      expect(code + layers).toBeLessThan(LAMBDA_UNZIPPED_LIMIT / 2);
    }
    console.log(`Assets of the arm64 deployment:\n${sizes.join('\n')}`);
  });

  it('finds what is missing or foreign in assets: the checker fails a doctored copy', () => {
    const doctored = mkdtempSync(path.join(tmpdir(), 'doctored-assets-'));
    try {
      const [fn] = functions;
      const copy: FunctionAssets = { ...fn, code: path.join(doctored, 'code'), layers: [path.join(doctored, 'layer')] };
      cpSync(fn.code, copy.code, { recursive: true });
      cpSync(fn.layers[0], copy.layers[0], { recursive: true });
      expect(problemsOf(copy, 'arm64')).toEqual([]);

      // The arm64 build where the x86_64 one belongs: right names, wrong processor.
      const ort = path.join('nodejs', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux');
      cpSync(path.join(copy.layers[0], ort, 'arm64'), path.join(copy.layers[0], ort, 'x64'), { recursive: true });
      const asX86 = problemsOf(copy, 'x86_64').join('\n');
      expect(asX86).toContain(`carry ${path.join(ort, 'x64', 'onnxruntime_binding.node')} built for another processor`);
      expect(asX86).toContain(`carry ${path.join(ort, 'x64', 'libonnxruntime.so.1')} built for another processor`);

      rmSync(path.join(copy.layers[0], ort, 'arm64', 'libonnxruntime.so.1'));
      rmSync(path.join(copy.layers[0], 'model', 'out', 'resemblyzer-ge2e-wave.onnx'));
      rmSync(path.join(copy.code, 'index.js'));
      appendFileSync(path.join(copy.layers[0], 'nodejs', 'node_modules', '@jjhbw', 'silero-vad', 'weights', 'silero_vad.onnx'), 'x');
      const problems = problemsOf(copy, 'arm64').join('\n');
      expect(problems).toContain(`lack ${path.join(ort, 'arm64', 'libonnxruntime.so.1')}`);
      expect(problems).toContain(`lack ${path.join('model', 'out', 'resemblyzer-ge2e-wave.onnx')}`);
      expect(problems).toContain('has no index.js');
      expect(problems).toContain(`not for linux arm64: ${path.join(ort, 'x64', 'onnxruntime_binding.node')}`);
      expect(problems).toMatch(/silero_vad\.onnx with sha256 [0-9a-f]{64}, not/);
    } finally {
      rmSync(doctored, { recursive: true, force: true });
    }
  });
});
