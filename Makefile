# Developer shortcuts. `make docs` builds the documentation into
# docs/_build/html (warnings are errors, examples are executed, no network).
.PHONY: docs docs-clean

docs:
	$(MAKE) -C docs html

docs-clean:
	$(MAKE) -C docs clean
