"""Saving and loading datasets: NetCDF by ``.nc``, Zarr by ``.zarr``.

Every saved dataset carries ``cogmemsim_version`` and ``cogmemsim_format``
(:func:`environments.version.version_attrs`); :func:`load` reads only such
datasets, of a format it knows. :func:`save` never replaces a file unless asked,
and writes beside the target first, so a failed write leaves no half file.
"""
import os
import pathlib
import shutil
import tempfile

import xarray as xr

from environments.version import FORMAT_VERSION, cogmemsim_version, version_attrs

SUFFIXES = {".nc": "netcdf", ".nc4": "netcdf", ".netcdf": "netcdf", ".zarr": "zarr"}


def _format(path):
    suffix = pathlib.Path(path).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise ValueError(f"path must end in .nc (NetCDF) or .zarr (Zarr), got {str(path)!r}")


def _require_zarr():
    try:
        import zarr  # noqa: F401
    except ImportError:
        raise ValueError("saving to .zarr needs zarr: pip install 'cogmemsim[dask]'") from None


def check_target(path, overwrite=False, name="path"):
    """Raise ValueError unless a dataset can be written at ``path``.

    Checked before any work: the suffix (``.nc`` or ``.zarr``), that the folder
    exists and is writable, and that nothing is at ``path`` unless ``overwrite``.

    Parameters
    ----------
    path : str or pathlib.Path
        The target file or store.
    overwrite : bool
        Allow replacing what is at ``path``.
    name : str
        How the message names the target (e.g. ``"--out"``).

    Returns
    -------
    pathlib.Path
        ``path`` as a Path.
    """
    try:
        path = pathlib.Path(path)
    except TypeError:
        raise ValueError(f"{name} must be a path ending in .nc or .zarr, got {path!r}") from None
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{name} must end in .nc (NetCDF) or .zarr (Zarr), got {str(path)!r}")
    folder = path.parent if str(path.parent) else pathlib.Path(".")
    if not folder.is_dir():
        raise ValueError(f"{name} {str(path)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {str(path)!r}: folder {str(folder)!r} is not writable")
    if (path.exists() or path.is_symlink()) and not overwrite:
        hint = "pass --overwrite" if name.startswith("--") else "pass overwrite=True"
        raise ValueError(f"{name} {str(path)!r} exists ({hint} to replace it)")
    if path.is_dir() and _format(path) == "netcdf":
        raise ValueError(f"{name} {str(path)!r} is a folder; a NetCDF file cannot replace it")
    return path


def save(ds, path, overwrite=False):
    """Write a Dataset (or named DataArray) to ``path``: NetCDF-4 for ``.nc``, Zarr for ``.zarr``.

    The data are written beside ``path`` and moved into place when complete, so
    an interrupted save leaves no half-written file (and, with ``overwrite``, the
    old one stays until the new one is whole).

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        What to write (a DataArray is stored under its name, or ``"data"``). The
        file records ``cogmemsim_version`` and ``cogmemsim_format`` in its attrs
        (the dataset's own ``cogmemsim_version`` is kept when it has one).
    path : str or pathlib.Path
        Target file; its suffix (``.nc`` or ``.zarr``) chooses the format. Its
        folder must exist.
    overwrite : bool
        Replace an existing file or store at ``path``; without it, an existing
        target is a ValueError and nothing is written.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if isinstance(ds, xr.DataArray):
        ds = ds.to_dataset(name=ds.name or "data", promote_attrs=True)
    if not isinstance(ds, xr.Dataset):
        raise ValueError(f"ds must be an xarray Dataset or DataArray, got {type(ds).__name__}")
    path = check_target(path, overwrite)
    fmt = _format(path)
    if fmt == "zarr":
        _require_zarr()
    ds = ds.copy(deep=False)
    ds.attrs = {**version_attrs(), **ds.attrs, "cogmemsim_format": FORMAT_VERSION}
    folder = path.parent if str(path.parent) else pathlib.Path(".")
    scratch = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=folder))
    try:
        written = scratch / path.name
        if fmt == "netcdf":
            ds.to_netcdf(written, engine="netcdf4")
        else:
            ds.to_zarr(written, mode="w-", consolidated=False)
        if path.exists() or path.is_symlink():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        os.replace(written, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return path


def load(path):
    """Read a Dataset saved by :func:`save`, the command line or a sweep.

    NetCDF is read fully into memory, as is a Zarr store. A sweep's store is
    checked first: every finished run against the digest it was written with.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.nc`` (NetCDF-4) or ``.zarr`` store written by :func:`save`, the
        command line or a sweep.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    ValueError
        If ``path`` does not exist, cannot be read, is not a cogmemsim dataset (no
        ``cogmemsim_format`` attribute) or was written in a newer format than this
        version of cogmemsim reads; :class:`simulator.DamagedStoreError` (a
        ValueError) if a sweep store is damaged, naming the variable and chunk.
    """
    fmt = _format(path)
    path = pathlib.Path(path)
    if not path.exists():
        raise ValueError(f"path does not exist: {str(path)!r}")
    if fmt == "netcdf":
        try:
            ds = xr.open_dataset(path, engine="netcdf4")
        except Exception as err:  # noqa: BLE001 - not NetCDF, or damaged: one message
            raise ValueError(f"{str(path)!r} cannot be read as NetCDF-4: it is not a NetCDF "
                             f"file or it is damaged ({type(err).__name__}: "
                             f"{_first_line(err)})") from None
        with ds:
            _check_written_by_cogmemsim(ds.attrs, path)
            try:
                return ds.load()
            except Exception as err:  # noqa: BLE001
                raise ValueError(f"{str(path)!r} cannot be read: it is damaged "
                                 f"({type(err).__name__}: {_first_line(err)})") from None
    _require_zarr()
    from simulator.sweeps import _store
    from simulator.sweeps.api import open_sweep

    attrs = _store._group(path).attrs
    _check_written_by_cogmemsim(attrs, path)
    if "sweep" in attrs:
        return open_sweep(path).load()
    try:
        return xr.open_zarr(path, consolidated=False).load()
    except Exception as err:  # noqa: BLE001 - a damaged chunk, whatever the codec says
        raise ValueError(f"{str(path)!r} cannot be read: it is damaged ({type(err).__name__}: "
                         f"{_first_line(err)})") from None


def _first_line(err):
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else "unreadable"


def _check_written_by_cogmemsim(attrs, path):
    """Raise ValueError unless ``attrs`` are a cogmemsim dataset's, in a format known here."""
    fmt = attrs.get("cogmemsim_format")
    if fmt is None:
        raise ValueError(f"{str(path)!r} is not a cogmemsim dataset (it has no "
                         f"cogmemsim_format attribute); open it with xarray instead")
    try:
        fmt = int(fmt)
    except (TypeError, ValueError):
        raise ValueError(f"{str(path)!r} has an unreadable cogmemsim_format attribute: "
                         f"{fmt!r}") from None
    if fmt > FORMAT_VERSION:
        raise ValueError(f"{str(path)!r} was written by cogmemsim "
                         f"{attrs.get('cogmemsim_version', '(unknown version)')} in dataset "
                         f"format {fmt}; this is cogmemsim {cogmemsim_version()}, which reads "
                         f"formats up to {FORMAT_VERSION}: upgrade cogmemsim to read it")
