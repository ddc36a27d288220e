#!/usr/bin/env python3
"""GE2E against the registry candidates, and their score fusion, on the service's protocol.

Every (set, model) pair is one run of evaluate.py (8 kHz WAVs resampled to 16 kHz, webrtc VAD
trim, the same enrolment/test cuts), so all models score the same trials in the same order and
their scores can be fused trial by trial.

Fusion: the mean of z-normalised cosines. Each model's z-norm (mean and standard deviation of its
non-target cosines) comes from the librispeech-train-clean-100-1utt stream run, which is not one
of the sets the fusion is judged on, so nothing is tuned on the reported trials.

Use: model/.venv/bin/python model/candidates/compare.py [--out DIR] [--data DIR]
Prints a markdown table (EER % / minDCF(0.01) / d' per set and model) and keeps every run's JSON and scores in
DIR; a second call with the same DIR reuses them, so delete DIR after changing a model or the data.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import evaluate  # noqa: E402

MODELS = {
    "ge2e": ["--model", str(HERE.parent / "out" / "resemblyzer-ge2e-wave.onnx"), "--threads", "1"],
    "deep-speaker": ["--py-embedder", str(HERE.parent / "deep_speaker.py")],
    "voicefilter-dvec": ["--py-embedder", str(HERE / "voicefilter_dvector.py")],
}
NORM_SET = "train-clean stream 8/5"
DSP = [r"--enrol-regex=-01\.wav$", r"--test-regex=-02\.wav$"]
FSDD = ["--enrol-regex", r"_([0-9]|1[0-9]|2[0-4])\.wav$", "--test-regex", r"_(2[5-9]|[34][0-9])\.wav$"]


def sets(data: Path) -> dict[str, list[str]]:
    return {
        NORM_SET: ["--data", str(data / "librispeech-train-clean-100-1utt"), "--stream", "--enrol-s", "8", "--test-s", "5"],
        "test-other 30/10": ["--data", str(data / "librispeech-test-other-10")],
        "test-other 30/5": ["--data", str(data / "librispeech-test-other-10"), "--test-s", "5"],
        "fsdd 30/10": ["--data", str(data / "fsdd"), *FSDD],
        "fsdd 30/5": ["--data", str(data / "fsdd"), *FSDD, "--test-s", "5"],
        "fsdd 15/5": ["--data", str(data / "fsdd"), *FSDD, "--enrol-s", "15", "--test-s", "5"],
        "dspspeech20 15/5": ["--data", str(data / "dspspeech20-subset"), *DSP, "--enrol-s", "15", "--test-s", "5"],
        "dspspeech20 10/5": ["--data", str(data / "dspspeech20-subset"), *DSP, "--enrol-s", "10", "--test-s", "5"],
    }


def run(args: list[str], result_file: Path, dump: Path) -> dict:
    """One evaluate.py run, or its saved result when an earlier (interrupted) comparison left one in --out."""
    if not (result_file.exists() and dump.exists()):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = evaluate.main([*args, "--vad", "webrtc", "--dump", str(dump)])
        if code != 0:
            raise SystemExit(f"evaluate.py {' '.join(args)} failed: {out.getvalue()}")
        result_file.write_text(out.getvalue())
    result = json.loads(result_file.read_text())
    scores = json.loads(dump.read_text())["cosine"]
    result["scores"] = {k: np.asarray(v) for k, v in scores.items()}
    return result


def metrics(tar: np.ndarray, non: np.ndarray) -> str:
    """EER %, minDCF(0.01) and d' (which still ranks models where the EER is 0 on a small set)."""
    eer, dcf, _ = evaluate.eer_mindcf(tar, non)
    dprime = (tar.mean() - non.mean()) / np.sqrt(0.5 * (tar.var() + non.var()))
    return f"{100 * eer:.2f} / {dcf:.3f} / {dprime:.2f}"


def bootstrap(base, other, enrolments: int, rounds: int) -> tuple[float, float]:
    """How often `other` has the lower EER, and the lower minDCF, than `base` when the test segments are drawn again
    with replacement (each segment with all its trials, so the trials of one segment stay together). Segments, not
    speakers, are drawn: two sets have 6 and 34 speakers, too few to draw from, so this understates the spread."""
    tar_a, non_a = base
    tar_b, non_b = other
    segments = len(tar_a)
    assert len(non_a) == segments * (enrolments - 1), "trials are not one target and E-1 non-targets per segment"
    rng = np.random.default_rng(0)
    lower = np.zeros(2)
    for _ in range(rounds):
        pick = rng.integers(0, segments, segments)
        rows = (pick[:, None] * (enrolments - 1) + np.arange(enrolments - 1)).ravel()
        a = evaluate.eer_mindcf(tar_a[pick], non_a[rows])[:2]
        b = evaluate.eer_mindcf(tar_b[pick], non_b[rows])[:2]
        lower += np.less(b, a)
    return lower[0] / rounds, lower[1] / rounds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/work/scratch/runs/compare"))
    ap.add_argument("--data", type=Path, default=HERE.parent.parent.parent / "shared" / "data")
    ap.add_argument("--bootstrap", type=int, default=1000, help="rounds of the comparison with GE2E (0: none)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    results: dict[str, dict[str, dict]] = {}
    for set_name, set_args in sets(args.data).items():
        for model, model_args in MODELS.items():
            slug = f"{set_name}-{model}".replace(" ", "_").replace("/", "-")
            r = run([*set_args, *model_args], args.out / f"{slug}.json", args.out / f"{slug}.scores.json")
            results.setdefault(set_name, {})[model] = r
            print(f"{set_name:22s} {model:18s} {metrics(*r['scores'].values())}  rtf {r['rtf']['embedding_rtf']}",
                  file=sys.stderr, flush=True)

    znorm = {m: (r["scores"]["nontarget"].mean(), r["scores"]["nontarget"].std())
             for m, r in results[NORM_SET].items()}
    fusions = [c for n in (2, 3) for c in itertools.combinations(MODELS, n)]
    systems: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for set_name, by_model in results.items():
        systems[set_name] = {m: (r["scores"]["target"], r["scores"]["nontarget"]) for m, r in by_model.items()}
        for combo in fusions:
            systems[set_name][" + ".join(combo)] = tuple(
                np.mean([(by_model[m]["scores"][kind] - znorm[m][0]) / znorm[m][1] for m in combo], axis=0)
                for kind in ("target", "nontarget"))
    columns = list(next(iter(systems.values())))
    table(["set", "target/non-target trials", *columns], [
        [set_name, f"{len(by_system['ge2e'][0])} / {len(by_system['ge2e'][1])}",
         *(metrics(*by_system[c]) for c in columns)] for set_name, by_system in systems.items()])

    if args.bootstrap:
        print(f"\nP(lower EER) / P(lower minDCF) than ge2e, {args.bootstrap} bootstrap rounds over test segments:\n")
        table(["set", *columns[1:]], [
            [set_name, *(" / ".join(f"{p:.2f}" for p in bootstrap(
                by_system["ge2e"], by_system[c], results[set_name]["ge2e"]["enrolments"], args.bootstrap))
                for c in columns[1:])]
            for set_name, by_system in systems.items()])
    rtf = {m: [r[m]["rtf"]["embedding_rtf"] for r in results.values()] for m in MODELS}
    print("\nembedding real-time factor (1 thread), median over sets: " +
          ", ".join(f"{m} {np.median(v):.4f}" for m, v in rtf.items()))
    return 0


def table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
