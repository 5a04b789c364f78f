"""Sphinx configuration for the imbbce documentation.

Build with ``make docs`` from the repository root (or ``make -C docs html``).
The build is offline: no intersphinx inventories, no remote assets.
"""

import os
import re
import sys
from pathlib import Path

# One torch thread and a non-interactive matplotlib backend for the gallery:
# on a 2-core machine one small fit took 0.7-0.9 s with one torch thread and
# 11.7-13.7 s with two. Set before torch and matplotlib are imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ["MPLBACKEND"] = "Agg"

import matplotlib

matplotlib.use("Agg")

import torch

torch.set_num_threads(1)

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the code of this checkout, whatever imbbce is installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "sphinxext"))

import imbbce

project = "imbbce"
author = "The imbbce developers"
copyright = "The imbbce developers"
release = imbbce.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
default_role = "literal"

# -- API reference ----------------------------------------------------------
# api.rst lists the module ``imbbce``; the template _templates/autosummary/
# api_module.rst lists every name of ``imbbce.__all__``, so names added to
# ``__all__`` appear without editing the docs.
autosummary_generate = True
autosummary_ignore_module_all = False
autosummary_imported_members = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Gallery ----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Executed: every plot_*.py, and the README's quickstart.
    "filename_pattern": r"(/plot_|/quickstart\.py$)",
    "within_subsection_order": "imbbce_docs.ExampleOrder",
    "doc_module": ("imbbce",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"imbbce": None},
    "reset_modules": ("matplotlib", "imbbce_docs.reset_torch"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "min_reported_time": 1,
    # The timing pages load jQuery and DataTables from CDNs; keep the site offline.
    "write_computation_times": False,
}

# -- HTML -------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"imbbce {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}

# -- MyST (CHANGELOG.md and benchmark tables) --------------------------------
myst_enable_extensions = []
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]


def _write_benchmark_results():
    """Write generated/benchmark_results.rst.inc: benchmarks/results/*.md, or a note."""
    results = sorted((ROOT / "benchmarks" / "results").glob("*.md"))
    target = DOCS / "generated" / "benchmark_results.rst.inc"
    target.parent.mkdir(exist_ok=True)
    if results:
        lines = []
        for path in results:
            # Relative to benchmarks.rst, the document that includes this file.
            relative = os.path.relpath(path, DOCS).replace(os.sep, "/")
            lines += [f".. include:: {relative}", "   :parser: myst_parser.sphinx_", ""]
    else:
        lines = [
            "No benchmark results yet: ``benchmarks/results/`` holds no ``*.md`` table in",
            "this checkout. Once the benchmarks have been run, their tables appear here.",
            "",
        ]
    text = "\n".join(lines)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)


_write_benchmark_results()


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods.

    They are documented by scikit-learn (metadata routing) and their docstrings
    refer to its glossary, which does not exist here.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


_SHAPE = re.compile(r"of shape \(([^)]*)\)")
_ATTRIBUTE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?![`\w])")


def _quote_attributes_in_shapes(app, what, name, obj, options, lines):
    """Quote fitted-attribute names in "of shape (n_features_in_,)".

    Bare, a trailing underscore makes reST read ``n_features_in_`` as a link
    to a target that does not exist (an error under -W); scikit-learn's
    docstrings write ``(`n_features_in_`,)``. This quotes them in docstrings
    that do not yet.
    """

    def quote(match):
        return "of shape (" + _ATTRIBUTE.sub(r"`\1`", match.group(1)) + ")"

    lines[:] = [_SHAPE.sub(quote, line) for line in lines]


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
    # Before numpydoc (priority 500) turns the sections into reST.
    app.connect("autodoc-process-docstring", _quote_attributes_in_shapes, priority=400)
