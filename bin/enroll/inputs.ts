import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Voice ID's limit of audio files per request of a batch job. */
export const MAX_FILES_PER_CALLER = 10;

export interface CallerRecording {
  file: string;
  /** The caller's channel in a stereo recording. */
  channel: 0 | 1;
}

/** One caller to enroll (CustomerSpeakerId) or one fraudster to register, and their recordings in order. */
export interface Caller {
  id: string;
  recordings: CallerRecording[];
}

/**
 * The callers of a folder (one subfolder per caller, named by its CustomerSpeakerId, holding its .wav files) or of
 * a manifest.csv (`speaker_id,path[,channel]` lines, an optional header, paths relative to the csv). `warn` hears
 * what was left out.
 */
export function readCallers(source: string, defaultChannel: 0 | 1, warn: (message: string) => void): Caller[] {
  const callers = statSync(source).isDirectory() ? fromFolder(source, defaultChannel, warn) : fromCsv(source, defaultChannel);
  for (const caller of callers) {
    if (caller.recordings.length > MAX_FILES_PER_CALLER) {
      warn(
        `${caller.id} has ${caller.recordings.length} recordings; a Voice ID request takes at most ${MAX_FILES_PER_CALLER}, so only the first ${MAX_FILES_PER_CALLER} are used.`,
      );
      caller.recordings = caller.recordings.slice(0, MAX_FILES_PER_CALLER);
    }
  }
  return callers;
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

function fromFolder(folder: string, channel: 0 | 1, warn: (message: string) => void): Caller[] {
  const entries = readdirSync(folder, { withFileTypes: true });
  const loose = entries.filter((entry) => entry.isFile() && /\.wav$/i.test(entry.name));
  if (loose.length > 0) {
    warn(
      `${loose.length} .wav file(s) directly in ${folder} are ignored: put each caller's recordings in a subfolder named by its speaker id.`,
    );
  }
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(byName)
    .flatMap((id) => {
      const files = readdirSync(path.join(folder, id))
        .filter((name) => /\.wav$/i.test(name))
        .sort(byName);
      if (files.length === 0) warn(`${path.join(folder, id)} holds no .wav file; ${id} is skipped.`);
      return files.length ? [{ id, recordings: files.map((file) => ({ file: path.join(folder, id, file), channel })) }] : [];
    });
}

function fromCsv(csv: string, defaultChannel: 0 | 1): Caller[] {
  const callers = new Map<string, Caller>();
  const lines = readFileSync(csv, 'utf8').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const [id, file, channel] = splitCsvLine(line).map((field) => field.trim());
    if (index === 0 && /^(speaker_?id|speaker|customer_?speaker_?id)$/i.test(id)) return;
    if (!id || !file) throw new Error(`${csv}:${index + 1}: a line is speaker_id,path[,channel]; this one is "${line}".`);
    if (channel !== undefined && channel !== '' && channel !== '0' && channel !== '1') {
      throw new Error(`${csv}:${index + 1}: the channel must be 0 or 1, not "${channel}".`);
    }
    const caller = callers.get(id) ?? { id, recordings: [] };
    caller.recordings.push({ file: path.resolve(path.dirname(csv), file), channel: channel ? (Number(channel) as 0 | 1) : defaultChannel });
    callers.set(id, caller);
  });
  return [...callers.values()];
}

/** The fields of one CSV line; a field may be "quoted", with "" for a quote inside it. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}
