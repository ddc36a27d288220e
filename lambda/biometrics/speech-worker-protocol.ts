/**
 * The messages between the speech worker pool (speech-workers.ts) and its workers (speech-worker.ts). Errors
 * cross as plain data and are rebuilt as their own classes, so a caller can tell a refused state or a missing
 * model from a fault whichever thread the work ran on.
 */

import { AudioFormatError, SpeakerModelNotProvisioned, SpeechStreamStateError, type SpeechStreamStateProblem } from './errors.ts';
import type { SpeakerModelSettings } from './speaker-model-settings.ts';

export interface SpeechWorkerData {
  /** The speaker model the worker embeds with. */
  model: SpeakerModelSettings;
}

export type SpeechJob =
  | { id: number; op: 'feed'; state: Uint8Array; samples: Float32Array; readyAtSeconds?: number }
  | { id: number; op: 'finish'; state: Uint8Array };

export type SpeechReply = { id: number; state: Uint8Array } | { id: number; error: SerialisedError };

export interface SerialisedError {
  name: string;
  message: string;
  stack?: string;
  problem?: SpeechStreamStateProblem;
}

export function serialiseError(error: unknown): SerialisedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error instanceof SpeechStreamStateError && { problem: error.problem }),
  };
}

/** The error as its own class where biometrics defines it, with the stack of the thread it was thrown in. */
export function reviveError({ name, message, stack, problem }: SerialisedError): Error {
  let error: Error;
  if (name === 'SpeechStreamStateError' && problem) error = new SpeechStreamStateError(problem, message);
  else if (name === 'SpeakerModelNotProvisioned') error = new SpeakerModelNotProvisioned(message);
  else if (name === 'AudioFormatError') error = new AudioFormatError(message);
  else if (name === 'RangeError') error = new RangeError(message);
  else if (name === 'TypeError') error = new TypeError(message);
  else {
    error = new Error(message);
    error.name = name;
  }
  if (stack) error.stack = stack;
  return error;
}
