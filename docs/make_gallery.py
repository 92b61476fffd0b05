"""Draw the gallery's images: run every Python block of gallery.md in docs/_static/.

    .venv/bin/python docs/make_gallery.py
"""
import os
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from test_docs_blocks import code_blocks  # noqa: E402


def main():
    os.chdir(HERE / "_static")
    namespace = {"__name__": "__main__"}
    for language, source, _, line in code_blocks(HERE / "gallery.md"):
        if language == "python":
            exec(compile(source, f"gallery.md:{line}", "exec"), namespace)
    pathlib.Path("revlog.csv").unlink(missing_ok=True)
    for png in sorted((HERE / "_static" / "gallery").glob("*.png")):
        print(png.relative_to(HERE))


if __name__ == "__main__":
    main()
