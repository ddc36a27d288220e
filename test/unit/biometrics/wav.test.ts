import { AudioFormatError } from '#biometrics/errors';
import { decodeWav, MAX_WAV_BYTES, pcm16ToFloat32 } from '#biometrics/wav';

interface Format {
  formatTag?: number;
  channels?: number;
  sampleRate?: number;
  bitsPerSample?: number;
  /** For WAVE_FORMAT_EXTENSIBLE: the tag in the subformat GUID, and whether the GUID tail is the standard one. */
  subformat?: number;
  standardGuid?: boolean;
}

const PCM_GUID_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fmt(format: Format = {}): Buffer {
  const { formatTag = 1, channels = 1, sampleRate = 8000, bitsPerSample = 16, subformat, standardGuid = true } = format;
  const body = Buffer.alloc(formatTag === 0xfffe ? 40 : 16);
  body.writeUInt16LE(formatTag, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE((sampleRate * channels * bitsPerSample) / 8, 8);
  body.writeUInt16LE((channels * bitsPerSample) / 8, 12);
  body.writeUInt16LE(bitsPerSample, 14);
  if (formatTag === 0xfffe) {
    body.writeUInt16LE(22, 16);
    body.writeUInt16LE(bitsPerSample, 18);
    body.writeUInt32LE(channels === 1 ? 0x4 : 0x3, 20);
    body.writeUInt32LE(subformat ?? 1, 24);
    Buffer.from(standardGuid ? PCM_GUID_TAIL : PCM_GUID_TAIL.map((b) => b ^ 0xff)).copy(body, 28);
  }
  return chunk('fmt ', body);
}

/** Interleaved 16-bit little-endian samples. */
function pcm(...samples: number[]): Buffer {
  const body = Buffer.alloc(samples.length * 2);
  samples.forEach((sample, i) => body.writeInt16LE(sample, i * 2));
  return body;
}

/** A chunk with its size field (overridable, to fake streaming writers and truncation) and its pad byte. */
function chunk(id: string, body: Buffer, declaredSize = body.length): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(declaredSize, 4);
  return Buffer.concat([header, body, Buffer.alloc(body.length % 2)]);
}

function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

function expectInvalid(decode: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AudioFormatError);
  expect((thrown as Error).message).toMatch(message);
}

describe('decodeWav', () => {
  it('decodes 8 kHz 16-bit mono PCM to floats in [-1, 1)', () => {
    const audio = decodeWav(riff(fmt(), chunk('data', pcm(-32768, -16384, 0, 16384, 32767))));
    expect(Array.from(audio.samples)).toEqual([-1, -0.5, 0, 0.5, 32767 / 32768]);
    expect(audio.sampleRate).toBe(8000);
    expect(audio.durationSeconds).toBeCloseTo(5 / 8000, 12);
  });

  it('picks channel 0 by default and channel 1 on request from stereo audio', () => {
    const file = riff(fmt({ channels: 2 }), chunk('data', pcm(100, -100, 200, -200, 300, -300)));
    expect(Array.from(decodeWav(file).samples).map((s) => s * 32768)).toEqual([100, 200, 300]);
    expect(Array.from(decodeWav(file, 1).samples).map((s) => s * 32768)).toEqual([-100, -200, -300]);
    expect(decodeWav(file).durationSeconds).toBeCloseTo(3 / 8000, 12);
  });

  it('skips metadata chunks and their pad bytes wherever they are, and ignores a wrong RIFF size', () => {
    const file = riff(
      chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00Lavf\x00', 'latin1')),
      chunk('junk', Buffer.from([1, 2, 3])),
      fmt(),
      chunk('fact', Buffer.from([4, 0, 0, 0])),
      chunk('data', pcm(1, 2, 3, 4)),
      chunk('id3 ', Buffer.from([9])),
    );
    file.writeUInt32LE(12345, 4);
    expect(Array.from(decodeWav(file).samples).map((s) => s * 32768)).toEqual([1, 2, 3, 4]);
  });

  it('finds a fmt chunk that comes after the data', () => {
    expect(decodeWav(riff(chunk('data', pcm(7)), fmt())).samples).toHaveLength(1);
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with the PCM subformat', () => {
    const audio = decodeWav(riff(fmt({ formatTag: 0xfffe, channels: 2 }), chunk('data', pcm(1, 2, 3, 4))));
    expect(Array.from(audio.samples).map((s) => s * 32768)).toEqual([1, 3]);
  });

  it.each([0, 0xffffffff])('reads a data chunk of size %d to the end of the file, as streaming writers leave it', (size) => {
    const audio = decodeWav(riff(fmt(), chunk('data', pcm(1, 2, 3), size)));
    expect(Array.from(audio.samples).map((s) => s * 32768)).toEqual([1, 2, 3]);
  });

  it('ignores a few stray bytes after the last chunk and metadata cut short after the audio', () => {
    const strayBytes = Buffer.concat([riff(fmt(), chunk('data', pcm(1, 2))), Buffer.from([0, 0, 0])]);
    expect(decodeWav(strayBytes).samples).toHaveLength(2);
    const cutMetadata = riff(fmt(), chunk('data', pcm(1, 2)), chunk('LIST', Buffer.alloc(4), 400));
    expect(decodeWav(cutMetadata).samples).toHaveLength(2);
  });

  it('reads a buffer that is a view into a larger one', () => {
    const file = riff(fmt(), chunk('data', pcm(5, 6)));
    const pool = Buffer.concat([Buffer.alloc(3, 0xaa), file, Buffer.alloc(5, 0xbb)]);
    const view = pool.subarray(3, 3 + file.length);
    expect(Array.from(decodeWav(view).samples).map((s) => s * 32768)).toEqual([5, 6]);
  });

  describe('rejects with an AudioFormatError that says what to fix', () => {
    it('an empty file', () => expectInvalid(() => decodeWav(Buffer.alloc(0)), /empty/));

    it('a file over 20 MB, before reading it', () => {
      const file = Buffer.alloc(MAX_WAV_BYTES + 1);
      riff(fmt(), chunk('data', pcm(1))).copy(file);
      expectInvalid(() => decodeWav(file), /20971521 bytes; the limit is 20 MB/);
    });

    it.each([
      ['text', Buffer.from('hello, this is not audio')],
      ['a big-endian RIFX file', Buffer.from('RIFX\x00\x00\x00\x00WAVE', 'latin1')],
      ['a RIFF file that is not WAVE', Buffer.from('RIFF\x04\x00\x00\x00AVI ', 'latin1')],
      ['a header cut short', Buffer.from('RIFF\x04\x00', 'latin1')],
    ])('%s', (_, file) => expectInvalid(() => decodeWav(file), /not a WAV file .*RIFF\/WAVE.*8 kHz 16-bit PCM/));

    it('a file without a fmt chunk', () => expectInvalid(() => decodeWav(riff(chunk('data', pcm(1)))), /no fmt chunk/));

    it('a file without a data chunk', () => expectInvalid(() => decodeWav(riff(fmt())), /no data chunk/));

    it('a fmt chunk too short to describe the audio', () =>
      expectInvalid(() => decodeWav(riff(chunk('fmt ', Buffer.alloc(14)), chunk('data', pcm(1)))), /fmt chunk is 14 bytes/));

    it('a data chunk that claims more bytes than the file holds', () =>
      expectInvalid(
        () => decodeWav(riff(fmt(), chunk('data', pcm(1, 2), 1000))),
        /truncated: its 'data' chunk declares 1000 bytes but only 4 follow/,
      ));

    it('a metadata chunk cut short before the audio', () =>
      expectInvalid(() => decodeWav(riff(fmt(), chunk('LIST', Buffer.alloc(2), 1000))), /truncated: its 'LIST' chunk/));

    it('a sample rate other than 8000 Hz, naming the rate found', () =>
      expectInvalid(
        () => decodeWav(riff(fmt({ sampleRate: 16000 }), chunk('data', pcm(1)))),
        /sampled at 16000 Hz, but 8000 Hz is required.*Convert it to 8000 Hz, 16-bit/,
      ));

    it.each([8, 24, 32])('%d-bit samples', (bits) =>
      expectInvalid(
        () => decodeWav(riff(fmt({ bitsPerSample: bits }), chunk('data', Buffer.alloc(12)))),
        new RegExp(`it is ${bits}-bit, but 16-bit samples are required`),
      ),
    );

    it.each([
      [7, /µ-law \(format 0x0007\), but linear PCM is required/],
      [6, /A-law \(format 0x0006\)/],
      [3, /IEEE float \(format 0x0003\)/],
      [0x1234, /format 0x1234, but linear PCM/],
    ])('format tag %d', (formatTag, message) => expectInvalid(() => decodeWav(riff(fmt({ formatTag }), chunk('data', pcm(1)))), message));

    it('WAVE_FORMAT_EXTENSIBLE with a subformat other than PCM', () => {
      expectInvalid(
        () => decodeWav(riff(fmt({ formatTag: 0xfffe, subformat: 3 }), chunk('data', pcm(1)))),
        /WAVE_FORMAT_EXTENSIBLE with subformat IEEE float/,
      );
      expectInvalid(
        () => decodeWav(riff(fmt({ formatTag: 0xfffe, standardGuid: false }), chunk('data', pcm(1)))),
        /non-standard subformat/,
      );
      const shortExtensible = chunk('fmt ', fmt({ formatTag: 0xfffe }).subarray(8, 8 + 18));
      expectInvalid(() => decodeWav(riff(shortExtensible, chunk('data', pcm(1)))), /truncated fmt chunk/);
    });

    it.each([0, 3, 6])('%d channels', (channels) =>
      expectInvalid(
        () => decodeWav(riff(fmt({ channels }), chunk('data', pcm(1, 2, 3, 4, 5, 6)))),
        new RegExp(`it has ${channels} channels, but 1 or 2 are required`),
      ),
    );

    it('every format problem at once', () =>
      expectInvalid(
        () => decodeWav(riff(fmt({ formatTag: 3, bitsPerSample: 32, channels: 6, sampleRate: 44100 }), chunk('data', pcm(0)))),
        /IEEE float .*; it is 32-bit.*; it has 6 channels.*; it is sampled at 44100 Hz/,
      ));

    it('an odd number of data bytes', () =>
      expectInvalid(
        () => decodeWav(riff(fmt(), chunk('data', Buffer.alloc(5)))),
        /5 bytes, which is not a whole number of 2-byte frames \(16-bit, 1 channel\)/,
      ));

    it('stereo data that ends in the middle of a frame', () =>
      expectInvalid(
        () => decodeWav(riff(fmt({ channels: 2 }), chunk('data', pcm(1, 2, 3)))),
        /6 bytes, which is not a whole number of 4-byte frames \(16-bit, 2 channels\)/,
      ));

    it('a data chunk with no samples', () =>
      expectInvalid(() => decodeWav(riff(fmt(), chunk('data', Buffer.alloc(0)))), /no audio samples/));

    it('ChannelId 1 on mono audio', () =>
      expectInvalid(
        () => decodeWav(riff(fmt(), chunk('data', pcm(1))), 1),
        /ChannelId 1 was requested but the audio is mono; use ChannelId 0/,
      ));
  });

  it.each([2, -1, 0.5])('refuses ChannelId %d as an argument out of range, which callers validate first', (channelId) => {
    const decode = () => decodeWav(riff(fmt({ channels: 2 }), chunk('data', pcm(1, 2))), channelId);
    expect(decode).toThrow(RangeError);
    expect(decode).toThrow(/ChannelId must be 0 or 1/);
  });
});

describe('pcm16ToFloat32', () => {
  it('decodes a live chunk of little-endian 16-bit samples', () => {
    expect(Array.from(pcm16ToFloat32(pcm(-32768, 0, 16384)))).toEqual([-1, 0, 0.5]);
    expect(pcm16ToFloat32(new Uint8Array(0))).toHaveLength(0);
  });

  it('rejects a chunk that splits a sample', () =>
    expectInvalid(() => pcm16ToFloat32(new Uint8Array(3)), /3 bytes; 16-bit PCM needs an even number of bytes/));
});
