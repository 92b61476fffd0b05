"""Every public function and class has a numpydoc docstring with Parameters and Returns.

Public means listed in the ``__all__`` of ``environments``, ``simulator`` or
``analysis``. Documented parameter names must be the signature's (several names may
share one entry, ``a, b : float``). Docstrings are read by users (``help``), so
they say nothing about how the code was made.
"""
import inspect
import re

import pytest

numpydoc_docscrape = pytest.importorskip("numpydoc.docscrape")

import analysis  # noqa: E402
import environments  # noqa: E402
import simulator  # noqa: E402

PUBLIC = [(package.__name__, name, getattr(package, name))
          for package in (environments, simulator, analysis) for name in package.__all__
          if callable(getattr(package, name)) and not inspect.ismodule(getattr(package, name))]


def signature_names(obj):
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return []
    return [("**" if p.kind is p.VAR_KEYWORD else "*" if p.kind is p.VAR_POSITIONAL else "")
            + p.name for p in parameters if p.name != "self"]


def documented_names(doc):
    """Names of the Parameters entries; ``w0, ..., w20`` stands for w0 to w20."""
    names = []
    for entry in doc["Parameters"]:
        parts = [n.strip() for n in entry.name.split(",")]
        if len(parts) == 3 and parts[1] == "...":
            first, last = (re.fullmatch(r"(\w*?)(\d+)", p) for p in (parts[0], parts[2]))
            parts = [f"{first[1]}{k}" for k in range(int(first[2]), int(last[2]) + 1)]
        names += parts
    return names


@pytest.mark.parametrize("package, name, obj", PUBLIC, ids=[f"{p}.{n}" for p, n, _ in PUBLIC])
def test_numpydoc_parameters_and_returns(package, name, obj):
    is_class = inspect.isclass(obj)
    doc = (numpydoc_docscrape.ClassDoc(obj, config={"show_class_members": False}) if is_class
           else numpydoc_docscrape.FunctionDoc(obj))
    assert doc["Summary"], f"{package}.{name} has no summary line"
    expected = signature_names(obj)
    if expected:
        documented = documented_names(doc)
        missing = [n for n in expected if n not in documented and n.lstrip("*") not in documented]
        assert not missing, f"{package}.{name}: parameters not documented: {missing}"
        unknown = [n for n in documented
                   if n not in expected and "*" + n not in expected and "**" + n not in expected]
        assert not unknown, f"{package}.{name}: documented names not in the signature: {unknown}"
    if not is_class:
        assert doc["Returns"] or doc["Yields"], f"{package}.{name} has no Returns section"


@pytest.mark.parametrize("package, name, obj", PUBLIC, ids=[f"{p}.{n}" for p, n, _ in PUBLIC])
def test_docstrings_hold_no_development_notes(package, name, obj):
    text = inspect.getdoc(obj) or ""
    found = re.findall(r"\b(?:TODO|FIXME|XXX|the issue|tests pin)\b", text)
    assert not found, f"{package}.{name}: {found}"
