"""The documentation site builds with no warning (``sphinx -W``)."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[1]


def test_sphinx_builds_without_warnings(tmp_path):
    for package in ("sphinx", "numpydoc", "myst_parser"):
        pytest.importorskip(package)
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b",
                           "html", "docs", str(tmp_path / "html")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "html" / "api" / "simulator.html").read_text()
    import simulator
    for name in simulator.__all__:  # the API reference holds every public name
        assert f'id="simulator.{name}"' in page, name
