"""Saving and loading datasets: NetCDF by ``.nc``, Zarr by ``.zarr``."""
import pathlib

import xarray as xr


def _format(path):
    suffix = pathlib.Path(path).suffix.lower()
    if suffix in (".nc", ".nc4", ".netcdf"):
        return "netcdf"
    if suffix == ".zarr":
        return "zarr"
    raise ValueError(f"path must end in .nc (NetCDF) or .zarr (Zarr), got {str(path)!r}")


def _require_zarr():
    try:
        import zarr  # noqa: F401
    except ImportError:
        raise ValueError("saving to .zarr needs zarr: pip install 'cogmemsim[dask]'") from None


def save(ds, path):
    """Write a Dataset (or named DataArray) to ``path``: NetCDF-4 for ``.nc``, Zarr for ``.zarr``.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        What to write (a DataArray is stored under its name, or ``"data"``).
    path : str or pathlib.Path
        Target file; its suffix (``.nc`` or ``.zarr``) chooses the format.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if isinstance(ds, xr.DataArray):
        ds = ds.to_dataset(name=ds.name or "data", promote_attrs=True)
    if not isinstance(ds, xr.Dataset):
        raise ValueError(f"ds must be an xarray Dataset or DataArray, got {type(ds).__name__}")
    fmt = _format(path)
    if fmt == "netcdf":
        ds.to_netcdf(path, engine="netcdf4")
    else:
        _require_zarr()
        ds.to_zarr(path, mode="w", consolidated=False)
    return pathlib.Path(path)


def load(path):
    """Read a Dataset saved by :func:`save` (fully into memory for NetCDF).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.nc`` (NetCDF-4) or ``.zarr`` store written by :func:`save`, the
        command line or a sweep.

    Returns
    -------
    xarray.Dataset
    """
    fmt = _format(path)
    if not pathlib.Path(path).exists():
        raise ValueError(f"path does not exist: {str(path)!r}")
    if fmt == "netcdf":
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()
    _require_zarr()
    return xr.open_zarr(path, consolidated=False).load()
