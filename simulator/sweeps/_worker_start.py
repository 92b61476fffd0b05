"""Preloaded by the fork server that local sweep workers are forked from.

Importing the toolkit (numpy, xarray, numba and every kernel module) and loading
the compiled kernels of the commonest sweep, ACT-R in a power-law environment
reduced to a retention curve, takes about a second. The fork server pays it once;
every worker forked from it starts with them loaded. Kernels of other agents and
environments load from numba's on-disk cache on first use in each worker.
"""
import environments
import simulator
from simulator.reductions import keep_retention


def _load_kernels():
    """One short run: numba loads the kernels it calls from its cache (or compiles them)."""
    stream = environments.power_law(200, seed=0)
    try:
        keep_retention(simulator.run(simulator.ACTR(), stream, seed=0))
    except Exception:  # the fork server must live on: a worker meets the error and reports it
        pass


_load_kernels()
