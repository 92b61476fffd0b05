"""Analysis: retention curves, plots and I/O over the datasets the simulator produces.

Analysis knows nothing of kernels: it works on xarray datasets.
"""
from .capacity import capacity_scan, plot_capacity
from .continual import continual_metrics, plot_task_matrix
from .io import load, save
from .plots import plot_retention, plot_retention_grid
from .retention import retention_curve

__all__ = ["capacity_scan", "continual_metrics", "load", "plot_capacity", "plot_retention",
           "plot_retention_grid", "plot_task_matrix", "retention_curve", "save"]
