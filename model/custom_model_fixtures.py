#!/usr/bin/env python3
"""Test fixtures for the operator-supplied speaker models (lambda/biometrics/fbank.ts, speaker-model.ts).

Writes, into model/fixtures/:
  * fbank-golden.json: kaldi-native-fbank's 80-bin log fbank of a fixed 16 kHz signal, with the Povey window
    (3D-Speaker, sherpa-onnx) and the Hamming window (WeSpeaker), for fbank.test.ts;
  * tiny-wespeaker.onnx and tiny-3d-speaker.onnx: stand-ins with the I/O signature and sherpa-onnx metadata of
    real exports (WeSpeaker: feats [B, T, 80] -> embs [B, D], samples scaled to PCM16; 3D-Speaker: x -> embedding,
    samples at +-1). The network is ReLU, mean over frames, a fixed linear layer: small, but it makes the
    features matter, so a wrong front end changes the embedding;
  * the embedding each should give for the signal, computed here with kaldi-native-fbank, CMN and onnxruntime,
    so the TypeScript loader is checked end to end against this Python reference.

Use: model/.venv/bin/python model/custom_model_fixtures.py   (needs kaldi-native-fbank, onnx, onnxruntime)
"""
import json
from pathlib import Path

import kaldi_native_fbank as knf
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).resolve().parent / "fixtures"
RATE = 16000
DIM = 16

# (file, framework, input, output, sample scale as sherpa-onnx's normalize_samples says, window)
MODELS = [
    ("tiny-wespeaker.onnx", "wespeaker", "feats", "embs", 32768.0, "hamming"),
    ("tiny-3d-speaker.onnx", "3d-speaker", "x", "embedding", 1.0, "povey"),
]


def signal() -> np.ndarray:
    """0.12 s: two partials with a glide, and seeded noise, as PCM16 so both languages read the same numbers."""
    t = np.arange(RATE * 3 // 25) / RATE
    x = 0.3 * np.sin(2 * np.pi * (220 * t + 400 * t * t)) + 0.1 * np.sin(2 * np.pi * 1830 * t)
    x += 0.02 * np.random.default_rng(11).standard_normal(len(t))
    return np.round(x * 32767).astype(np.int16)


def fbank(samples: np.ndarray, window: str) -> np.ndarray:
    opts = knf.FbankOptions()
    opts.frame_opts.dither = 0
    opts.frame_opts.samp_freq = RATE
    opts.frame_opts.snip_edges = True
    opts.frame_opts.window_type = window
    opts.mel_opts.num_bins = 80
    extractor = knf.OnlineFbank(opts)
    extractor.accept_waveform(RATE, samples.tolist())
    extractor.input_finished()
    return np.stack([extractor.get_frame(i) for i in range(extractor.num_frames_ready)])


def tiny_model(framework: str, inp: str, out: str, normalize_samples: int) -> onnx.ModelProto:
    weights = (np.random.default_rng(7).standard_normal((80, DIM)) / np.sqrt(80)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Relu", [inp], ["positive"]),
         helper.make_node("ReduceMean", ["positive"], ["pooled"], axes=[1], keepdims=0),
         helper.make_node("MatMul", ["pooled", "weights"], [out])],
        "tiny_speaker_model",
        [helper.make_tensor_value_info(inp, TensorProto.FLOAT, ["B", "T", 80])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["B", DIM])],
        [numpy_helper.from_array(weights, "weights")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="voiceid-fixtures")
    model.ir_version = 8
    # the metadata sherpa-onnx's export scripts add (scripts/wespeaker/add_meta_data.py, scripts/3dspeaker/export-onnx.py)
    meta = {"framework": framework, "language": "English", "output_dim": DIM, "sample_rate": RATE,
            "normalize_samples": normalize_samples,
            **({"feature_normalize_type": "global-mean"} if framework == "3d-speaker" else {})}
    for key, value in meta.items():
        model.metadata_props.add(key=key, value=str(value))
    onnx.checker.check_model(model)
    return model


def main() -> None:
    pcm = signal()
    samples = pcm.astype(np.float32) / 32768
    golden = {"sampleRate": RATE, "pcm16": pcm.tolist(), "fbank": {}, "models": {}}
    for window in ("povey", "hamming"):
        golden["fbank"][window] = fbank(samples, window).round(5).tolist()
    for file, framework, inp, out, scale, window in MODELS:
        model = tiny_model(framework, inp, out, int(scale == 1.0))
        (OUT / file).write_bytes(model.SerializeToString())
        feats = fbank(samples * scale, window)
        feats -= feats.mean(axis=0, keepdims=True)
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        emb = sess.run([out], {inp: feats[None].astype(np.float32)})[0][0]
        golden["models"][file] = (emb / np.linalg.norm(emb)).round(6).tolist()
    (OUT / "fbank-golden.json").write_text(json.dumps(golden) + "\n")


if __name__ == "__main__":
    main()
