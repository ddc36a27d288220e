/**
 * The audio encodings phone systems stream, decoded to the 16-bit linear PCM that AppendSessionAudio takes
 * (little-endian, as `PCM16`). Each decoder takes one frame and keeps no state, so frames may be decoded as they
 * arrive.
 */

/** G.711 mu-law (PCMU): Twilio Media Streams, Genesys AudioHook, SIP trunks in North America and Japan. */
export function decodeMuLaw(frame: Uint8Array): Int16Array {
  const samples = new Int16Array(frame.length);
  for (let i = 0; i < frame.length; i++) samples[i] = MU_LAW[frame[i]];
  return samples;
}

/** G.711 A-law (PCMA): SIP trunks elsewhere. */
export function decodeALaw(frame: Uint8Array): Int16Array {
  const samples = new Int16Array(frame.length);
  for (let i = 0; i < frame.length; i++) samples[i] = A_LAW[frame[i]];
  return samples;
}

/** Linear 16-bit PCM in either byte order (L16 is big-endian by RFC 3551; FreeSWITCH and jambonz send little-endian). */
export function decodeLinear16(frame: Uint8Array, byteOrder: 'little' | 'big'): Int16Array {
  if (frame.length % 2 !== 0) throw new RangeError(`A 16-bit PCM frame has an even number of bytes; this one has ${frame.length}.`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const samples = new Int16Array(frame.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, byteOrder === 'little');
  return samples;
}

/**
 * One channel of a frame of interleaved samples (a stereo stream's caller channel), `bytesPerSample` bytes each:
 * G.711 has one, L16 two. A frame that does not hold whole samples of every channel is a RangeError.
 */
export function channelOf(frame: Uint8Array, channels: number, channel: number, bytesPerSample = 1): Uint8Array {
  const stride = channels * bytesPerSample;
  if (frame.length % stride !== 0) {
    throw new RangeError(`A frame of ${channels} interleaved channels holds a multiple of ${stride} bytes; this one has ${frame.length}.`);
  }
  if (channels === 1) return frame;
  const samples = new Uint8Array(frame.length / channels);
  for (let from = channel * bytesPerSample, to = 0; from < frame.length; from += stride, to += bytesPerSample) {
    samples.set(frame.subarray(from, from + bytesPerSample), to);
  }
  return samples;
}

/** ITU-T G.711's expansion of one mu-law byte. */
function expandMuLaw(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** ITU-T G.711's expansion of one A-law byte. */
function expandALaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const MU_LAW = Int16Array.from({ length: 256 }, (_, byte) => expandMuLaw(byte));
const A_LAW = Int16Array.from({ length: 256 }, (_, byte) => expandALaw(byte));
