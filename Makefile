# Developer entry points. `make demo` runs Update Helper end to end on a
# generated corpus; `make test` runs the formatter check, the linter and pytest.

PYTHON ?= python3
VENV := .venv
# Touched after every successful install, so pip runs again only when
# requirements.txt is newer.
REQUIREMENTS_STAMP := $(VENV)/.requirements-installed

.PHONY: venv demo demo-aws test bench-clones

venv: $(REQUIREMENTS_STAMP)

$(VENV)/bin/python:
	scripts/install-system-packages
	$(PYTHON) -m venv $(VENV)

$(REQUIREMENTS_STAMP): requirements.txt | $(VENV)/bin/python
	scripts/install-system-packages
	$(VENV)/bin/pip install -r requirements.txt
	touch $@

demo: venv
	$(VENV)/bin/python -m demo.run

# The same demo through S3 and SQS, served by a local moto server.
demo-aws: venv
	scripts/demo-aws

# The parser tests and benchmarks read the JDK sources that openjdk-17-source
# installs.
test: venv
	scripts/install-system-packages openjdk-17-source
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

# The clone benchmark: generate the evaluation pairs from the JDK sources
# (seed 1), run the committed detector on them and check the goals.
bench-clones: venv
	mkdir -p var/bench
	$(VENV)/bin/python -m bench.clones.generate --split eval --seed 1 \
		--per-type 500 --negatives 2500 --output var/bench/clones-eval.jsonl
	$(VENV)/bin/python -m bench.clones.evaluate var/bench/clones-eval.jsonl --check-goals
