"""Timing helper shared by the benchmarks."""
import time

import numpy as np


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
