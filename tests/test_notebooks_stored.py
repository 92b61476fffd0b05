"""Notebooks are stored as a reader should meet them: executed, with their outputs,
using the installed packages (no ``sys.path`` edits) and printing no warnings."""
import json
import pathlib

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def code_cells(path):
    return [cell for cell in json.loads(path.read_text())["cells"]
            if cell["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_the_installed_packages(path):
    for cell in code_cells(path):
        assert "sys.path" not in "".join(cell["source"]), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_without_warnings(path):
    cells = code_cells(path)
    assert any(cell["outputs"] for cell in cells), f"{path.name} is stored without outputs"
    for cell in cells:
        for output in cell["outputs"]:
            text = "".join(output.get("text", ""))
            assert not (output.get("name") == "stderr" and "Warning" in text), \
                f"{path.name} prints: {text[:200]}"
