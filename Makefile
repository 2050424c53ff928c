# Two commands on a fresh machine (Python 3.11, pip, make): `make demo`, `make test`.
# Each bootstraps .venv from nothing with the locked versions in constraints.txt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench bench-spark bench-approaches lock clean java lnav

# pyspark (the Spark tests, `mxlog spark-ingest`) needs a Java 17 runtime: install Debian's
# when there is no `java` at all (CI images); a machine that has one is left alone.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "java not found: installing openjdk-17-jre-headless"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; }

# The ingest benchmark's reference (issue 8): lnav counting one regexp's matches. Debian's lnav
# is installed when missing and possible; without it the row says "not measured".
lnav:
	@command -v lnav >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lnav) \
	  >/dev/null 2>&1; } || echo "lnav is not installed: its benchmark reference will not be measured" >&2

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e . --group dev
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mxlog demo

# tests/test_report_security.py loads the report in headless Chromium: installed here when missing
# and possible (root with apt-get, Debian's `chromium`); without it that one test is skipped.
test: $(STAMP) java
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) \
	    >/dev/null 2>&1; } || \
	  echo "chromium is not installed: the report's browser test will be skipped" >&2
	$(BIN)/python -m pytest -q

# Every target of issue 8 beside its reference, written to BENCHMARKS.md: ingest and pflog
# (bench/run.py), journeys, report and queries. All three run; the exit status is 1 when any
# target was missed (by more than the measured noise, where runs repeat). Inputs are made on
# the first run and kept in bench/data/ (simulating 1 GB takes ~10 minutes more).
bench: $(STAMP) lnav
	@status=0; \
	$(BIN)/python bench/run.py --mb 1024 --runs 3 --packets 5000000 --write || status=1; \
	$(BIN)/python bench/journeys.py --copies 960 --runs 1 --write --check || status=1; \
	$(BIN)/python bench/queries.py --rate 1900 --big-rate 4000 --rows 10000000 --runs 3 --write --check || status=1; \
	exit $$status

# Spark local[2] beside the DuckDB engine on make bench's 1.1 GB input (issue 10; ~4 minutes).
bench-spark: $(STAMP)
	$(BIN)/python bench/spark.py --mb 1024 --write

# Why the engine is built as it is (not a target; a few minutes).
bench-approaches: $(STAMP)
	$(BIN)/python bench/approaches.py --lines 1000000 --runs 3 --write

# Re-lock after changing dependencies: resolves the newest allowed versions into constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -U pip
	.venv-lock/bin/python -m pip install --quiet -e . --group dev
	.venv-lock/bin/python -m pip freeze --exclude-editable --all | grep -v '^setuptools==' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) mxlog.duckdb* .pytest_cache
