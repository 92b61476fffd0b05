"""A sweep's Zarr store: one Zarr region per chunk of runs, a digest of every stored
run, and a record of finished runs.

The store is laid out in full before any run (every variable chunked exactly as
the sweep's chunks of runs, so each chunk writes its own Zarr chunks and no two
writes touch the same file). A chunk's results are written first, then a digest
of each run's values of each variable (``run_digest``), then its ``finished``
flags: a chunk interrupted before its flags is simply recomputed on resume (runs
are deterministic, so the bits are the same).

A finished run is trusted only while its stored values match its digest:
:func:`inspect` reads every finished chunk of every variable and reports what is
missing, unreadable or changed (a deleted, truncated, swapped or garbage chunk
file, a variable whose metadata is gone). A resumed sweep recomputes those runs;
reading a damaged store raises :class:`DamagedStoreError`.
"""
import dataclasses
import hashlib
import json
import pathlib
import shutil
import warnings

import numpy as np
import xarray as xr

from simulator.variables import SWEEP_VARIABLES

#: The store variable holding a digest of each run's values of each data variable.
DIGEST = "run_digest"
#: Its last dim: which data variable a digest is of (names in its attrs, in order).
DIGEST_DIM = "digest_variable"
DIGEST_ATTRS = {
    "long_name": "digest of a run's stored values",
    "units": "1",
    "description": "BLAKE2b-64 of each run's values of each data variable (0: not written); "
                   "a finished run whose values do not match is recomputed on resume",
}


class DamagedStoreError(ValueError):
    """A sweep store's stored values are missing, unreadable or do not match their
    digests; the message names the first damaged variable and chunk."""


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


def check_target(path):
    """Raise ValueError unless a new store can be made at ``path`` (its folder exists
    and is writable)."""
    import os

    folder = path.parent if str(path.parent) else pathlib.Path(".")
    if not folder.is_dir():
        raise ValueError(f"store {str(path)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"store {str(path)!r}: folder {str(folder)!r} is not writable")


def remove(path):
    """Remove an existing store (or a file at its path), to write a new sweep there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def open_store(path):
    """The stored sweep, lazily (dask-backed), without its digests."""
    ds = xr.open_zarr(path, consolidated=False)
    return ds.drop_vars([DIGEST], errors="ignore").drop_dims([DIGEST_DIM], errors="ignore")


def _group(path):
    import zarr

    try:
        with warnings.catch_warnings():
            # a folder whose metadata is gone is reported by inspect(), not as a warning
            warnings.simplefilter("ignore")
            return zarr.open_group(str(path), mode="r")
    except Exception as err:  # noqa: BLE001 - any failure to open is one message
        raise DamagedStoreError(f"store {str(path)!r} cannot be read as a Zarr store "
                                f"({type(err).__name__}: {err})") from None


def _arrays(group):
    """Names of the group's arrays (quietly: zarr warns of folders without metadata)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return set(group.array_keys())


def is_sweep_store(path):
    """Whether ``path`` holds a cogmemsim sweep store (its attrs describe a sweep)."""
    return "sweep" in _group(path).attrs


def stored_seed(path):
    """The root SeedSequence a stored sweep was run with."""
    spec = json.loads(_group(path).attrs["sweep"])
    return np.random.SeedSequence(json.loads(spec["seed_entropy"]),
                                  spawn_key=tuple(spec["seed_spawn_key"]))


def check_same_sweep(path, attrs):
    """Raise ValueError unless the store at ``path`` holds the sweep described by ``attrs``."""
    stored = _group(path).attrs
    if "sweep" not in stored:
        raise ValueError(f"store {str(path)!r} is not a cogmemsim sweep store")
    old, new = json.loads(stored["sweep"]), json.loads(attrs["sweep"])
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if differ:
        raise ValueError(f"store {str(path)!r} holds a different sweep ({', '.join(differ)} "
                         f"differ); use another store or the same arguments")


def digest(values):
    """A 64-bit digest (never 0) of an array's values: their bytes, or their text."""
    values = np.asarray(values)
    if values.dtype.kind in "OUST":
        data = "\x1f".join(map(str, values.ravel().tolist())).encode()
    else:
        data = np.ascontiguousarray(values).tobytes()
    value = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")
    return np.uint64(value or 1)


def run_digests(arrays, names, shape):
    """``uint64`` array ``shape + (len(names),)``: the digest of each run's values of
    each variable, ``arrays[name]`` being shaped ``shape + variable shape``."""
    out = np.empty(tuple(shape) + (len(names),), np.uint64)
    for k, name in enumerate(names):
        for index in np.ndindex(*shape):
            out[index + (k,)] = digest(arrays[name][index])
    return out


def create_store(path, plan, template, coords, attrs):
    """Lay out the whole sweep in a new store at ``path`` (data written later, by region)."""
    layout(plan, template, coords, attrs).to_zarr(path, mode="w-", compute=False,
                                                  consolidated=False)


def layout(plan, template, coords, attrs, names=None):
    """The store's Dataset, lazily filled (NaN, 0, not finished); ``names`` picks variables."""
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
    variables = list(template.data_vars)
    digest_attrs = dict(DIGEST_ATTRS, variables=json.dumps(variables), coordinates=json.dumps(
        {name: str(digest(ds[name].values)) for name in ds.coords}))
    ds[DIGEST] = (dims + (DIGEST_DIM,), da.zeros(plan.shape + (len(variables),), np.uint64,
                                                 chunks=plan.chunk_shape + (len(variables),)),
                  digest_attrs)
    if names is not None:
        ds = ds[[n for n in names if n not in ds.coords]]
    return ds


def digest_names(path):
    """The data variables the store's digests are of, in the order of its last dim."""
    return json.loads(_group(path)[DIGEST].attrs["variables"])


def write_block(path, plan, block, arrays, template, names):
    """Write one chunk's results into its region, then their digests (of the variables
    ``names``, in the store's order: see :func:`digest_names`), then mark its runs
    finished."""
    dims = plan.dims
    region = dict(zip(dims, plan.block_slices(block)))
    results = xr.Dataset({name: (dims + template[name].dims, array)
                          for name, array in arrays.items()})
    results.to_zarr(path, region=region, mode="r+", consolidated=False)
    shape = tuple(s.stop - s.start for s in region.values())
    digests = run_digests(arrays, names, shape)
    xr.Dataset({DIGEST: (dims + (DIGEST_DIM,), digests)}).to_zarr(
        path, region=region, mode="r+", consolidated=False)
    xr.Dataset({"finished": (dims, np.ones(shape, bool))}).to_zarr(
        path, region=region, mode="r+", consolidated=False)


@dataclasses.dataclass
class Inspection:
    """What :func:`inspect` found: the runs still to be trusted as finished, and what
    is damaged (``problems``, in words; ``missing``, arrays to lay out again)."""

    finished: np.ndarray
    problems: list
    missing: list
    coordinates: list
    legacy: bool = False

    def message(self, path):
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"store {str(path)!r} is damaged: {first}{more}"


def inspect(path):
    """Check every finished run of the sweep store at ``path`` against its digests.

    Returns
    -------
    Inspection
        ``finished``: finished runs whose every variable is present, readable and
        matches its digest; ``problems``: each damaged variable and chunk in words;
        ``missing``: arrays absent from the store (their every run is damaged);
        ``coordinates``: coordinates that are absent or do not match their digest.
    """
    group = _group(path)
    if "sweep" not in group.attrs:
        raise ValueError(f"store {str(path)!r} is not a cogmemsim sweep store")
    present = _arrays(group)
    problems, missing, bad_coords = [], [], []
    reference = group["finished"] if "finished" in present else (
        group[DIGEST] if DIGEST in present else None)
    if reference is None:
        raise DamagedStoreError(f"store {str(path)!r} is damaged beyond repair: its record "
                                f"of finished runs and its digests are both missing; remove "
                                f"it and run the sweep again")
    shape = reference.shape if "finished" in present else reference.shape[:-1]
    chunks = reference.chunks if "finished" in present else reference.chunks[:-1]
    dims = tuple(reference.metadata.dimension_names)[:len(shape)]
    if "finished" not in present:
        missing.append("finished")
        problems.append("its record of finished runs (finished) is missing: every run is "
                        "recomputed")
    legacy = DIGEST not in present and not (pathlib.Path(path) / DIGEST).exists()
    if DIGEST not in present:
        missing.append(DIGEST)
        problems.append(f"it has no digests ({DIGEST}; written by an earlier cogmemsim)"
                        if legacy else f"its digests ({DIGEST}) are missing")
        problems[-1] += ": every run is recomputed"
        names, coordinate_digests = None, {}
    else:
        names = json.loads(group[DIGEST].attrs["variables"])
        coordinate_digests = json.loads(group[DIGEST].attrs.get("coordinates", "{}"))
        for name in names:
            if name not in present:
                missing.append(name)
                problems.append(f"variable {name!r} is missing (its metadata was removed): "
                                f"every run of it is damaged")
    for name, expected in coordinate_digests.items():
        try:
            ok = str(digest(group[name][...])) == expected
        except Exception:  # noqa: BLE001 - absent or unreadable: damaged either way
            ok = False
        if not ok:
            bad_coords.append(name)
            problems.append(f"coordinate {name!r} is missing or does not match its digest")
    if missing:
        return Inspection(np.zeros(shape, bool), problems, missing, bad_coords,
                          legacy and missing == [DIGEST])

    finished = np.zeros(shape, bool)
    digests = group[DIGEST]
    arrays = {name: group[name] for name in names}
    counts = [-(-n // c) for n, c in zip(shape, chunks)]
    for block in np.ndindex(*counts):
        where = tuple(slice(b * c, min((b + 1) * c, n)) for b, c, n in zip(block, chunks, shape))
        try:
            done = np.asarray(group["finished"][where], bool)
        except Exception as err:  # noqa: BLE001
            problems.append(f"variable 'finished', {_chunk(group, dims, where)}: "
                            f"unreadable ({type(err).__name__})")
            continue
        if not done.any():
            continue
        damaged = None
        try:
            stored = np.asarray(digests[where])
        except Exception as err:  # noqa: BLE001
            damaged = f"variable {DIGEST!r}, {_chunk(group, dims, where)}: unreadable " \
                      f"({type(err).__name__})"
        for k, name in enumerate(names):
            if damaged is not None:
                break
            try:
                values = np.asarray(arrays[name][where])
            except Exception as err:  # noqa: BLE001
                damaged = (f"variable {name!r}, {_chunk(group, dims, where)}: unreadable "
                           f"({type(err).__name__}: {str(err).splitlines()[0][:80]})")
                break
            for index in zip(*np.nonzero(done)):
                if digest(values[index]) != stored[index + (k,)]:
                    damaged = (f"variable {name!r}, {_chunk(group, dims, where)}: values do "
                               f"not match their digest (changed, swapped or lost)")
                    break
        if damaged is None:
            finished[where] = done
        else:
            problems.append(damaged)
    return Inspection(finished, problems, missing, bad_coords)


def _chunk(group, dims, where):
    """A chunk of runs in words, e.g. ``chunk decay=0.3..0.5, replicate=1``."""
    parts = []
    for dim, s in zip(dims, where):
        try:
            values = group[dim][s.start:s.stop].tolist()
            text = f"{values[0]!r}" if len(values) == 1 else f"{values[0]!r}..{values[-1]!r}"
        except Exception:  # noqa: BLE001 - the coordinate itself may be damaged
            text = f"[{s.start}:{s.stop}]"
        parts.append(f"{dim}={text}")
    return "chunk " + ", ".join(parts)


def repair(path, plan, template, coords, attrs, inspection):
    """Lay out again the arrays ``inspection`` found missing, and write the damaged
    coordinates again, so every damaged run can be recomputed into the store.

    The sweep's layout is written afresh beside the store (metadata and
    coordinates only) and the arrays needed are moved in from it: they are then
    exactly as a new store's.
    """
    names = list(inspection.missing) + list(inspection.coordinates)
    if not names:
        return
    scratch = path.with_name(f".{path.name}.repair")
    if scratch.exists():
        shutil.rmtree(scratch)
    try:
        layout(plan, template, coords, attrs).to_zarr(scratch, mode="w-", compute=False,
                                                      consolidated=False)
        for name in names:
            if not (scratch / name).exists():
                raise DamagedStoreError(f"store {str(path)!r} is damaged: {name!r} is not part "
                                        f"of this sweep's layout; remove the store and run "
                                        f"the sweep again")
            if (path / name).exists():
                shutil.rmtree(path / name)  # stale or damaged files under the lost metadata
            shutil.move(str(scratch / name), str(path / name))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def stored_template(path, plan):
    """The stored reduction of the first run, for the shapes and coordinates of a resumed sweep."""
    first = open_store(path).drop_vars("finished").isel(
        {dim: 0 for dim in plan.dims})
    return first.drop_vars(plan.dims).load()


def chunk_shape(path):
    """The store's chunk shape over the grid dims and ``replicate`` (the regions its
    runs were written in)."""
    group = _group(path)
    if "finished" in _arrays(group):
        return tuple(group["finished"].chunks)
    if DIGEST in _arrays(group):
        return tuple(group[DIGEST].chunks[:-1])
    raise DamagedStoreError(f"store {str(path)!r} is damaged beyond repair: its record of "
                            f"finished runs and its digests are both missing; remove it and "
                            f"run the sweep again")
