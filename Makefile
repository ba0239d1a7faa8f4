# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv when missing. `make demo` installs pillcmp with its core dependencies only
# (no torch: the demo never imports it); `make test` installs every extra (nn, dev) into the same
# .venv. One stamp per install: demo then test upgrades the venv with the extras, test then demo
# installs nothing more (the full install covers the core one). Editing pyproject.toml redoes both.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE_STAMP := $(VENV)/.installed-core
FULL_STAMP := $(VENV)/.installed-full
SAMPLE := data/sample
# compare on the sample: A, B, the evaluation GT and the training split (~3-7 s each, 1,000 resamples)
COMPARE := $(BIN)/pillcmp compare $(SAMPLE)/efficientnet_b3.json $(SAMPLE)/resnet101.json \
	--gt $(SAMPLE)/ground_truth.json --train-ann $(SAMPLE)/train_annotations.json
# the full report on the sample, with the disagreement gallery from the bundled photos (~7 s each)
REPORT := $(BIN)/pillcmp report $(SAMPLE)/efficientnet_b3.json $(SAMPLE)/resnet101.json \
	--gt $(SAMPLE)/ground_truth.json --train-ann $(SAMPLE)/train_annotations.json \
	--images $(SAMPLE)/images

.PHONY: install demo example test lint format bench clean

install: $(FULL_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE_STAMP)

$(FULL_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[nn,dev]'
	touch $(FULL_STAMP) $(CORE_STAMP)

demo: $(CORE_STAMP)
	mkdir -p reports
	$(BIN)/pillcmp diff $(SAMPLE)/efficientnet_b3.json $(SAMPLE)/resnet101.json \
		--gt $(SAMPLE)/ground_truth.json --names efficientnet_b3,resnet101
	$(BIN)/pillcmp diff $(SAMPLE)/efficientnet_b3.json $(SAMPLE)/resnet101.json \
		--gt $(SAMPLE)/ground_truth.json --names efficientnet_b3,resnet101 \
		--format md -o reports/diff.md
	$(BIN)/pillcmp diff $(SAMPLE)/efficientnet_b3.json $(SAMPLE)/resnet101.json \
		--gt $(SAMPLE)/ground_truth.json --names efficientnet_b3,resnet101 \
		--format json -o reports/diff.json
	$(BIN)/pillcmp imbalance $(SAMPLE)/ground_truth.json --plot reports/imbalance.png
	$(BIN)/pillcmp imbalance $(SAMPLE)/ground_truth.json --format md -o reports/imbalance.md
	$(BIN)/pillcmp imbalance $(SAMPLE)/ground_truth.json --format json -o reports/imbalance.json
	$(BIN)/pillcmp eval $(SAMPLE)/ground_truth.json $(SAMPLE)/resnet101.json \
		-f md -o reports/eval_resnet101.md --plot reports/confusion_resnet101.png
	$(BIN)/pillcmp eval $(SAMPLE)/ground_truth.json $(SAMPLE)/efficientnet_b3.json \
		-f md -o reports/eval_efficientnet_b3.md --plot reports/confusion_efficientnet_b3.png
	$(BIN)/pillcmp eval $(SAMPLE)/ground_truth.json $(SAMPLE)/efficientnet_b3.json -f json -o reports/eval_efficientnet_b3.json
	$(BIN)/pillcmp eval $(SAMPLE)/ground_truth.json $(SAMPLE)/resnet101.json -f json -o reports/eval_resnet101.json
	$(BIN)/pillcmp check-submission $(SAMPLE)/resnet101_submission.csv --gt $(SAMPLE)/ground_truth.json \
		--format md -o reports/check_submission.md
	$(COMPARE)
	$(COMPARE) -f md -o reports/compare.md
	$(COMPARE) -f json -o reports/compare.json
	$(BIN)/pillcmp imbalance $(SAMPLE)/train_annotations.json --format md -o reports/imbalance_train.md
	$(REPORT) -o reports/sample
	$(REPORT) --lang ko -o reports/sample_ko
	@echo "demo outputs written to reports/ (the full report: reports/sample/report.html, Korean: reports/sample_ko/)"

# reports/example/ (committed): the sample's report with a fixed date, rewritten by its script
example: $(CORE_STAMP)
	$(BIN)/python data/make_example_report.py

test: $(FULL_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(FULL_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(FULL_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Issue 16's targets, each script timing pillcmp against the reference tools in the same run and
# printing the ratios and a `targets:` verdict: eval against the Rust engines (ultrafast-pycocotools,
# hotcoco) at 450k and 1.8M detections (the pillcmp command and the library calls), compare against
# hotcoco's compare (command and library), the report at pill and COCO scale; then the input check,
# the bootstrap, loading and the models. Minutes on 2 cores; run it on a quiet machine.
bench: $(FULL_STAMP)
	$(BIN)/python benchmarks/bench_eval.py --tools pillcmp,pillcmp-api,ultrafast,hotcoco --repeat 5
	$(BIN)/python benchmarks/bench_eval.py --tools pillcmp,pillcmp-api,ultrafast,hotcoco --dets-per-image 400 --repeat 3
	$(BIN)/python benchmarks/bench_compare.py --case coco --tools pillcmp-cli,pillcmp,hotcoco --repeat 1
	$(BIN)/python benchmarks/bench_report.py --repeat 3
	$(BIN)/python benchmarks/bench_diagnosis.py
	$(BIN)/python benchmarks/bench_bootstrap.py --against 0c18369
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/match_table_cost.py
	$(BIN)/python benchmarks/bench_nn.py

# The seed's experiment end to end by pillcmp commands alone (not part of `make test`): renders the
# sample's training photos, trains a resnet101 and an efficientnet_b3 detector briefly (random
# init), predicts on data/sample/images, then eval, compare and report into reports/e2e/ with each
# step's time in reports/e2e/timings.md (data/run_e2e.sh). Brief on a CPU by default; longer with
# e.g. `make e2e E2E_MAX_STEPS= E2E_EPOCHS=12 E2E_IMAGE_SIZE=320 DEVICE=cuda`.
E2E_EPOCHS ?= 1
E2E_MAX_STEPS ?= 60
E2E_IMAGE_SIZE ?= 256
E2E_BATCH_SIZE ?= 4
DEVICE ?= cpu
.PHONY: e2e
e2e: $(FULL_STAMP)
	BIN=$(BIN) E2E_EPOCHS=$(E2E_EPOCHS) E2E_MAX_STEPS=$(E2E_MAX_STEPS) \
		E2E_IMAGE_SIZE=$(E2E_IMAGE_SIZE) E2E_BATCH_SIZE=$(E2E_BATCH_SIZE) DEVICE=$(DEVICE) \
		bash data/run_e2e.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
