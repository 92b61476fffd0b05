import json
import os
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def jitted_and_pure_python():
    """Run a script that prints a JSON dict, compiled and under ``NUMBA_DISABLE_JIT=1``.

    Both runs start from the repository root in a fresh interpreter; returns the
    two dicts with their values as numpy arrays.
    """
    def run(script):
        def run_with(disable_jit):
            environ = dict(os.environ, NUMBA_DISABLE_JIT=disable_jit)
            out = subprocess.run([sys.executable, "-c", script], env=environ, check=True,
                                 capture_output=True, text=True,
                                 cwd=os.path.dirname(os.path.dirname(__file__)))
            return {k: np.array(v) for k, v in json.loads(out.stdout).items()}

        return run_with("0"), run_with("1")

    return run
