# Two commands: `make run` (set up and serve) and `make test` (set up and run every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install setup db demo lint assets benchmark bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

db: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) areas sync

setup: db
	@if [ -d courses ] && ls courses/*.toml >/dev/null 2>&1 && $(FLASK) courses --help >/dev/null 2>&1; then $(FLASK) courses sync; fi

demo: setup
	$(FLASK) seed-demo
	$(FLASK) training seed-demo
	$(FLASK) expenses seed-demo

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check app tests

benchmark: install
	$(BIN)/python -m pytest benchmarks -q --benchmark-columns=min,median,max,rounds $(PYTEST_ARGS)

# Every list, register, queue, export and home page under wrk at 1k, 10k and 50k people, on SQLite and
# PostgreSQL, against /healthz; writes benchmarks/RESULTS.md (settings: see benchmarks/run_bench.py).
bench: install
	$(BIN)/python benchmarks/run_bench.py

# Rebuild app/static from GOV.UK Frontend's Sass (needs Node; the built files are committed).
assets:
	npm ci --no-audit --no-fund
	npm run build

clean:
	rm -rf $(VENV) .pytest_cache
