"""Analysis: retention curves, plots and I/O over the datasets the simulator produces.

Analysis knows nothing of kernels: it works on xarray datasets.
"""
from environments.version import cogmemsim_version as _cogmemsim_version
from analysis import datasets
from analysis.evaluate import evaluate, plot_calibration
from analysis.capacity import capacity_scan, plot_capacity
from analysis.continual import continual_metrics, plot_task_matrix
from analysis.fit_agent import fit_agent, recall_counts
from analysis.fit_spacing import fit_spacing, plot_spacing_fit
from analysis.fitting import fit_forgetting
from analysis.io import load, save
from analysis.optimal_retention import optimal_retention, plot_optimal_retention
from analysis.need import fit_power_law, need_probability, plot_need_probability
from analysis.plots import plot_fit_comparison, plot_forgetting, plot_retention, plot_retention_grid
from analysis.plots import plot_sweep
from analysis.plot_probes import plot_probe_accuracy
from analysis.retention import retention_curve
from analysis.stability import paired_differences, plot_stability_gap, stability_gap
from analysis.scheduling import plot_optimal_interval, plot_spacing, plot_workload_retention
from analysis.scheduling import spacing_curves, view_batch_comparison, workload_retention

__version__ = _cogmemsim_version()

__all__ = [
    "capacity_scan",
    "continual_metrics",
    "datasets",
    "evaluate",
    "fit_agent",
    "fit_forgetting",
    "fit_spacing",
    "fit_power_law",
    "load",
    "need_probability",
    "paired_differences",
    "plot_calibration",
    "plot_capacity",
    "plot_fit_comparison",
    "plot_forgetting",
    "plot_need_probability",
    "optimal_retention",
    "plot_optimal_interval",
    "plot_optimal_retention",
    "plot_probe_accuracy",
    "plot_retention",
    "plot_spacing_fit",
    "plot_retention_grid",
    "plot_spacing",
    "plot_stability_gap",
    "plot_sweep",
    "plot_task_matrix",
    "plot_workload_retention",
    "recall_counts",
    "retention_curve",
    "save",
    "spacing_curves",
    "stability_gap",
    "view_batch_comparison",
    "workload_retention",
]
