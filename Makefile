# union-intake — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test test-embedded test-scaled test-miniprogram lint install install-dev clean

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt tests/js/package-lock.json
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	npm ci --prefix tests/js --no-audit --no-fund --silent  # axe-core for the browser tests
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: install-dev
	$(BIN)/ruff check .

test-embedded: install-dev
	UNION_INTAKE_TEST_BACKEND=embedded $(BIN)/pytest

# On TEST_DATABASE_URL / TEST_REDIS_URL when set; for an unset one, on a PostgreSQL cluster / redis-server of its own.
test-scaled: install-dev
	@if [ -n "$$TEST_DATABASE_URL" ] && [ -n "$$TEST_REDIS_URL" ]; then \
		UNION_INTAKE_TEST_BACKEND=scaled $(BIN)/pytest; \
	else \
		$(BIN)/python -m tests.throwaway_services -- env UNION_INTAKE_TEST_BACKEND=scaled $(BIN)/pytest; \
	fi

# The mini-program's page tests (jest + miniprogram-simulate), from its own committed lockfile.
test-miniprogram:
	cd miniprogram && npm ci --no-audit --no-fund --silent && npm test --silent

test: lint test-miniprogram test-embedded test-scaled

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
