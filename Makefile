# Factory Mentor: `make run` serves the product on its embedded defaults, `make test` runs the suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= var
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test typecheck test-fast eval eval-fast eval-dev bench lint knowledge clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, the CPU build: otherwise a dependency pulls several GB of CUDA packages
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/factory-mentor ingest knowledge --data-dir $(DATA_DIR)
	$(BIN)/factory-mentor serve --data-dir $(DATA_DIR)

# the type check (mypy over assistant/ ingestion/ channels/, config in pyproject.toml), then the
# suite, which includes the architecture test (tests/unit/test_architecture.py)
test: install typecheck
	$(BIN)/python -m pytest -q

typecheck: install
	$(BIN)/mypy

# the full golden suite, gated against evals/baselines/full.json (EVAL_ARGS=--save-baseline to refresh it)
eval: install
	$(BIN)/factory-mentor eval --data-dir $(DATA_DIR) $(EVAL_ARGS)

# the dev suite (evals/dev: owners' questions written apart from the golden set): tune answer
# rules on it, then confirm on the golden set, so the golden figures stay a held-out test
eval-dev: install
	$(BIN)/factory-mentor eval --suite evals/dev --data-dir $(DATA_DIR) $(EVAL_ARGS)

# the fast suite (the one `make test` gates in tests/quality/test_gate.py)
eval-fast: install
	$(BIN)/factory-mentor eval --fast --data-dir $(DATA_DIR) $(EVAL_ARGS)

lint: install
	$(BIN)/ruff check assistant ingestion channels evals tests

knowledge: install
	$(BIN)/python knowledge/_sources/build.py

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache
