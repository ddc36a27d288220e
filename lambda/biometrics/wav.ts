/**
 * Voice ID's audio input rules, applied where audio enters the service: batch files are RIFF/WAVE, 8 kHz, 16-bit
 * signed PCM, one or two channels, at most 20 MB; live sessions send raw 8 kHz PCM-16 little-endian mono.
 * Everything past this module works on Float32 samples in [-1, 1).
 */
import { AudioFormatError } from './errors.ts';

export const VOICE_ID_SAMPLE_RATE = 8000;

/** 20 MB read as MiB, the more permissive reading of the documented limit. */
export const MAX_WAV_BYTES = 20 * 1024 * 1024;

/** A data chunk size that streaming writers leave behind when they never seek back to fill it in. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Bytes 4..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..3 hold the classic format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Encodings that telephony and media tools commonly write; naming them tells the caller what to convert from. */
const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MP3',
};

export interface DecodedAudio {
  /** One channel, scaled so that -32768 maps to -1 and 32767 to just under 1. */
  samples: Float32Array;
  sampleRate: number;
  durationSeconds: number;
}

interface WavFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

interface Chunk {
  id: string;
  body: Uint8Array;
}

/**
 * Decodes a batch WAV file and returns the caller's channel (ChannelId 0 or 1).
 *
 * The RIFF size field is ignored, since writers get it wrong too often to matter; chunks are walked to the end of
 * the file instead. A data chunk of size 0 or 0xFFFFFFFF, the placeholders of writers that stream without seeking
 * back, runs to the end of the file (anything such a writer appended after it would be read as audio: it cannot be
 * told apart). A chunk that claims more bytes than the file holds otherwise means the file was cut short and is
 * rejected, since decoding it would score a different recording than the one submitted; the one exception is
 * metadata cut short after the fmt and data chunks, which leaves the audio whole.
 */
export function decodeWav(file: Uint8Array, channelId = 0): DecodedAudio {
  if (file.byteLength === 0) throw new AudioFormatError('The audio file is empty.');
  if (file.byteLength > MAX_WAV_BYTES) {
    throw new AudioFormatError(
      `The audio file is ${file.byteLength} bytes; the limit is 20 MB (${MAX_WAV_BYTES} bytes). Send a shorter recording.`,
    );
  }
  if (channelId !== 0 && channelId !== 1) {
    throw new RangeError(`ChannelId must be 0 or 1, not ${channelId}.`);
  }
  if (file.byteLength < 12 || fourCC(file, 0) !== 'RIFF' || fourCC(file, 8) !== 'WAVE') {
    throw new AudioFormatError(
      'The audio file is not a WAV file (it does not start with a RIFF/WAVE header). Send a .wav file of 8 kHz 16-bit PCM.',
    );
  }

  const chunks = readChunks(file);
  const fmt = chunks.find((chunk) => chunk.id === 'fmt ');
  const data = chunks.find((chunk) => chunk.id === 'data');
  if (!fmt) throw new AudioFormatError('The WAV file has no fmt chunk, so its audio format is unknown.');
  if (!data) throw new AudioFormatError('The WAV file has no data chunk, so it contains no audio.');

  const format = parseFormat(fmt.body);
  if (channelId === 1 && format.channels === 1) {
    throw new AudioFormatError('ChannelId 1 was requested but the audio is mono; use ChannelId 0.');
  }
  const frameBytes = 2 * format.channels;
  if (data.body.byteLength % frameBytes !== 0) {
    throw new AudioFormatError(
      `The WAV data chunk holds ${data.body.byteLength} bytes, which is not a whole number of ${frameBytes}-byte ` +
        `frames (16-bit, ${format.channels} channel${format.channels === 1 ? '' : 's'}); the file is damaged or cut mid-sample.`,
    );
  }
  if (data.body.byteLength === 0) throw new AudioFormatError('The WAV file contains no audio samples.');

  const samples = int16ToFloat32(data.body, format.channels, channelId);
  return { samples, sampleRate: format.sampleRate, durationSeconds: samples.length / format.sampleRate };
}

/** Decodes one raw chunk of a live session's stream (8 kHz PCM-16 little-endian mono). */
export function pcm16ToFloat32(chunk: Uint8Array): Float32Array {
  if (chunk.byteLength % 2 !== 0) {
    throw new AudioFormatError(
      `The audio chunk has ${chunk.byteLength} bytes; 16-bit PCM needs an even number of bytes, ` + 'so send whole samples in each chunk.',
    );
  }
  return int16ToFloat32(chunk, 1, 0);
}

function readChunks(file: Uint8Array): Chunk[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: Chunk[] = [];
  let offset = 12;
  // Fewer than 8 bytes left cannot hold a chunk header: some writers leave a stray byte or two at the end.
  while (offset + 8 <= file.byteLength) {
    const id = fourCC(file, offset);
    const size = view.getUint32(offset + 4, true);
    const start = offset + 8;
    const available = file.byteLength - start;
    if (id === 'data' && UNKNOWN_SIZES.has(size)) {
      chunks.push({ id, body: file.subarray(start) });
      break;
    }
    if (size > available) {
      // Metadata cut off after both fmt and data leaves the audio itself intact.
      if (id !== 'data' && ['fmt ', 'data'].every((wanted) => chunks.some((chunk) => chunk.id === wanted))) break;
      throw new AudioFormatError(
        `The WAV file is truncated: its '${id.trim()}' chunk declares ${size} bytes but only ${available} follow.`,
      );
    }
    chunks.push({ id, body: file.subarray(start, start + size) });
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte that its size does not count.
    offset = start + size + (size % 2);
  }
  return chunks;
}

function parseFormat(body: Uint8Array): WavFormat {
  if (body.byteLength < 16) {
    throw new AudioFormatError(`The WAV fmt chunk is ${body.byteLength} bytes, too short to describe the audio.`);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const format: WavFormat = {
    formatTag: view.getUint16(0, true),
    channels: view.getUint16(2, true),
    sampleRate: view.getUint32(4, true),
    bitsPerSample: view.getUint16(14, true),
  };

  // Every mismatch is reported at once, so one conversion fixes the file.
  const problems: string[] = [];
  const encoding = encodingOf(format.formatTag, body, view);
  if (encoding !== 'PCM') problems.push(`it is ${encoding}, but linear PCM is required`);
  if (format.bitsPerSample !== 16) problems.push(`it is ${format.bitsPerSample}-bit, but 16-bit samples are required`);
  if (format.channels < 1 || format.channels > 2) {
    problems.push(`it has ${format.channels} channels, but 1 or 2 are required`);
  }
  if (format.sampleRate !== VOICE_ID_SAMPLE_RATE) {
    problems.push(`it is sampled at ${format.sampleRate} Hz, but ${VOICE_ID_SAMPLE_RATE} Hz is required`);
  }
  if (problems.length > 0) {
    throw new AudioFormatError(
      `The WAV audio format is not supported: ${problems.join('; ')}. ` + 'Convert it to 8000 Hz, 16-bit signed PCM, mono or stereo.',
    );
  }
  return format;
}

function encodingOf(formatTag: number, body: Uint8Array, view: DataView): string {
  if (formatTag === WAVE_FORMAT_PCM) return 'PCM';
  if (formatTag !== WAVE_FORMAT_EXTENSIBLE) return describeTag(formatTag);
  if (body.byteLength < 40) return 'WAVE_FORMAT_EXTENSIBLE with a truncated fmt chunk';
  const subformatTag = view.getUint32(24, true);
  const isStandardSubtype = SUBTYPE_GUID_TAIL.every((byte, i) => body[28 + i] === byte);
  if (!isStandardSubtype) return 'WAVE_FORMAT_EXTENSIBLE with a non-standard subformat';
  return subformatTag === WAVE_FORMAT_PCM ? 'PCM' : `WAVE_FORMAT_EXTENSIBLE with subformat ${describeTag(subformatTag)}`;
}

function describeTag(formatTag: number): string {
  const hex = `0x${formatTag.toString(16).padStart(4, '0')}`;
  const name = FORMAT_NAMES[formatTag];
  return name ? `${name} (format ${hex})` : `format ${hex}`;
}

function int16ToFloat32(pcm: Uint8Array, channels: number, channel: number): Float32Array {
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const frameBytes = 2 * channels;
  const samples = new Float32Array(pcm.byteLength / frameBytes);
  for (let i = 0, offset = 2 * channel; i < samples.length; i++, offset += frameBytes) {
    samples[i] = view.getInt16(offset, true) / 32768;
  }
  return samples;
}

function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

/**
 * A RIFF/WAVE file of 16-bit PCM at `sampleRate` with one channel per array (interleaved; all as long as the
 * first): what Voice ID's batch jobs read, for tools that prepare recordings and for tests.
 */
export function encodeWav(channels: Float32Array[], sampleRate = VOICE_ID_SAMPLE_RATE): Uint8Array {
  const frames = channels[0].length;
  const dataBytes = frames * channels.length * 2;
  const file = new Uint8Array(44 + dataBytes);
  const view = new DataView(file.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels.length * 2, true);
  view.setUint16(32, channels.length * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let frame = 0; frame < frames; frame++) {
    channels.forEach((channel, c) => {
      const sample = Math.max(-32768, Math.min(32767, Math.round((channel[frame] ?? 0) * 32768)));
      view.setInt16(44 + (frame * channels.length + c) * 2, sample, true);
    });
  }
  return file;
}
