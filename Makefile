# Two commands on a fresh machine (Python 3.11, pip, make): `make demo`, `make test`.
# Each bootstraps .venv from nothing with the locked versions in constraints.txt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lock clean java

# pyspark (the Spark tests, `mxlog spark-ingest`) needs a Java 17 runtime: install Debian's
# when there is no `java` at all (CI images); a machine that has one is left alone.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "java not found: installing openjdk-17-jre-headless"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; }

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e . --group dev
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mxlog demo

test: $(STAMP) java
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py --mb 1024 --runs 3 --write
	$(BIN)/python bench/approaches.py --lines 1000000 --runs 3 --write
	$(BIN)/python bench/pflog.py --packets 1000000 --runs 3 --write
	$(BIN)/python bench/spark.py --mb 16 --write

# Re-lock after changing dependencies: resolves the newest allowed versions into constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -U pip
	.venv-lock/bin/python -m pip install --quiet -e . --group dev
	.venv-lock/bin/python -m pip freeze --exclude-editable --all | grep -v '^setuptools==' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) mxlog.duckdb* .pytest_cache
