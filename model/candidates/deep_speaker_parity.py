"""Checks deep_speaker.py's waveform-in ONNX (front end and network) against TensorFlow running the same h5 weights
on the features of python_speech_features, as the package computes them.

TensorFlow does the convolutions ('SAME' padding), batch norm and the Keras (time, frequency*channel)
flatten itself, so a wrong padding side or flatten order in the ONNX graph shows up here.
Needs a scratch venv with tensorflow-cpu, h5py, onnx, onnxruntime, scipy, python_speech_features
(about 1.6 GB; not part of model/requirements.txt).

Use: python candidates/deep_speaker_parity.py WAV...
"""
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import deep_speaker  # noqa: E402
import parity  # noqa: E402


def tf_reference(w, feats):
    def conv_bn(x, layer, stride):
        y = tf.nn.conv2d(x, w[f"{layer}/kernel"], stride, "SAME") + w[f"{layer}/bias"]
        bn = lambda k: w[f"{layer}_bn/{k}"]  # noqa: E731
        return tf.nn.batch_normalization(y, bn("moving_mean"), bn("moving_variance"), bn("beta"), bn("gamma"),
                                          deep_speaker.BN_EPS)

    def clip(x):
        return tf.minimum(tf.maximum(x, 0.0), deep_speaker.CLIP)

    x = tf.constant(feats[None, :, :, None], tf.float64)
    for stage, filters in enumerate((64, 128, 256, 512), start=1):
        x = clip(conv_bn(x, f"conv{filters}-s", 2))
        for block in range(3):
            base = f"res{stage}_{block}_branch"
            x = clip(clip(conv_bn(clip(conv_bn(x, f"{base}_2a", 1)), f"{base}_2b", 1)) + x)
    x = tf.reduce_mean(tf.reshape(x, (1, -1, 2048)), axis=1)
    x = tf.matmul(x, w["affine/kernel"]) + w["affine/bias"]
    return tf.math.l2_normalize(x, axis=1).numpy()[0]


def package_features(wav16):
    """The package's own front end (deep_speaker/audio.py mfcc_fbank), not ours."""
    from python_speech_features import fbank
    energies, _ = fbank(wav16, samplerate=16000, nfilt=deep_speaker.N_FBANK)
    return (energies - energies.mean(axis=1, keepdims=True)) / np.maximum(energies.std(axis=1, keepdims=True), 1e-12)


def main(paths):
    """The provisioned graph, waveform in, against TensorFlow on the package's features."""
    w = deep_speaker.load_weights(deep_speaker.provision.HERE / ".cache")
    sess = ort.InferenceSession(deep_speaker.build_wave_onnx(w).SerializeToString(), providers=["CPUExecutionProvider"])
    return parity.compare(paths, lambda wav: sess.run(["embedding"], {"waveform": wav})[0],
                          lambda wav: tf_reference(w, package_features(wav.astype(np.float64))))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
