"""Sphinx configuration of the cogmemsim documentation.

The API reference (``api/*.rst``) is written here, at every build, from each package's
``__all__``, so every public name is documented and none is forgotten.
"""
import inspect
import pathlib
import sys

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

import analysis  # noqa: E402
import environments  # noqa: E402
import simulator  # noqa: E402
from environments.version import cogmemsim_version  # noqa: E402

project = "cogmemsim"
author = "the cogmemsim authors"
copyright = "2026, the cogmemsim authors"
release = version = cogmemsim_version()

extensions = ["sphinx.ext.autodoc", "sphinx.ext.mathjax", "numpydoc", "myst_parser"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
autodoc_default_options = {"members": False}
suppress_warnings = ["myst.header"]
html_theme = "alabaster"
html_static_path = ["_static"]

PACKAGES = {"environments": environments, "simulator": simulator, "analysis": analysis}


def _directive(package, name):
    obj = getattr(PACKAGES[package], name)
    if inspect.ismodule(obj):
        return f".. automodule:: {obj.__name__}\n   :members:\n"
    if inspect.isclass(obj):
        return f".. autoclass:: {package}.{name}\n"
    if callable(obj):
        return f".. autofunction:: {package}.{name}\n"
    return f".. autodata:: {package}.{name}\n   :annotation: = {obj!r}\n"


def write_api_pages():
    """``api/<package>.rst`` listing every name of the package's ``__all__``."""
    folder = HERE / "api"
    folder.mkdir(exist_ok=True)
    for package, module in PACKAGES.items():
        title = f"``{package}``"
        lines = [title, "=" * len(title), "", f".. module:: {package}", "",
                 inspect.getdoc(module).split("\n\n")[0], ""]
        for name in sorted(module.__all__, key=str.lower):
            lines += [_directive(package, name), ""]
        text = "\n".join(lines)
        page = folder / f"{package}.rst"
        if not page.exists() or page.read_text() != text:
            page.write_text(text)


write_api_pages()
