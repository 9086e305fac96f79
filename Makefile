# The two commands a user needs: `make demo` and `make test`. Each does all its own set-up.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint install dev system-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)
dev: $(DEV_STAMP)

# PostgreSQL server binaries for the store tests (the harness starts a throwaway server on loopback),
# and Debian's chromium for the portal's browser tests (Playwright drives it; it downloads no browser).
system-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	    echo "installing PostgreSQL server from Debian's packages"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	      || echo "could not install postgresql: the PostgreSQL tests will be skipped"; \
	  else echo "no initdb and no root apt-get: the PostgreSQL tests will be skipped"; fi; \
	fi
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	    echo "installing chromium from Debian's packages"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: the browser tests will be skipped"; \
	  else echo "no chromium and no root apt-get: the browser tests will be skipped"; fi; \
	fi

demo: $(STAMP)
	$(BIN)/kyodaku catalog validate examples/demo-catalog.yaml
	$(BIN)/kyodaku demo

test: $(DEV_STAMP) system-deps
	$(BIN)/ruff check src tests bench scripts samples
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench scripts samples
	$(BIN)/ruff format --check src tests bench scripts samples

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# The photographs and drawn art bench/media_real.py screens (Debian packages; root apt-get). Only that
# benchmark needs them: the tests draw their own pictures.
.PHONY: bench-media-data
bench-media-data:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  gnome-backgrounds ukui-wallpapers plasma-workspace-wallpapers tuxpaint-stamps-default openclipart-png
