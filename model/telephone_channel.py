"""Copies a folder of 8 kHz speaker-labelled WAV files (manifest.csv with path,speaker) through a simulated
telephone line: a Butterworth band-pass of the handset band, a random gain per file, line hiss, and G.711 mu-law
companding at 8 bits.

The shipped score calibration was fitted on librispeech-train-clean-100-1utt as recorded and through the default
line (README "Biometrics"); the README's held-out telephone figures use a different line (--band 200 3200
--order 6 --hiss-db -38 --seed 7), so that they do not measure the very channel the calibration saw.

Usage: python model/telephone_channel.py SRC DST [--band 300 3400] [--order 4] [--hiss-db -45] [--seed 1]
Needs numpy, scipy and soundfile (model/requirements.txt plus soundfile).
"""
import argparse
import csv
import os

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfilt


def mu_law(x: np.ndarray) -> np.ndarray:
    mu = 255.0
    coded = np.round(np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu) * 127) / 127
    return np.sign(coded) * ((1 + mu) ** np.abs(coded) - 1) / mu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--band", type=float, nargs=2, default=[300, 3400])
    ap.add_argument("--order", type=int, default=4)
    ap.add_argument("--hiss-db", type=float, default=-45)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    sos = butter(args.order, args.band, btype="band", fs=8000, output="sos")
    rows = list(csv.DictReader(open(os.path.join(args.src, "manifest.csv"))))
    os.makedirs(args.dst, exist_ok=True)
    with open(os.path.join(args.dst, "manifest.csv"), "w", newline="") as manifest:
        writer = csv.writer(manifest)
        writer.writerow(["path", "speaker"])
        for row in rows:
            x, rate = sf.read(os.path.join(args.src, row["path"]), dtype="float32")
            if x.ndim > 1:
                x = x[:, 0]
            y = sosfilt(sos, x) * 10 ** (rng.uniform(-6, 3) / 20)
            y = y + rng.normal(0, 10 ** (args.hiss_db / 20), len(y))
            y = mu_law(np.clip(y, -1, 1)).astype(np.float32)
            out = os.path.join(args.dst, row["path"])
            os.makedirs(os.path.dirname(out), exist_ok=True)
            sf.write(out, y, rate, subtype="PCM_16")
            writer.writerow([row["path"], row["speaker"]])


if __name__ == "__main__":
    main()
