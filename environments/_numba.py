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

CACHE = os.environ.get("COGMEMSIM_NUMBA_CACHE", "1") != "0"


def njit(*args, **kwargs):
    """``numba.njit`` with the toolkit's defaults (``cache=True``, no fastmath)."""
    kwargs.setdefault("cache", CACHE)
    if args and callable(args[0]):
        return numba.njit(**kwargs)(args[0])
    return numba.njit(*args, **kwargs)
