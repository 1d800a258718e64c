# Mirrors the README. `make install run` is the first command, `make test` the second.
.PHONY: install run demo test lint bench messages snapshot

install:
	python3 -m pip install -q uv
	uv sync

run:
	python3 -m pip install -q uv && uv run onevisit demo

test:
	python3 -m pip install -q uv && uv run pytest -n 2 -q

lint:
	uv run ruff check .
	uv run ruff format --check .
	uv run mypy onevisit conftest.py tests bench

# New strings come out of makemessages untranslated; translate them in the catalogue
# (onevisit/locale/zh_Hans/LC_MESSAGES/django.po), the one place translations live. A test fails
# while any is left empty.
messages:
	cd onevisit && uv run onevisit makemessages -l zh_Hans --no-obsolete --add-location file
	cd onevisit && uv run onevisit compilemessages

snapshot:
	UPDATE_SNAPSHOTS=1 uv run pytest -q onevisit/registry/tests/test_api.py

bench:
	uv run python bench/search.py
	uv run python bench/import.py
	uv run python bench/hj212.py
	uv run python bench/planner.py
	uv run python bench/draws.py
	uv run python bench/devices.py
