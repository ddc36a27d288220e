// Node parity check (resolves onnxruntime-node from the repo node_modules, e.g. /work/main/node_modules):
// TS-style pipeline (PCM16 -> /32768 -> 41-tap FIR 2x upsample -> ONNX) vs fixtures/golden.json (Python).
// Usage: node model/node_parity_check.mjs   [env MODEL=path.onnx DATA=path/to/shared/data/]
import fs from 'node:fs';
import ort from 'onnxruntime-node';
const golden = JSON.parse(fs.readFileSync(new URL('./fixtures/golden.json', import.meta.url), 'utf8'));
const taps = golden.resampler_8k_to_16k.taps;
function readWav(p) { // minimal: find 'data' chunk, PCM16 mono
  const b = fs.readFileSync(p); let o = 12;
  while (o < b.length) { const id = b.toString('ascii', o, o + 4), sz = b.readUInt32LE(o + 4);
    if (id === 'data') { const n = sz / 2, x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = b.readInt16LE(o + 8 + 2 * i) / 32768; return x; }
    o += 8 + sz + (sz & 1); }
}
function up2(x) { const n = x.length, y = new Float32Array(2 * n);
  for (let m = 0; m < 2 * n; m++) { let s = 0; const c = m + 20; // y[m] = sum_k taps[k] * u[c-k]
    for (let k = 0; k < 41; k++) { const j = c - k; if (j >= 0 && j < 2 * n && (j & 1) === 0) s += taps[k] * x[j >> 1]; }
    y[m] = s; } return y; }
const sess = await ort.InferenceSession.create(process.env.MODEL ?? new URL('./out/resemblyzer-ge2e-wave.onnx', import.meta.url).pathname);
for (const f of golden.files) {
  const x = readWav((process.env.DATA ?? new URL('../../shared/data/', import.meta.url).pathname) + f.path); const y = up2(x);
  let maxd = 0; for (let i = 0; i < 32; i++) maxd = Math.max(maxd, Math.abs(y[i] - f.first32_16k[i]));
  const t0 = performance.now();
  const out = await sess.run({ waveform: new ort.Tensor('float32', y, [y.length]) });
  const dt = performance.now() - t0;
  const e = out.embedding.data; let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < 256; i++) { dot += e[i] * f.embedding[i]; na += e[i] ** 2; nb += f.embedding[i] ** 2; }
  console.log(f.path, 'resample maxdiff', maxd.toExponential(2), 'partials', out.partial_embeddings.dims[0], 'cosine', (dot / Math.sqrt(na * nb)).toFixed(7), `${dt.toFixed(0)} ms`);
}
