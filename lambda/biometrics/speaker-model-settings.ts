/**
 * Which speaker model a deployment uses, as config.ts reads it from SPEAKER_MODEL and its companions. Kept apart
 * from speaker-model.ts so that reading the configuration does not load ONNX Runtime.
 */

/**
 * The ONNX exports an operator may supply: WeSpeaker's (`feats` -> `embs`), 3D-Speaker's (`x` -> `embedding`)
 * and sherpa-onnx's copies of either, whose metadata names the framework.
 */
export const CUSTOM_MODEL_FORMATS = ['wespeaker', '3d-speaker', 'sherpa-onnx'] as const;
export type CustomModelFormat = (typeof CUSTOM_MODEL_FORMATS)[number];

/** The SPEAKER_MODEL that selects an operator's own file. */
export const CUSTOM_SPEAKER_MODEL = 'custom';

export interface CustomSpeakerModel {
  /** The ONNX file; a relative path is taken from the model directory. */
  file: string;
  /** Checked before the file is loaded, and part of the model's name. */
  sha256: string;
  format: CustomModelFormat;
}

export interface SpeakerModelSettings {
  /** A built-in model; the default one when unset. Not used when `custom` is set. */
  name?: string;
  /** Where the model files are: model/out, where `npm install` builds them, when unset. */
  directory?: string;
  /** An operator's own model, instead of a built-in one. */
  custom?: CustomSpeakerModel;
}
