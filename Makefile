# Two commands do all the set-up: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
CITY ?= kupang
export FLASK_APP := wsgi
export CITY

.PHONY: install run migrate test test-pg lint bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/flask db upgrade
	$(BIN)/flask city load $(CITY)

run: migrate
	$(BIN)/flask demo seed
	INPROCESS_WORKER=1 $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The same suite against PostgreSQL: make test-pg TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/test_db
test-pg: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
