# 码上监督 — the two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2

.PHONY: run test test-sqlite test-postgres venv system-deps lint migrate seed lock clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

system-deps:
	@bash tools/system-deps.sh

migrate: venv
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask demo seed

run: system-deps seed
	@echo "码上监督 正在 http://$(HOST):$(PORT)/ 运行（Ctrl+C 退出）"
	@# gunicorn sync workers, not `flask run`: the threaded development server segfaults under concurrent
	@# console requests (docs/deployment.md, "The development server"). WORKERS=1 for a single process.
	$(BIN)/gunicorn --workers $(WORKERS) --worker-class sync --timeout 120 --bind $(HOST):$(PORT) \
		--access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms' wsgi:app

test: system-deps venv
	$(BIN)/ruff check .
	@echo "== SQLite"
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(BIN)/pytest; fi

test-sqlite: venv
	env -u TEST_DATABASE_URL $(BIN)/pytest

test-postgres: venv
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/mss_test} $(BIN)/pytest

lint: venv
	$(BIN)/ruff check .

lock: venv
	$(BIN)/pip freeze --exclude-editable | sort > requirements.lock

clean:
	rm -rf $(VENV) instance
