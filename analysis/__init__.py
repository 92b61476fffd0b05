"""Analysis: retention curves, plots and I/O over the datasets the simulator produces.

Analysis knows nothing of kernels: it works on xarray datasets.
"""
from .io import load, save
from .need import fit_power_law, need_probability, plot_need_probability
from .plots import plot_retention, plot_retention_grid
from .retention import retention_curve

__all__ = [
    "fit_power_law",
    "load",
    "need_probability",
    "plot_need_probability",
    "plot_retention",
    "plot_retention_grid",
    "retention_curve",
    "save",
]
