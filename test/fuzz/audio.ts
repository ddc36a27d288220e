import type { Random } from './random.ts';

/**
 * WAV files that lie: a RIFF/WAVE layout whose every field may be wrong (chunk sizes larger or smaller than what
 * follows, formats, channels, sample rates and bit depths Voice ID does not take, extensible formats with odd GUIDs,
 * chunks missing, repeated or cut off), over audio of any length, odd ones included.
 */
export function lyingWav(r: Random): Uint8Array {
  const formatTag = r.weighted([
    [4, 1],
    [1, 3],
    [1, 6],
    [1, 7],
    [2, 0xfffe],
    [1, 0],
    [1, r.int(0x10000)],
  ]);
  const channels = r.weighted([
    [4, 1],
    [3, 2],
    [1, 0],
    [1, 3],
    [1, 0xffff],
  ]);
  const sampleRate = r.weighted([
    [4, 8000],
    [1, 16000],
    [1, 44100],
    [1, 0],
    [1, 0xffffffff],
  ]);
  const bits = r.weighted([
    [4, 16],
    [1, 8],
    [1, 24],
    [1, 32],
    [1, 0],
  ]);
  const fmtSize = r.weighted([
    [4, 16],
    [1, 18],
    [2, 40],
    [1, 14],
    [1, 0],
    [1, 0xfffffff0],
  ]);
  const fmt = new Uint8Array(Math.min(Math.max(fmtSize, 0), 40));
  const view = new DataView(fmt.buffer);
  if (fmt.byteLength >= 2) view.setUint16(0, formatTag, true);
  if (fmt.byteLength >= 4) view.setUint16(2, channels, true);
  if (fmt.byteLength >= 8) view.setUint32(4, sampleRate, true);
  if (fmt.byteLength >= 12) view.setUint32(8, ((sampleRate * channels * bits) / 8) >>> 0, true);
  if (fmt.byteLength >= 14) view.setUint16(12, ((channels * bits) / 8) & 0xffff, true);
  if (fmt.byteLength >= 16) view.setUint16(14, bits, true);
  if (fmt.byteLength >= 40) {
    view.setUint16(16, 22, true);
    view.setUint32(24, r.pick([1, 3, r.int(0x10000)]), true);
    const tail = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    tail.forEach((byte, i) => (fmt[28 + i] = r.chance(0.9) ? byte : r.int(256)));
  }
  const audioBytes = r.pick([0, 1, 2, 3, 801, 1600, 16_001, 16_000, 200_000]);
  const audio = r.bytes(audioBytes);
  const dataSize = r.weighted([
    [3, audioBytes],
    [1, 0],
    [1, 0xffffffff],
    [1, audioBytes + 1],
    [1, audioBytes + 1000],
    [1, Math.max(audioBytes - 1, 0)],
  ]);
  const chunks: Uint8Array[] = [];
  const chunk = (id: string, size: number, body: Uint8Array) => {
    const header = new Uint8Array(8);
    header.set(Buffer.from(id, 'latin1'));
    new DataView(header.buffer).setUint32(4, size >>> 0, true);
    chunks.push(header, body, body.byteLength % 2 ? new Uint8Array(1) : new Uint8Array(0));
  };
  if (r.chance(0.2)) chunk('LIST', r.pick([4, 100_000]), new Uint8Array(4));
  if (r.chance(0.9)) chunk(r.chance(0.95) ? 'fmt ' : 'FMT ', fmtSize, fmt);
  if (r.chance(0.1)) chunk('fmt ', 16, new Uint8Array(16));
  if (r.chance(0.9)) chunk('data', dataSize, audio);
  if (r.chance(0.1)) chunk('junk', r.pick([0, 3, 0x7fffffff]), r.bytes(3));
  const body = Buffer.concat(chunks);
  const header = new Uint8Array(12);
  header.set(
    Buffer.from(
      r.weighted([
        [9, 'RIFF'],
        [1, r.pick(['RIFX', 'riff', 'RF64', '\0\0\0\0'])],
      ]),
      'latin1',
    ),
  );
  new DataView(header.buffer).setUint32(4, r.pick([body.byteLength + 4, 0, 0xffffffff, r.uint32()]), true);
  header.set(
    Buffer.from(
      r.weighted([
        [9, 'WAVE'],
        [1, 'WAV '],
      ]),
      'latin1',
    ),
    8,
  );
  const file = Buffer.concat([header, body]);
  // Cut anywhere, as a client that lost the end of its buffer would.
  return r.chance(0.25) ? file.subarray(0, r.int(file.byteLength + 1)) : file;
}

/** Raw PCM16 that cannot be a chunk: an odd number of bytes (half a sample), or more than 10 s of it. */
export function badPcm(r: Random): Uint8Array {
  return r.chance(0.7) ? r.bytes(2 * r.between(0, 8000) + 1) : r.bytes(2 * r.between(80_001, 100_000));
}

/** Base64 that is not: characters outside the alphabet, missing or excess padding, whitespace, the URL-safe alphabet. */
export function badBase64(r: Random, bytes: Uint8Array): string {
  const good = Buffer.from(bytes).toString('base64');
  const at = r.int(good.length + 1);
  return r.weighted<() => string>([
    [2, () => good.slice(0, at) + r.pick(['!', '*', '-', '_', ' ', '\n', '\r\n', '=', '==', '\u00e9', '\u0000', '%3D']) + good.slice(at)],
    [1, () => good.replace(/=+$/, '') + 'A'],
    [1, () => `${good}=`],
    [1, () => good.replaceAll('+', '-').replaceAll('/', '_') + '-_'],
    [1, () => `data:audio/wav;base64,${good}`],
  ])();
}
