import { encodeMuLaw } from '#bin/call/phone-systems';
import { resample } from '#biometrics/resample';
import { channelOf, decodeALaw, decodeLinear16, decodeMuLaw } from '#connectors/codecs';
import { Downsampler } from '#connectors/downsampler';

describe('phone audio codecs', () => {
  it("decode G.711 as the standard's tables give it", () => {
    expect(Array.from(decodeMuLaw(new Uint8Array([0xff, 0x7f, 0x80, 0x00])))).toEqual([0, 0, 32124, -32124]);
    expect(Array.from(decodeALaw(new Uint8Array([0xd5, 0x55, 0xaa, 0x2a])))).toEqual([8, -8, 32256, -32256]);
  });

  it('round-trip mu-law within its quantisation step', () => {
    const samples = Float32Array.from({ length: 8000 }, (_, i) => 0.6 * Math.sin(i / 7));
    const decoded = decodeMuLaw(encodeMuLaw(samples));
    for (let i = 0; i < samples.length; i++) {
      const original = samples[i] * 32768;
      expect(Math.abs(decoded[i] - original)).toBeLessThanOrEqual(Math.max(16, Math.abs(original) / 16));
    }
  });

  it('decode L16 in either byte order, and refuse half a sample', () => {
    expect(Array.from(decodeLinear16(new Uint8Array([0x01, 0x02, 0xff, 0xff]), 'little'))).toEqual([0x0201, -1]);
    expect(Array.from(decodeLinear16(new Uint8Array([0x01, 0x02]), 'big'))).toEqual([0x0102]);
    expect(() => decodeLinear16(new Uint8Array(3), 'little')).toThrow(/even number of bytes/);
  });

  it('take one channel of interleaved samples, and refuse a frame of part samples', () => {
    expect(Array.from(channelOf(new Uint8Array([1, 2, 3, 4, 5, 6]), 2, 0))).toEqual([1, 3, 5]);
    expect(Array.from(channelOf(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 2, 1, 2))).toEqual([3, 4, 7, 8]);
    expect(() => channelOf(new Uint8Array(3), 2, 0)).toThrow(/multiple of 2 bytes/);
  });
});

describe('the streaming downsampler', () => {
  it('gives, frame by frame, what resampling the whole stream at once gives', () => {
    const wide = Int16Array.from({ length: 16000 }, (_, i) => Math.round(8000 * Math.sin(i / 5) + 4000 * Math.sin(i / 31)));
    const whole = resample(
      Float32Array.from(wide, (s) => s / 32768),
      16000,
      8000,
    );
    const downsampler = new Downsampler(16000);
    const parts: Int16Array[] = [];
    // Frames of uneven sizes, as a socket delivers them, some shorter than the filter's context.
    for (let start = 0, size = 7; start < wide.length; start += size, size = (size * 7) % 913 || 11) {
      parts.push(downsampler.feed(wide.subarray(start, start + size)));
    }
    parts.push(downsampler.flush());
    const streamed = Int16Array.from(parts.flatMap((part) => Array.from(part)));
    expect(streamed.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(Math.abs(streamed[i] - whole[i] * 32768)).toBeLessThanOrEqual(1);
  });

  it('refuses a rate that is not a multiple of 8 kHz', () => {
    expect(() => new Downsampler(11025)).toThrow(/multiple of 8000/);
  });
});
