#!/usr/bin/env bash
# Reproduces the figures of the model report. Usage: bash model/run_report.sh [OUTDIR]
# Needs model/.venv (requirements.txt) and model/out/*.onnx (provision.py).
set -euo pipefail
cd "$(dirname "$0")"
D=${DATA:-../../shared/data}
O=${1:-/work/scratch/runs/final}
mkdir -p "$O"
PY=.venv/bin/python
COH="--cohort $D/librispeech-train-clean-100-1utt"
DSP=("--enrol-regex=-01\.wav$" "--test-regex=-02\.wav$")
FSDD=(--enrol-regex '_([0-9]|1[0-9]|2[0-4])\.wav$' --test-regex '_(2[5-9]|[34][0-9])\.wav$')

# 1. calibration data (not reported on): impostor scores, VAD trim on
$PY evaluate.py --data $D/librispeech-train-clean-100-1utt --stream --enrol-s 8 --test-s 5 --vad webrtc --dump $O/cal_tc_vad.json > $O/cal_tc_vad.out
$PY evaluate.py --data $D/dspspeech20-subset "${DSP[@]}" --vad webrtc --enrol-s 15 --test-s 5 --dump $O/cal_dsp_vad.json > $O/cal_dsp_vad.out
$PY calibrate.py --out calibration.json --mode max $O/cal_tc_vad.json $O/cal_dsp_vad.json > $O/calibrate.out

# 2. measurement sets
for vad in none webrtc; do
  $PY evaluate.py --data $D/librispeech-test-other-10 --rotations 10 --vad $vad $COH --calib calibration.json > $O/to_rot10_$vad.out
  $PY evaluate.py --data $D/librispeech-test-other-10 --vad $vad $COH --calib calibration.json > $O/to_rot1_$vad.out
  $PY evaluate.py --data $D/fsdd "${FSDD[@]}" --vad $vad $COH --calib calibration.json > $O/fsdd_$vad.out
done
$PY evaluate.py --data $D/dspspeech20-subset "${DSP[@]}" $COH --calib calibration.json > $O/dsp_30_10_none.out
$PY evaluate.py --data $D/librispeech-train-clean-100-1utt --stream --enrol-s 8 --test-s 5 $COH > $O/tc_stream_none.out

# 3. speed (single thread and ORT default)
for t in 1 2; do
  $PY evaluate.py --data $D/librispeech-test-other-10 --threads $t > $O/rtf_threads$t.out
done
echo "results in $O"
