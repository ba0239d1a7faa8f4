#!/usr/bin/env bash
# The seed's experiment end to end, by pillcmp commands alone (`make e2e`; not part of `make test`):
#
#   1. render the sample's training photos (data/make_sample.py --train-photos, not committed);
#   2. `pillcmp train` a resnet101 and an efficientnet_b3 RetinaNet briefly on
#      data/sample/train_annotations.json + those photos, validating on data/sample/ground_truth.json
#      + data/sample/images (random init: no download, ever);
#   3. `pillcmp predict` both on data/sample/images (ids and GT coordinates from --gt);
#   4. `pillcmp compare` and `pillcmp report` on the two result files, into reports/e2e/.
#
# Brief by default so that it ends in minutes on a CPU: the models are weak and the numbers say so.
# Every size is an environment variable (the Makefile passes its own through):
#
#   E2E_EPOCHS=1 E2E_MAX_STEPS=60 E2E_IMAGE_SIZE=256 E2E_BATCH_SIZE=4 E2E_WARMUP_STEPS=10
#   E2E_LR=0.0001 E2E_WORKERS=0 E2E_SCORE_THR=0.001 DEVICE=cpu E2E_THREADS= (torch's default)
#   E2E_BACKBONES="resnet101 efficientnet_b3" E2E_BUILD=build/e2e E2E_REPORTS=reports/e2e
#   E2E_MAX_STEPS= (empty) trains whole epochs. E2E_REUSE_RUNS=1 keeps runs already trained
#   in $E2E_BUILD/runs (to redo predict, compare and report only).
#
# Anchors are fitted to the training boxes (--fit-anchors); predict keeps scores down to
# E2E_SCORE_THR (a low threshold, as for COCO mAP: briefly trained models score low).
# E2E_THREADS=1 sets OMP_NUM_THREADS / MKL_NUM_THREADS: on a machine that other jobs keep busy,
# one thread was up to 7x faster than two (OpenMP threads waiting on each other).
#
# Each step's wall time goes to $E2E_REPORTS/timings.md with the machine it ran on.
set -euo pipefail

BIN=${BIN:-.venv/bin}
PILLCMP=${PILLCMP:-$BIN/pillcmp}
PYTHON=${PYTHON:-$BIN/python}
SAMPLE=${SAMPLE:-data/sample}
BUILD=${E2E_BUILD:-build/e2e}
REPORTS=${E2E_REPORTS:-reports/e2e}
EPOCHS=${E2E_EPOCHS:-1}
MAX_STEPS=${E2E_MAX_STEPS-60}
IMAGE_SIZE=${E2E_IMAGE_SIZE:-256}
BATCH_SIZE=${E2E_BATCH_SIZE:-4}
DEVICE=${DEVICE:-cpu}
WARMUP_STEPS=${E2E_WARMUP_STEPS:-10}
LR=${E2E_LR:-0.0001}
WORKERS=${E2E_WORKERS:-0}
SCORE_THR=${E2E_SCORE_THR:-0.001}
BACKBONES=${E2E_BACKBONES:-resnet101 efficientnet_b3}
SEED=${E2E_SEED:-0}
if [ -n "${E2E_THREADS:-}" ]; then
    export OMP_NUM_THREADS=$E2E_THREADS MKL_NUM_THREADS=$E2E_THREADS
fi

read -r -a backbones <<<"$BACKBONES"
if [ "${#backbones[@]}" -ne 2 ]; then
    echo "run_e2e.sh: E2E_BACKBONES must name two backbones (A and B), got '$BACKBONES'" >&2
    exit 2
fi
mkdir -p "$BUILD" "$REPORTS"
TIMINGS=$REPORTS/timings.md
steps_file=$BUILD/steps.tsv
: >"$steps_file"

# step NAME COMMAND...: run it, print and keep its wall time and the load average after it.
step() {
    local name=$1
    shift
    echo "== $name: $*" >&2
    local t0 t1
    t0=$(date +%s.%N)
    "$@"
    t1=$(date +%s.%N)
    local secs load
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
    printf '%s\t%s\t%s\n' "$name" "$secs" "$load" >>"$steps_file"
    echo "== $name: ${secs} s (load average $load)" >&2
}

start=$(date +%s.%N)
step "render training photos" "$PYTHON" data/make_sample.py --train-photos "$BUILD/train_images"

max_steps=()
if [ -n "$MAX_STEPS" ]; then
    max_steps=(--max-steps "$MAX_STEPS")
fi
results=()
for backbone in "${backbones[@]}"; do
    run=$BUILD/runs/$backbone
    if [ "${E2E_REUSE_RUNS:-0}" = 1 ] && [ -f "$run/best.pt" ]; then
        echo "== train $backbone: reusing $run/best.pt (E2E_REUSE_RUNS=1)" >&2
        printf '%s\t%s\t%s\n' "train $backbone (reused $run)" "-" "-" >>"$steps_file"
    else
        rm -rf "$run"
        step "train $backbone" "$PILLCMP" train \
            --gt "$SAMPLE/train_annotations.json" --images "$BUILD/train_images" \
            --val-gt "$SAMPLE/ground_truth.json" --val-images "$SAMPLE/images" \
            --backbone "$backbone" --fit-anchors --epochs "$EPOCHS" ${max_steps[@]+"${max_steps[@]}"} \
            --warmup-steps "$WARMUP_STEPS" --lr "$LR" --batch-size "$BATCH_SIZE" \
            --image-size "$IMAGE_SIZE" --workers "$WORKERS" --device "$DEVICE" --seed "$SEED" \
            --out "$run"
    fi
    step "predict $backbone" "$PILLCMP" predict --weights "$run" \
        --images "$SAMPLE/images" --gt "$SAMPLE/ground_truth.json" --score-thr "$SCORE_THR" \
        --device "$DEVICE" -o "$BUILD/$backbone.json"
    results+=("$BUILD/$backbone.json")
done

for backbone in "${backbones[@]}"; do
    step "eval $backbone" "$PILLCMP" eval "$SAMPLE/ground_truth.json" "$BUILD/$backbone.json" \
        -f md -o "$REPORTS/eval_$backbone.md"
done
step "compare" "$PILLCMP" compare "${results[0]}" "${results[1]}" \
    --gt "$SAMPLE/ground_truth.json" --train-ann "$SAMPLE/train_annotations.json" \
    -f md -o "$REPORTS/compare.md"
step "report" "$PILLCMP" report "${results[0]}" "${results[1]}" \
    --gt "$SAMPLE/ground_truth.json" --train-ann "$SAMPLE/train_annotations.json" \
    --images "$SAMPLE/images" -o "$REPORTS/report"
end=$(date +%s.%N)

{
    echo "# make e2e: timings"
    echo
    echo "Settings: backbones ${backbones[*]} (RetinaNet, focal loss, random init, fitted" \
        "anchors), epochs $EPOCHS, max steps ${MAX_STEPS:-none}, warm-up $WARMUP_STEPS, lr $LR," \
        "image size $IMAGE_SIZE, batch size $BATCH_SIZE, workers $WORKERS, device $DEVICE," \
        "seed $SEED; predict --score-thr $SCORE_THR."
    echo
    # getconf, not nproc: nproc answers OMP_NUM_THREADS when it is set
    echo "Machine: $(uname -srm), $(getconf _NPROCESSORS_ONLN) CPUs" \
        "($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo '?'))," \
        "$(free -g 2>/dev/null | awk '/^Mem:/ { print $2 " GiB memory," }')" \
        "$("$PYTHON" -c 'import torch; print(f"torch {torch.__version__} with {torch.get_num_threads()} intra-op thread(s)")')," \
        "OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}; $(date -u +%Y-%m-%d)."
    echo
    echo "| step | seconds | load average after (1, 5, 15 min) |"
    echo "|---|---:|---|"
    while IFS=$'\t' read -r name secs load; do
        echo "| $name | $secs | $load |"
    done <"$steps_file"
    echo "| **total** | $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') | |"
} >"$TIMINGS"
echo "e2e done: $REPORTS/report/report.html, $REPORTS/compare.md, $TIMINGS" >&2
