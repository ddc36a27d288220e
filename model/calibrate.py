#!/usr/bin/env python3
"""Fit the cosine -> 0..100 score mapping from one or more score dumps (evaluate.py --dump).

    score(x) = 100 / (1 + exp(-(a * (x - x90) + ln 9)))      x = cosine (or s-norm score)
    a = ln 9 / (x90 - x50)

so score(x90) = 90 and score(x50) = 50.  x90 / x50 are the cosine thresholds where the
NON-TARGET (impostor) trials of the calibration data reach the false-accept rates --far90 /
--far50.  With several dumps (different domains), --mode max takes the highest threshold of
the sets (FAR <= nominal on every calibration domain; conservative), --mode pool takes the
quantile of all non-target scores pooled.

Usage: python calibrate.py --out calibration.json [--kind cosine] [--mode max] DUMP.json ...
"""
import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dumps", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--kind", default="cosine", choices=["cosine", "snorm"])
    ap.add_argument("--mode", default="max", choices=["max", "pool"])
    ap.add_argument("--far90", type=float, default=0.01)
    ap.add_argument("--far50", type=float, default=0.10)
    ap.add_argument("--model", default="resemblyzer-ge2e-wave.onnx")
    a = ap.parse_args()
    sets = {p.stem: np.asarray(json.loads(p.read_text())[a.kind]["nontarget"]) for p in a.dumps}
    q = lambda x, far: float(np.quantile(x, 1 - far, method="higher"))
    per_set = {k: {"n_nontarget": int(len(v)), "x90": q(v, a.far90), "x50": q(v, a.far50)} for k, v in sets.items()}
    if a.mode == "max":
        x90 = max(s["x90"] for s in per_set.values())
        x50 = max(s["x50"] for s in per_set.values())
    else:
        pooled = np.concatenate(list(sets.values()))
        x90, x50 = q(pooled, a.far90), q(pooled, a.far50)
    cal = {"score_kind": a.kind, "formula": "score = 100 / (1 + exp(-(a*(x - x90) + ln 9)))",
           "x90": x90, "x50": x50, "a": math.log(9.0) / max(x90 - x50, 1e-6),
           "far_at_90": a.far90, "far_at_50": a.far50, "mode": a.mode, "per_set": per_set,
           "model": a.model,
           "host_pipeline": "PCM16/32768 -> resample_poly 8k->16k -> webrtcvad trim (resemblyzer "
                            "trim_long_silences) -> resemblyzer-ge2e-wave.onnx -> cosine",
           "fitted_on": "evaluate.py --dump files named in per_set; see run_report.sh step 1 "
                        "(cal_tc_vad: librispeech-train-clean-100-1utt --stream 8 s/5 s; "
                        "cal_dsp_vad: dspspeech20 take1->take2 15 s/5 s; both --vad webrtc)"}
    a.out.write_text(json.dumps(cal, indent=2) + "\n")
    print(json.dumps(cal, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
