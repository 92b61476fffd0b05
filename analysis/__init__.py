"""Analysis: retention curves, plots and I/O over the datasets the simulator produces.

Analysis knows nothing of kernels: it works on xarray datasets.
"""
from . import datasets
from .capacity import capacity_scan, plot_capacity
from .continual import continual_metrics, plot_task_matrix
from .fit_agent import fit_agent, recall_counts
from .fitting import fit_forgetting
from .io import load, save
from .need import fit_power_law, need_probability, plot_need_probability
from .plots import plot_fit_comparison, plot_forgetting, plot_retention, plot_retention_grid
from .plots import plot_sweep
from .retention import retention_curve
from .scheduling import plot_optimal_interval, plot_spacing, plot_workload_retention
from .scheduling import spacing_curves, view_batch_comparison, workload_retention

__all__ = [
    "capacity_scan",
    "continual_metrics",
    "datasets",
    "fit_agent",
    "fit_forgetting",
    "fit_power_law",
    "load",
    "need_probability",
    "plot_capacity",
    "plot_fit_comparison",
    "plot_forgetting",
    "plot_need_probability",
    "plot_optimal_interval",
    "plot_retention",
    "plot_retention_grid",
    "plot_spacing",
    "plot_sweep",
    "plot_task_matrix",
    "plot_workload_retention",
    "recall_counts",
    "retention_curve",
    "save",
    "spacing_curves",
    "view_batch_comparison",
    "workload_retention",
]
