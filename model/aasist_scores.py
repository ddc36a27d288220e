#!/usr/bin/env python3
"""Score distribution of the AASIST anti-spoofing ONNX models on (real, bona fide) speech.

Models: waveform [batch, 64600] float32 (16 kHz, 4.04 s) -> logits [batch, 2]; index 1 is
bona fide, index 0 spoof (AASIST convention; the official eval score is logits[:, 1]).
Input preparation follows the official AASIST eval: the first 64600 samples, or the clip
tiled (repeated) up to 64600 when shorter; no amplitude normalisation.  Our audio is 8 kHz
telephone-band, upsampled with scipy.signal.resample_poly(x, 2, 1).

Usage: python aasist_scores.py [--models-dir DIR] [--max-files N] DATA_DIR [DATA_DIR ...]
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from evaluate import load_index, read_wav, resample

NSAMP = 64600


def prep(x: np.ndarray) -> np.ndarray:
    if len(x) >= NSAMP:
        return x[:NSAMP]
    reps = NSAMP // len(x) + 1
    return np.tile(x, reps)[:NSAMP]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", type=Path, default=Path(__file__).resolve().parent / "../../shared/models/aasist")
    ap.add_argument("--max-files", type=int, default=300, help="evenly sampled files per data set")
    ap.add_argument("data", nargs="+", type=Path)
    a = ap.parse_args()
    so = ort.SessionOptions(); so.log_severity_level = 3
    models = {m: ort.InferenceSession(str(a.models_dir / m), so, providers=["CPUExecutionProvider"])
              for m in ("AASIST.onnx", "AASIST-L.onnx")}
    out = {}
    for d in a.data:
        files = [f for fl in load_index(d).values() for f in fl]
        if len(files) > a.max_files:
            files = [files[i] for i in np.linspace(0, len(files) - 1, a.max_files).astype(int)]
        X = []
        for f in files:
            x, sr = read_wav(f)
            X.append(prep(resample(x, sr, 16000)))
        X = np.stack(X).astype(np.float32)
        res = {"files": len(files)}
        for name, s in models.items():
            t0 = time.perf_counter()
            logits = np.concatenate([s.run(None, {"waveform": X[i:i + 16]})[0] for i in range(0, len(X), 16)])
            dt = time.perf_counter() - t0
            margin = logits[:, 1] - logits[:, 0]  # > 0 => classified bona fide
            p_bona = 1 / (1 + np.exp(-margin))
            q = np.quantile(margin, [0.05, 0.25, 0.5, 0.75, 0.95])
            res[name] = {"bonafide_rate_%": round(100 * float(np.mean(margin > 0)), 1),
                         "margin_q05_q25_q50_q75_q95": [round(float(v), 2) for v in q],
                         "p_bonafide_mean": round(float(p_bona.mean()), 3),
                         "logit1_mean": round(float(logits[:, 1].mean()), 2),
                         "rtf": round(dt / (len(X) * NSAMP / 16000), 4)}
        out[d.name] = res
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
