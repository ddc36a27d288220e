"""The comparison loop of the candidates' parity checks: our conversion against the reference, file by file."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evaluate import read_wav, resample  # noqa: E402


def compare(paths, ours, reference, threshold=0.9999) -> int:
    """`ours` and `reference` map 16 kHz samples to an embedding; exit code 0 if every cosine exceeds `threshold`."""
    worst = 1.0
    for p in paths:
        x, sr = read_wav(Path(p))
        wav = resample(x, sr, 16000)
        a, b = ours(wav), reference(wav)
        cos = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
        worst = min(worst, cos)
        print(f"{p}  cosine {cos:.7f}  maxabs {np.abs(a - b).max():.2e}")
    print(f"worst cosine {worst:.7f} -> {'PASS' if worst > threshold else 'FAIL'}")
    return 0 if worst > threshold else 1
