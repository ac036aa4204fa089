PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip >/dev/null
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@echo "== kpatchlint check on the bundled swap series (fixtures/series/swap-stale) against fixtures/trees/swap =="
	-$(BIN)/kpatchlint check fixtures/series/swap-stale/series.mbox --tree fixtures/trees/swap
	@echo
	@echo "== call sites of swap_cache_alloc_folio in the bundled tree =="
	$(BIN)/kpatchlint callgraph swap_cache_alloc_folio --tree fixtures/trees/swap

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
