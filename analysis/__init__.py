"""Analysis: retention curves, plots and I/O over the datasets the simulator produces.

Analysis knows nothing of kernels: it works on xarray datasets.
"""
from . import datasets
from .fit_agent import fit_agent, recall_counts
from .fitting import fit_forgetting
from .io import load, save
from .plots import plot_fit_comparison, plot_forgetting, plot_retention, plot_retention_grid
from .plots import plot_sweep
from .retention import retention_curve

__all__ = [
    "datasets",
    "fit_agent",
    "fit_forgetting",
    "load",
    "plot_fit_comparison",
    "plot_forgetting",
    "plot_retention",
    "plot_retention_grid",
    "plot_sweep",
    "recall_counts",
    "retention_curve",
    "save",
]
