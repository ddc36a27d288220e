#!/usr/bin/env python3
"""Speaker-verification evaluation of a waveform->embedding ONNX model (model selection tool).

Data folder: ``manifest.csv`` (columns path,speaker[,duration_s]) or one sub-folder per speaker
with .wav files (PCM16 mono, any rate; resampled to --rate with scipy.signal.resample_poly).

Protocol (per speaker, files in manifest order):
  * enrolment: concatenate the speaker's enrolment-pool files until >= --enrol-s seconds of
    audio (after the optional VAD trim), one embedding over the whole concatenation
    (= mean of all 1.6 s partial embeddings, L2-normalised).
  * tests: the speaker's remaining files (test pool) concatenated and cut into consecutive
    --test-s segments (a trailing piece shorter than --min-test-frac * test-s is dropped).
  * trials: every test segment against every enrolled speaker (target if same speaker).
  * pools: by default enrolment takes files from the start of the list and the rest is the
    test pool; --rotations K repeats with the file list rotated by K different offsets
    (more, correlated trials); --enrol-regex/--test-regex select pools by file name instead
    (e.g. dspspeech20 take 1 vs take 2).

Scores: raw cosine, and optionally adaptive s-norm (--cohort DIR: one embedding per cohort
file; top --snorm-topk cohort scores of each side).  Metrics: EER, normalised minDCF
(P_target=0.01, C_miss=C_fa=1), FAR/FRR at the calibrated 0-100 score >= 90 if --calib
is given, embedding real-time factor.  --fit-calibration writes a cosine->score mapping
fitted on THIS run's non-target scores (use a set you do not report on).

Example:
  python evaluate.py --data ../shared/data/librispeech-test-other-10 --rotations 10 \
      --cohort ../shared/data/librispeech-train-clean-100-1utt
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
import wave
from collections import OrderedDict, defaultdict
from pathlib import Path

import numpy as np
import onnxruntime as ort
from scipy.signal import resample_poly

HERE = Path(__file__).resolve().parent


# ----------------------------------------------------------------------------- audio
def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM supported")
        sr, ch = w.getframerate(), w.getnchannels()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if ch > 1:
        x = x.reshape(-1, ch).mean(axis=1)
    return x, sr


def resample(x: np.ndarray, sr: int, target: int) -> np.ndarray:
    if sr == target:
        return x.astype(np.float32)
    g = math.gcd(sr, target)
    # scipy default: Kaiser window (beta 5.0), filter length 2*10*max(up,down)+1
    return resample_poly(x, target // g, sr // g).astype(np.float32)


class WebrtcTrim:
    """Resemblyzer's trim_long_silences (webrtcvad mode 3, 30 ms windows, moving average 8,
    dilation 7 windows) - removes silences longer than ~0.2 s."""

    def __init__(self, sr: int):
        import webrtcvad  # noqa
        from scipy.ndimage import binary_dilation
        self.vad = webrtcvad.Vad(3)
        self.sr = sr
        self.dil = binary_dilation

    def __call__(self, wav: np.ndarray) -> np.ndarray:
        win = 30 * self.sr // 1000
        wav = wav[: len(wav) - len(wav) % win]
        if len(wav) == 0:
            return wav
        pcm = np.round(wav * 32767).astype("<i2").tobytes()
        flags = np.array([self.vad.is_speech(pcm[i * 2:(i + win) * 2], sample_rate=self.sr)
                          for i in range(0, len(wav), win)], dtype=float)
        width = 8
        padded = np.concatenate((np.zeros((width - 1) // 2), flags, np.zeros(width // 2)))
        ret = np.cumsum(padded, dtype=float)
        ret[width:] = ret[width:] - ret[:-width]
        mask = np.round(ret[width - 1:] / width).astype(bool)
        mask = self.dil(mask, np.ones(7))
        return wav[np.repeat(mask, win)]


# ----------------------------------------------------------------------------- data
def load_index(folder: Path) -> "OrderedDict[str, list[Path]]":
    spk: "OrderedDict[str, list[Path]]" = OrderedDict()
    man = folder / "manifest.csv"
    if man.exists():
        with open(man, newline="") as f:
            for row in csv.DictReader(f):
                spk.setdefault(row["speaker"], []).append(folder / row["path"])
    else:
        for d in sorted(p for p in folder.iterdir() if p.is_dir()):
            files = sorted(d.glob("*.wav"))
            if files:
                spk[d.name] = files
    return spk


class Embedder:
    def __init__(self, model: Path, threads: int):
        so = ort.SessionOptions()
        if threads:
            so.intra_op_num_threads = threads
            so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self.sess = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
        self.inp = self.sess.get_inputs()[0].name
        self.seconds_audio = 0.0
        self.seconds_cpu = 0.0

    def __call__(self, wav16: np.ndarray, rate: int) -> np.ndarray:
        t0 = time.perf_counter()
        e = self.sess.run(["embedding"], {self.inp: wav16.astype(np.float32)})[0]
        self.seconds_cpu += time.perf_counter() - t0
        self.seconds_audio += len(wav16) / rate
        e = np.asarray(e, dtype=np.float64).ravel()
        return e / max(np.linalg.norm(e), 1e-12)


class PyEmbedder(Embedder):
    def __init__(self, path: Path):
        import importlib.util
        spec = importlib.util.spec_from_file_location("py_embedder", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        self.fn = mod.make_embedder()
        self.seconds_audio = 0.0
        self.seconds_cpu = 0.0

    def __call__(self, wav16: np.ndarray, rate: int) -> np.ndarray:
        t0 = time.perf_counter()
        e = np.asarray(self.fn(wav16.astype(np.float32)), dtype=np.float64).ravel()
        self.seconds_cpu += time.perf_counter() - t0
        self.seconds_audio += len(wav16) / rate
        return e / max(np.linalg.norm(e), 1e-12)


# ----------------------------------------------------------------------------- metrics
def eer_mindcf(tar: np.ndarray, non: np.ndarray, p_target=0.01, c_miss=1.0, c_fa=1.0):
    scores = np.concatenate([tar, non])
    labels = np.concatenate([np.ones(len(tar)), np.zeros(len(non))])
    order = np.argsort(scores, kind="mergesort")
    labels = labels[order]
    # threshold just above sorted score i: everything <= i rejected
    miss = np.concatenate([[0], np.cumsum(labels)]) / len(tar)            # P_miss
    fa = 1 - np.concatenate([[0], np.cumsum(1 - labels)]) / len(non)      # P_fa
    idx = np.argmin(np.abs(miss - fa))
    # linear interpolation between the two points bracketing the crossing
    d = miss - fa
    j = np.where(d >= 0)[0][0]
    if j > 0 and d[j] != d[j - 1]:
        t = -d[j - 1] / (d[j] - d[j - 1])
        eer = fa[j - 1] + t * (fa[j] - fa[j - 1])
    else:
        eer = (miss[idx] + fa[idx]) / 2
    dcf = c_miss * miss * p_target + c_fa * fa * (1 - p_target)
    norm = min(c_miss * p_target, c_fa * (1 - p_target))
    k = int(np.argmin(dcf))
    sorted_scores = scores[order]
    thr_eer = sorted_scores[min(max(j - 1, 0), len(sorted_scores) - 1)]
    return float(eer), float(dcf[k] / norm), float(thr_eer)


def far_frr_at(tar, non, thr):
    return float(np.mean(non >= thr)), float(np.mean(tar < thr))


# ----------------------------------------------------------------------------- calibration
def calib_score(x, cal) -> np.ndarray:
    """score = 100 * sigmoid(a * (x - x90) + ln 9), clipped to [0, 100]."""
    x = np.asarray(x, dtype=np.float64)
    z = cal["a"] * (x - cal["x90"]) + math.log(9.0)
    return 100.0 / (1.0 + np.exp(-z))


def fit_calibration(non: np.ndarray, far90: float, far50: float, kind: str) -> dict:
    x90 = float(np.quantile(non, 1 - far90, method="higher"))
    x50 = float(np.quantile(non, 1 - far50, method="higher"))
    a = math.log(9.0) / max(x90 - x50, 1e-6)
    return {"score_kind": kind, "formula": "score = 100 / (1 + exp(-(a*(x - x90) + ln 9)))",
            "x90": x90, "x50": x50, "a": a, "far_at_90": far90, "far_at_50": far50,
            "n_nontarget": int(len(non))}


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, action="append",
                    help="data folder (repeatable: speakers of several folders are pooled)")
    ap.add_argument("--model", type=Path, default=HERE / "out" / "resemblyzer-ge2e-wave.onnx")
    ap.add_argument("--py-embedder", type=Path,
                    help="instead of --model: a Python file defining make_embedder() -> fn(wav16k float32) -> vector "
                         "(for measuring candidates that are not converted to ONNX yet)")
    ap.add_argument("--rate", type=int, default=16000, help="model sample rate")
    ap.add_argument("--enrol-s", type=float, default=30.0)
    ap.add_argument("--test-s", type=float, default=10.0)
    ap.add_argument("--min-test-frac", type=float, default=0.8)
    ap.add_argument("--rotations", type=int, default=1)
    ap.add_argument("--enrol-regex", help="files whose name matches form the enrolment pool")
    ap.add_argument("--test-regex", help="files whose name matches form the test pool")
    ap.add_argument("--stream", action="store_true",
                    help="treat each speaker's files as one stream: the first --enrol-s seconds enrol, the rest "
                         "is cut into tests (allows single-file speakers, e.g. train-clean-100-1utt)")
    ap.add_argument("--vad", choices=["none", "webrtc"], default="none",
                    help="trim long silences from every file before use (resemblyzer's webrtcvad trim)")
    ap.add_argument("--cohort", type=Path, help="cohort folder for adaptive s-norm")
    ap.add_argument("--cohort-max-s", type=float, default=10.0, help="crop cohort files to this length")
    ap.add_argument("--snorm-topk", type=int, default=100)
    ap.add_argument("--calib", type=Path, help="calibration JSON: report FAR/FRR at score >= 90")
    ap.add_argument("--fit-calibration", type=Path, help="write a calibration JSON fitted on this run")
    ap.add_argument("--far90", type=float, default=0.01)
    ap.add_argument("--far50", type=float, default=0.10)
    ap.add_argument("--calib-kind", choices=["cosine", "snorm"], default="cosine")
    ap.add_argument("--threads", type=int, default=0, help="ORT intra-op threads (0 = ORT default)")
    ap.add_argument("--dump", type=Path, help="write trial scores as JSON")
    args = ap.parse_args(argv)

    emb = PyEmbedder(args.py_embedder) if args.py_embedder else Embedder(args.model, args.threads)
    if args.py_embedder:
        args.model = args.py_embedder
    trim = WebrtcTrim(args.rate) if args.vad == "webrtc" else (lambda w: w)
    cache: dict[Path, np.ndarray] = {}
    t_pre = 0.0

    def audio(p: Path) -> np.ndarray:
        nonlocal t_pre
        if p not in cache:
            t0 = time.perf_counter()
            x, sr = read_wav(p)
            cache[p] = trim(resample(x, sr, args.rate))
            t_pre += time.perf_counter() - t0
        return cache[p]

    index: "OrderedDict[str, list[Path]]" = OrderedDict()
    for d in args.data:
        for s, files in load_index(d).items():
            index[f"{d.name}/{s}" if len(args.data) > 1 else s] = files
    R = args.rate
    enrol_n, test_n = int(args.enrol_s * R), int(args.test_s * R)

    enrol_emb, test_emb = [], []  # (speaker, rotation, vector)
    skipped = []
    for spk, files in index.items():
        for r in range(args.rotations):
            if args.stream:
                if r > 0:
                    break
                cat = np.concatenate([audio(f) for f in files])
                if len(cat) < enrol_n + args.min_test_frac * test_n:
                    skipped.append((spk, r, f"stream {len(cat) / R:.1f}s too short"))
                    continue
                enrol_emb.append((spk, r, emb(cat[:enrol_n], R)))
                rest = cat[enrol_n:]
                for i in range(0, len(rest), test_n):
                    if len(rest[i:i + test_n]) >= args.min_test_frac * test_n:
                        test_emb.append((spk, r, emb(rest[i:i + test_n], R)))
                continue
            if args.enrol_regex or args.test_regex:
                if r > 0:
                    break
                epool = [f for f in files if args.enrol_regex and re.search(args.enrol_regex, f.name)]
                tpool = [f for f in files if args.test_regex and re.search(args.test_regex, f.name)]
            else:
                if r >= len(files):
                    break
                rot = files[r:] + files[:r]
                epool, tpool = rot, None
            chunks, n = [], 0
            used = 0
            for f in epool:
                if n >= enrol_n:
                    break
                a = audio(f)
                chunks.append(a); n += len(a); used += 1
            if n < enrol_n:
                skipped.append((spk, r, f"enrolment {n / R:.1f}s < {args.enrol_s}s"))
                continue
            if tpool is None:
                tpool = epool[used:]
            tcat = np.concatenate([audio(f) for f in tpool]) if tpool else np.zeros(0, np.float32)
            segs = [tcat[i:i + test_n] for i in range(0, len(tcat), test_n)]
            segs = [s for s in segs if len(s) >= args.min_test_frac * test_n]
            if not segs:
                skipped.append((spk, r, f"test pool {len(tcat) / R:.1f}s too short"))
                continue
            enrol_emb.append((spk, r, emb(np.concatenate(chunks), R)))
            for s in segs:
                test_emb.append((spk, r, emb(s, R)))

    if not enrol_emb or not test_emb:
        print(json.dumps({"error": "no enrolments/tests possible", "skipped": [f"{s} rot{r}: {w}" for s, r, w in skipped][:20]}, indent=2))
        return 1
    E = np.stack([e for _, _, e in enrol_emb])
    T = np.stack([e for _, _, e in test_emb])
    S = T @ E.T  # [tests, enrolments]
    same_spk = np.array([[ts == es for es, _, _ in enrol_emb] for ts, _, _ in test_emb])
    same_rot = np.array([[tr == er for _, er, _ in enrol_emb] for _, tr, _ in test_emb])
    # trials: each test segment only against enrolments built in the same rotation, so a
    # test segment is never part of the enrolment audio it is scored against
    valid = same_rot
    tar = S[valid & same_spk]
    non = S[valid & ~same_spk]

    if tar.size == 0 or non.size == 0:
        print(json.dumps({"error": f"need both target ({tar.size}) and non-target ({non.size}) trials",
                          "enrolments": len(enrol_emb), "test_segments": len(test_emb),
                          "skipped": [f"{s} rot{r}: {w}" for s, r, w in skipped][:20]}, indent=2))
        return 1
    results = OrderedDict()
    results["model"] = str(args.model)
    results["data"] = [str(d) for d in args.data]
    results["speakers_enrolled"] = len({s for s, _, _ in enrol_emb})
    results["enrolments"] = len(enrol_emb)
    results["test_segments"] = len(test_emb)
    results["target_trials"] = int(tar.size)
    results["nontarget_trials"] = int(non.size)
    eer, dcf, thr = eer_mindcf(tar, non)
    results["cosine"] = {"EER_%": round(100 * eer, 2), "minDCF_0.01": round(dcf, 4), "thr_at_EER": round(thr, 4),
                         "target_mean": round(float(tar.mean()), 4), "nontarget_mean": round(float(non.mean()), 4),
                         # separation figures that still rank models when EER saturates at 0 on small sets
                         "dprime": round(float((tar.mean() - non.mean()) / np.sqrt(0.5 * (tar.var() + non.var()))), 2),
                         "min_target_minus_max_nontarget": round(float(tar.min() - non.max()), 4)}
    scores = {"cosine": (tar, non)}

    if args.cohort:
        cfiles = [f for fl in load_index(args.cohort).values() for f in fl]
        cspk = [s for s, fl in load_index(args.cohort).items() for _ in fl]
        C = np.stack([emb(audio(f)[: int(args.cohort_max_s * R)], R) for f in cfiles])
        k = min(args.snorm_topk, len(cfiles))

        def stats(X, own_names):
            sc = X @ C.T
            # exclude cohort entries of the same speaker name when cohort == data set
            for i, nm in enumerate(own_names):
                sc[i, [j for j, c in enumerate(cspk) if c == nm]] = -np.inf
            top = -np.sort(-sc, axis=1)[:, :k]
            return top.mean(axis=1), top.std(axis=1)

        me, se = stats(E, [s for s, _, _ in enrol_emb])
        mt, st = stats(T, [s for s, _, _ in test_emb])
        SN = 0.5 * ((S - me[None, :]) / se[None, :] + (S - mt[:, None]) / st[:, None])
        tar_n, non_n = SN[valid & same_spk], SN[valid & ~same_spk]
        eer, dcf, thr = eer_mindcf(tar_n, non_n)
        results["snorm"] = {"EER_%": round(100 * eer, 2), "minDCF_0.01": round(dcf, 4), "thr_at_EER": round(thr, 4),
                            "cohort_size": len(cfiles), "topk": k}
        scores["snorm"] = (tar_n, non_n)

    if args.calib:
        cal = json.loads(args.calib.read_text())
        kind = cal["score_kind"]
        if kind in scores:
            t_, n_ = scores[kind]
            far, frr = far_frr_at(calib_score(t_, cal), calib_score(n_, cal), 90.0)
            results["calibrated"] = {"kind": kind, "x90": cal["x90"], "FAR_at_90_%": round(100 * far, 2),
                                     "FRR_at_90_%": round(100 * frr, 2),
                                     "nominal_FAR_at_90_%": 100 * cal["far_at_90"]}
            for lvl in (50, 70, 80, 95):
                far, frr = far_frr_at(calib_score(t_, cal), calib_score(n_, cal), float(lvl))
                results["calibrated"][f"FAR/FRR_at_{lvl}_%"] = [round(100 * far, 2), round(100 * frr, 2)]

    if args.fit_calibration:
        kind = args.calib_kind
        cal = fit_calibration(scores[kind][1], args.far90, args.far50, kind)
        cal["fitted_on"] = [str(d) for d in args.data]
        cal["model"] = args.model.name
        if args.cohort and kind == "snorm":
            cal["snorm"] = {"cohort": str(args.cohort), "topk": args.snorm_topk, "cohort_max_s": args.cohort_max_s}
        args.fit_calibration.write_text(json.dumps(cal, indent=2) + "\n")
        results["fitted_calibration"] = cal

    results["rtf"] = {"embedding_rtf": round(emb.seconds_cpu / max(emb.seconds_audio, 1e-9), 5),
                      "audio_s_embedded": round(emb.seconds_audio, 1), "embed_cpu_s": round(emb.seconds_cpu, 2),
                      "read+resample+vad_s": round(t_pre, 2),
                      "ort_threads": args.threads or "default"}
    results["skipped"] = [f"{s} rot{r}: {why}" for s, r, why in skipped][:20]
    results["skipped_count"] = len(skipped)
    print(json.dumps(results, indent=2))
    if args.dump:
        args.dump.write_text(json.dumps({k: {"target": v[0].tolist(), "nontarget": v[1].tolist()}
                                         for k, v in scores.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
