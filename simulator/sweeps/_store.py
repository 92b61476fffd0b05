"""A sweep's Zarr store: one Zarr region per chunk of runs, and a record of finished runs.

The store is laid out in full before any run (every variable chunked exactly as
the sweep's chunks of runs, so each chunk writes its own Zarr chunks and no two
writes touch the same file). A chunk's results are written first, then its
``finished`` flags: a chunk interrupted between the two is simply recomputed on
resume (runs are deterministic, so the bits are the same). Zarr writes each chunk
file atomically, so a kill never leaves a half-written chunk.
"""
import json
import pathlib

import numpy as np
import xarray as xr

from simulator.variables import SWEEP_VARIABLES


def check_path(store):
    """``store`` as a Path ending in ``.zarr``."""
    try:
        path = pathlib.Path(store)
    except TypeError:
        raise ValueError(f"store must be a path ending in .zarr, got {store!r}") from None
    if path.suffix.lower() != ".zarr":
        raise ValueError(f"store must be a path ending in .zarr, got {str(store)!r}")
    try:
        import dask.array  # noqa: F401
        import zarr  # noqa: F401
    except ImportError:
        raise ValueError("store needs zarr and dask: pip install 'cogmemsim[dask]'") from None
    return path


def open_store(path):
    """The stored sweep, lazily (dask-backed)."""
    return xr.open_zarr(path, consolidated=False)


def stored_seed(path):
    """The root SeedSequence a stored sweep was run with."""
    spec = json.loads(open_store(path).attrs["sweep"])
    return np.random.SeedSequence(json.loads(spec["seed_entropy"]),
                                  spawn_key=tuple(spec["seed_spawn_key"]))


def check_same_sweep(path, attrs):
    """Raise ValueError unless the store at ``path`` holds the sweep described by ``attrs``;
    return the store's chunk shape (over the grid dims and ``replicate``)."""
    stored = open_store(path)
    if "sweep" not in stored.attrs or "finished" not in stored:
        raise ValueError(f"store {str(path)!r} is not a cogmemsim sweep store")
    old, new = json.loads(stored.attrs["sweep"]), json.loads(attrs["sweep"])
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if differ:
        raise ValueError(f"store {str(path)!r} holds a different sweep ({', '.join(differ)} "
                         f"differ); use another store or the same arguments")
    return tuple(stored["finished"].encoding["chunks"])


def finished_runs(path):
    """Boolean array over the grid dims and ``replicate``: runs already stored."""
    return open_store(path)["finished"].values


def stored_template(path, plan):
    """The stored reduction of the first run, for the shapes and coordinates of a resumed sweep."""
    first = open_store(path).drop_vars("finished").isel(
        {dim: 0 for dim in plan.dims})
    return first.drop_vars(plan.dims).load()


def create_store(path, plan, template, coords, attrs):
    """Lay out the whole sweep in a new store at ``path`` (data written later, by region)."""
    import dask.array as da

    dims = plan.dims
    data_vars = {}
    for name, var in template.data_vars.items():
        fill = np.nan if var.dtype.kind == "f" else 0
        data = da.full(plan.shape + var.shape, fill, dtype=var.dtype,
                       chunks=plan.chunk_shape + var.shape)
        data_vars[name] = (dims + var.dims, data, var.attrs)
    data_vars["finished"] = (dims, da.zeros(plan.shape, dtype=bool, chunks=plan.chunk_shape),
                             SWEEP_VARIABLES["finished"])
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs).assign_coords(template.coords)
    # Zarr v3 specifies variable-length UTF-8 strings but not numpy's fixed-width ones,
    # so string coordinates (regime names, string-valued parameters) are stored as objects
    ds = ds.assign_coords({name: coord.astype(object) for name, coord in ds.coords.items()
                           if coord.dtype.kind == "U"})
    ds.to_zarr(path, mode="w-", compute=False, consolidated=False)


def write_block(path, plan, block, arrays, template):
    """Write one chunk's results into its region, then mark its runs finished."""
    dims = plan.dims
    region = dict(zip(dims, plan.block_slices(block)))
    results = xr.Dataset({name: (dims + template[name].dims, array)
                          for name, array in arrays.items()})
    results.to_zarr(path, region=region, mode="r+", consolidated=False)
    shape = tuple(s.stop - s.start for s in region.values())
    xr.Dataset({"finished": (dims, np.ones(shape, bool))}).to_zarr(
        path, region=region, mode="r+", consolidated=False)
