"""Checks the h5 -> ONNX conversion of deep_speaker.py against TensorFlow running the same h5 weights.

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


def main(paths):
    w = deep_speaker.load_weights(deep_speaker.provision.HERE / ".cache")
    sess = ort.InferenceSession(deep_speaker.build_onnx(w).SerializeToString(), providers=["CPUExecutionProvider"])
    return parity.compare(
        paths,
        lambda wav: sess.run(["embedding"], {"fbank": deep_speaker.features(wav)[None]})[0][0],
        lambda wav: tf_reference(w, deep_speaker.features(wav).astype(np.float64)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
