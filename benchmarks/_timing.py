"""Timing helper shared by the benchmarks.

Importing it puts this checkout first on ``sys.path``, so a benchmark measures the
code beside it, not an installed copy: import it before the toolkit.
"""
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_of(repeats, func, clock=time.perf_counter):
    """Smallest time of ``repeats`` calls of ``func`` and the last result.

    ``clock`` is wall time by default; ``time.process_time`` gives this process's CPU
    time, which other jobs on a shared machine do not inflate.
    """
    best, result = np.inf, None
    for _ in range(repeats):
        start = clock()
        result = func()
        best = min(best, clock() - start)
    return best, result
