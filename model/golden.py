#!/usr/bin/env python3
"""Write fixtures/golden.json: reference values a TypeScript port can test against.

* resampler: the 41 FIR taps of scipy.signal.resample_poly(x, 2, 1) and the rule
  y = convolve(zero_stuffed(x), taps)[20 : 20 + 2*len(x)]
* mel filterbank [40 x 201] is inside the ONNX graph, so it is not needed by the host
* embeddings of two shared files through the product pipeline (PCM16/32768 -> resample_poly
  -> resemblyzer-ge2e-wave.onnx, no VAD), first 32 samples of the 16 kHz signal as a check
Usage: python golden.py [--data ../../shared/data]
"""
import argparse
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
from scipy.signal import firwin

from evaluate import read_wav, resample

HERE = Path(__file__).resolve().parent
FILES = ["librispeech-test-other-10/spk1688/1688-142285-0000.wav",
         "dspspeech20-subset/spk15307110189/15307110189-00-01.wav"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE / "../../shared/data")
    ap.add_argument("--model", type=Path, default=HERE / "out/resemblyzer-ge2e-wave.onnx")
    a = ap.parse_args()
    sess = ort.InferenceSession(str(a.model), providers=["CPUExecutionProvider"])
    taps = firwin(41, 0.5, window=("kaiser", 5.0)) * 2
    out = {"resampler_8k_to_16k": {"taps": [float(t) for t in taps],
                                   "rule": "u = zero-stuff x (u[2i]=x[i], u[2i+1]=0); y = conv(u, taps)[20 : 20 + 2*len(x)]"},
           "files": []}
    for rel in FILES:
        x, sr = read_wav(a.data / rel)
        y = resample(x, sr, 16000)
        e, p = sess.run(None, {"waveform": y})
        out["files"].append({"path": rel, "samples_8k": len(x), "samples_16k": len(y),
                             "first32_16k": [float(v) for v in y[:32]],
                             "partials": int(p.shape[0]),
                             "embedding": [round(float(v), 7) for v in e]})
    (HERE / "fixtures").mkdir(exist_ok=True)
    (HERE / "fixtures/golden.json").write_text(json.dumps(out, indent=1) + "\n")
    print("wrote fixtures/golden.json")


if __name__ == "__main__":
    main()
