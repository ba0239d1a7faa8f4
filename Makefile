# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv when missing and install pillcmp with every extra (nn, dev).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SAMPLE := data/sample

.PHONY: install demo test lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e '.[nn,dev]'
	touch $(STAMP)

demo: $(STAMP)
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
	@echo "demo outputs written to reports/"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_eval.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
