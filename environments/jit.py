"""The one place where numba's decorators are configured.

Every kernel in the toolkit is compiled through :func:`njit` so that caching and
compilation options are uniform. ``COGMEMSIM_NUMBA_CACHE=0`` turns the on-disk
cache off (useful on read-only installs); ``NUMBA_DISABLE_JIT=1`` runs every
kernel as plain Python, which the test suite uses to check the compiled code.

``fastmath`` is never switched on wholesale: activations are ``-inf`` before an
item's first presentation, and the ``nnan``/``ninf`` flags would make such code
undefined.
"""
import os

import numba
import numpy as np

CACHE = os.environ.get("COGMEMSIM_NUMBA_CACHE", "1") != "0"


def njit(*args, **kwargs):
    """``numba.njit`` with the toolkit's defaults (``cache=True``, no fastmath), and a
    stable identity (:func:`_stable_identity`) so that cached closures are found again."""
    kwargs.setdefault("cache", CACHE)
    if args and callable(args[0]):
        return _stable_identity(numba.njit(**kwargs)(args[0]))
    decorator = numba.njit(*args, **kwargs)
    return lambda func: _stable_identity(decorator(func))


_SIMPLE = (bool, int, float, str, type(None))


def _stable_identity(dispatcher):
    """Name the dispatcher by what it is, not by a random UUID.

    numba keys a cached closure by its closure cells, serialized; a dispatcher
    serializes with a UUID drawn afresh in every process, so a closure over other
    kernels (the toolkit's drivers, built per model) was compiled again in every
    process and its cache only grew. A module-level kernel is named by its module
    and qualified name; a closure by its own name and its cells' names and values
    (a closure over anything else keeps numba's random UUID). Two dispatchers with
    one name are the same function, so sharing one on deserialization is correct.
    """
    func = getattr(dispatcher, "py_func", None)
    if func is None:  # NUMBA_DISABLE_JIT: a plain function
        return dispatcher
    parts = [func.__module__, func.__qualname__]
    for cell in func.__closure__ or ():
        value = cell.cell_contents
        if isinstance(value, numba.core.registry.CPUDispatcher):
            parts.append(value._uuid)
        elif isinstance(value, _SIMPLE):
            parts.append(f"{type(value).__name__}:{value!r}")
        else:
            return dispatcher
    dispatcher._set_uuid("cogmemsim:" + "|".join(parts))
    return dispatcher


_M1, _M2, _M4, _H01 = (np.uint64(0x5555555555555555), np.uint64(0x3333333333333333),
                       np.uint64(0x0F0F0F0F0F0F0F0F), np.uint64(0x0101010101010101))
_S1, _S2, _S4, _S56 = (np.uint64(s) for s in (1, 2, 4, 56))


@njit
def popcount(x):
    """Number of set bits of the uint64 ``x`` (an int64).

    The SWAR sum of Warren, *Hacker's Delight* (2nd ed., 2012), Fig. 5-2: bit
    pairs, nibbles and bytes are summed in place, and the multiply by
    ``0x0101...01`` gathers the byte sums in the top byte, a form LLVM compiles
    to the ``popcnt`` instruction. ``np.multiply`` wraps modulo 2**64 without
    numpy's scalar-overflow warning when run as plain Python.
    """
    x = x - ((x >> _S1) & _M1)
    x = (x & _M2) + ((x >> _S2) & _M2)
    x = (x + (x >> _S4)) & _M4
    return np.int64(np.multiply(x, _H01) >> _S56)
