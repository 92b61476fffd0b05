"""Every code block of the README and of the documentation pages runs as written.

Convention (also stated in ``docs/writing_docs.md``):

- ```` ```python ```` blocks of one page run in order in one fresh namespace, as a
  reader pasting them into one Python session would run them;
- ```` ```sh ```` blocks run as one ``bash -euo pipefail`` script in a scratch folder holding
  ``.venv`` (this interpreter's environment) and the checkout's ``examples/``, so
  commands name the venv's binaries exactly as a reader types them;
- a block right after the line ``<!-- docs-test: skip -->`` is not run (the set-up
  block of the README, which ``.ci/run`` executes itself, and long benchmarks);
- blocks with any other language (``toml``, ``text``) are shown, not run.

All pages run in one subprocess (one import of the toolkit), each page in its own
scratch folder, so files the examples write never land in the checkout.
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).parents[1]
SKIP_MARK = "<!-- docs-test: skip -->"
FENCE = re.compile(r"^```(\S*)\s*$")


def doc_pages():
    """README.md and every Markdown page under docs/ (not the build output)."""
    pages = [ROOT / "README.md"]
    pages += sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
    return pages


def code_blocks(path):
    """``[(language, source, skipped, line)]`` of a Markdown file's fenced blocks."""
    blocks, lines = [], path.read_text().splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match and match.group(1):
            start, language = i, match.group(1)
            i += 1
            body = []
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            skipped = start > 0 and lines[start - 1].strip() == SKIP_MARK
            blocks.append((language, "\n".join(body) + "\n", skipped, start + 1))
        i += 1
    return blocks


RUNNER = textwrap.dedent("""
    import json, os, pathlib, subprocess, sys, tempfile, traceback
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    root = pathlib.Path(sys.argv[1])
    pages = json.loads(sys.stdin.read())
    venv = pathlib.Path(sys.executable).parent.parent
    results = {}
    for page, blocks in pages.items():
        scratch = pathlib.Path(tempfile.mkdtemp(prefix="docs-blocks-"))
        (scratch / ".venv").symlink_to(venv)
        (scratch / "examples").symlink_to(root / "examples")
        os.chdir(scratch)
        namespace = {"__name__": "__main__"}
        error = None
        for language, source, line in blocks:
            try:
                if language == "python":
                    exec(compile(source, f"{page}:{line}", "exec"), namespace)
                else:
                    done = subprocess.run(["bash", "-euo", "pipefail", "-c", source],
                                          capture_output=True, text=True)
                    if done.returncode:
                        raise RuntimeError(f"exited {done.returncode}:\\n"
                                           f"{done.stdout}\\n{done.stderr}")
            except BaseException:
                error = f"block at line {line}:\\n" + traceback.format_exc()
                break
        plt.close("all")
        results[page] = error
    print(json.dumps(results))
""")


@pytest.fixture(scope="module")
def block_results():
    pages = {}
    for path in doc_pages():
        runnable = [(lang, src, line) for lang, src, skipped, line in code_blocks(path)
                    if lang in ("python", "sh") and not skipped]
        pages[str(path.relative_to(ROOT))] = runnable
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-c", RUNNER, str(ROOT)], input=json.dumps(pages),
                          capture_output=True, text=True, env=env, timeout=1500)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("page", [str(p.relative_to(ROOT)) for p in doc_pages()])
def test_page_blocks_run_as_written(block_results, page):
    assert block_results[page] is None, block_results[page]


def test_readme_setup_block_is_the_one_ci_runs():
    language, source, skipped, _ = code_blocks(ROOT / "README.md")[0]
    assert language == "sh" and skipped
    commands = source.strip().splitlines()
    assert commands == ['python3 -m venv .venv && .venv/bin/pip install -e ".[all]" '
                        '&& .venv/bin/pip install --no-deps fsrs-optimizer==6.5.0 '
                        '&& .venv/bin/cogmemsim demo',
                        ".venv/bin/python -m pytest -n auto --dist loadfile"]


def test_shell_commands_name_the_venv_binaries():
    tools = ("cogmemsim", "python", "pip", "pytest", "jupyter", "ruff")
    for path in doc_pages():
        for language, source, _, line in code_blocks(path):
            if language != "sh":
                continue
            for command in source.splitlines():
                words = command.split()
                if words and words[0] in tools:
                    pytest.fail(f"{path.name}:{line}: {command!r} names a bare {words[0]}; "
                                f"write .venv/bin/{words[0]}")
