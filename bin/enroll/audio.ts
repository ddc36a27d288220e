import { resample } from '#biometrics/resample';
import { encodeWav, VOICE_ID_SAMPLE_RATE } from '#biometrics/wav';

/**
 * Recordings as Voice ID's batch jobs take them: WAV, 8 kHz, 16-bit PCM, mono or stereo. A file already so is sent
 * as it is; any other PCM or IEEE-float WAV (44.1 kHz, 16 kHz, 24-bit, float...) is converted with the service's own
 * resampler, keeping both channels of a stereo call so that ChannelId still picks the caller.
 */

export interface PreparedAudio {
  bytes: Uint8Array;
  channels: number;
  seconds: number;
  /** What was converted ("16000 Hz 16-bit stereo -> 8000 Hz 16-bit"), or undefined when the file was sent as it is. */
  conversion?: string;
}

const PCM = 0x0001;
const IEEE_FLOAT = 0x0003;
const EXTENSIBLE = 0xfffe;

interface Format {
  encoding: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

const fourCC = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

/** The WAV file `file` (named `name` in messages) as Voice ID takes it; throws an Error saying why it cannot be. */
export function prepareWav(file: Uint8Array, name: string): PreparedAudio {
  if (file.byteLength < 12 || fourCC(file, 0) !== 'RIFF' || fourCC(file, 8) !== 'WAVE') {
    throw new Error(`${name} is not a WAV file (no RIFF/WAVE header).`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let format: Format | undefined;
  let data: Uint8Array | undefined;
  let sizeRepaired = false;
  for (let at = 12; at + 8 <= file.byteLength; ) {
    const id = fourCC(file, at);
    const declared = view.getUint32(at + 4, true);
    // A streaming writer's placeholder size (0 or 0xFFFFFFFF), or a cut file: the data runs to the end.
    const size = id === 'data' && (declared === 0 || declared > file.byteLength - at - 8) ? file.byteLength - at - 8 : declared;
    if (id === 'fmt ' && size >= 16) {
      const tag = view.getUint16(at + 8, true);
      format = {
        encoding: tag === EXTENSIBLE && size >= 40 ? view.getUint16(at + 8 + 24, true) : tag,
        channels: view.getUint16(at + 10, true),
        sampleRate: view.getUint32(at + 12, true),
        bitsPerSample: view.getUint16(at + 22, true),
      };
    }
    if (id === 'data') [data, sizeRepaired] = [file.subarray(at + 8, at + 8 + size), size !== declared];
    at += 8 + size + (size % 2);
  }
  if (!format || !data) throw new Error(`${name} has no ${format ? 'data' : 'fmt'} chunk.`);
  const { encoding, channels, sampleRate, bitsPerSample } = format;
  const describe = `${sampleRate} Hz ${bitsPerSample}-bit ${encoding === IEEE_FLOAT ? 'float ' : ''}${channels === 1 ? 'mono' : channels === 2 ? 'stereo' : `${channels} channels`}`;
  const readable =
    (encoding === PCM && [8, 16, 24, 32].includes(bitsPerSample)) || (encoding === IEEE_FLOAT && [32, 64].includes(bitsPerSample));
  if (!readable)
    throw new Error(`${name} is ${describe} in WAV format 0x${encoding.toString(16)}; only PCM and IEEE float WAV files can be converted.`);
  if (channels < 1 || channels > 2) throw new Error(`${name} has ${channels} channels; a call recording has 1 or 2.`);
  const frames = Math.floor(data.byteLength / ((bitsPerSample / 8) * channels));
  if (frames === 0) throw new Error(`${name} holds no audio.`);
  const seconds = frames / sampleRate;
  if (
    encoding === PCM &&
    bitsPerSample === 16 &&
    sampleRate === VOICE_ID_SAMPLE_RATE &&
    !sizeRepaired &&
    data.byteLength === frames * 2 * channels
  ) {
    return { bytes: file, channels, seconds };
  }
  const decoded = Array.from({ length: channels }, (_, channel) =>
    resample(readChannel(data, format, frames, channel), sampleRate, VOICE_ID_SAMPLE_RATE),
  );
  return { bytes: encodeWav(decoded), channels, seconds, conversion: `${describe} -> ${VOICE_ID_SAMPLE_RATE} Hz 16-bit` };
}

/** One channel as samples in [-1, 1). */
function readChannel(data: Uint8Array, { encoding, channels, bitsPerSample }: Format, frames: number, channel: number): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bytes = bitsPerSample / 8;
  const samples = new Float32Array(frames);
  for (let i = 0, at = channel * bytes; i < frames; i++, at += bytes * channels) {
    if (encoding === IEEE_FLOAT) samples[i] = bytes === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    else if (bytes === 1) samples[i] = (view.getUint8(at) - 128) / 128;
    else if (bytes === 2) samples[i] = view.getInt16(at, true) / 32768;
    else if (bytes === 3) samples[i] = (view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608;
    else samples[i] = view.getInt32(at, true) / 2147483648;
  }
  return samples;
}
