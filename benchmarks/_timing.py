"""Timing helper shared by the benchmarks."""
import time

import numpy as np


def best_of(repeats, func):
    """Smallest wall time of ``repeats`` calls of ``func`` and the last result."""
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result
