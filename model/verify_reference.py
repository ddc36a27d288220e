#!/usr/bin/env python3
"""Compare the converted ONNX models with the original Resemblyzer (PyTorch) implementation.

Needs a venv with ``resemblyzer==0.1.4`` + torch + onnxruntime (heavy: ~3.7 GB with the
default CUDA torch wheel from PyPI; only needed for this check, not for provisioning).

For each file:
  A. model parity: the same preprocessed 16 kHz waveform (resemblyzer.preprocess_wav, i.e.
     librosa/soxr resampling, -30 dBFS increase-only normalisation, webrtcvad silence trim)
     -> torch VoiceEncoder.embed_utterance   vs   resemblyzer-ge2e-wave.onnx
  B. network parity: resemblyzer's own mel partials -> torch network vs resemblyzer-ge2e-mel.onnx
  C. pipeline sensitivity: torch on A's input vs ONNX on *our* product pipeline input
     (scipy.signal.resample_poly 8k->16k, no VAD trim) -- not a conversion check, it shows
     how much the host-side choices move the embedding.

Usage: python verify_reference.py [--onnx-dir out] FILE.wav [FILE.wav ...]
"""
import argparse
import sys
import wave
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from resemblyzer import VoiceEncoder, preprocess_wav
from resemblyzer import audio as rz_audio
from scipy.signal import resample_poly


def cos(a, b):
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def read_wav(path):
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        sr = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return x, sr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx-dir", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(2)
    enc = VoiceEncoder("cpu", verbose=False)
    wave_s = ort.InferenceSession(str(a.onnx_dir / "resemblyzer-ge2e-wave.onnx"), providers=["CPUExecutionProvider"])
    mel_s = ort.InferenceSession(str(a.onnx_dir / "resemblyzer-ge2e-mel.onnx"), providers=["CPUExecutionProvider"])
    worst = 1.0
    print(f"{'file':60s} {'A wave':>9s} {'B mel':>9s} {'C pipe':>8s} {'partials':>8s} maxabs(A)")
    for f in a.files:
        wav = preprocess_wav(Path(f))  # librosa load (native sr) + resample to 16k + norm + trim
        ref, partials, _ = enc.embed_utterance(wav, return_partials=True)
        got, got_part = wave_s.run(None, {"waveform": wav.astype(np.float32)})
        # B: network only, on resemblyzer's own mel partials
        wav_slices, mel_slices = enc.compute_partial_slices(len(wav), 1.3, 0.75)
        w2 = np.pad(wav, (0, max(0, wav_slices[-1].stop - len(wav))))
        mel = rz_audio.wav_to_mel_spectrogram(w2)
        mels = np.array([mel[s] for s in mel_slices]).astype(np.float32)
        with torch.no_grad():
            net_ref = enc(torch.from_numpy(mels)).numpy()
        net_got = mel_s.run(None, {"mels": mels})[0]
        b = min(cos(x, y) for x, y in zip(net_ref, net_got))
        # C: product pipeline (resample_poly, no VAD) through ONNX vs resemblyzer end to end
        x8, sr = read_wav(f)
        x16 = resample_poly(x8, 16000 // np.gcd(16000, sr), sr // np.gcd(16000, sr)).astype(np.float32)
        pipe = wave_s.run(["embedding"], {"waveform": x16})[0]
        A = cos(ref, got)
        worst = min(worst, A, b)
        assert got_part.shape == partials.shape, (got_part.shape, partials.shape)
        print(f"{str(f)[-60:]:60s} {A:9.6f} {b:9.6f} {cos(ref, pipe):8.4f} {len(partials):8d} {np.max(np.abs(ref-got)):.2e}")
    print(f"worst conversion cosine (A,B) = {worst:.6f}  -> {'PASS' if worst > 0.999 else 'FAIL'} (> 0.999)")
    return 0 if worst > 0.999 else 1


if __name__ == "__main__":
    sys.exit(main())
