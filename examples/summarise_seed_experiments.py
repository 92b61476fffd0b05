"""Small summaries of the view-batch, stability-gap, power-vs-uniform and HLOP sweeps.

Run the six sweeps first (each writes a Zarr store; see the configs' headers):

    cogmemsim sweep examples/sweep_view_batch_continual.toml --out RESULTS/view_batch_continual.zarr
    cogmemsim sweep examples/sweep_view_batch_augmented.toml --out RESULTS/view_batch_augmented.zarr
    cogmemsim sweep examples/sweep_stability_gap.toml --out RESULTS/stability_gap.zarr
    cogmemsim sweep examples/sweep_power_vs_uniform.toml --out RESULTS/power_vs_uniform.zarr
    cogmemsim sweep examples/sweep_power_vs_uniform_budget.toml \
        --out RESULTS/power_vs_uniform_budget.zarr
    cogmemsim sweep examples/sweep_hlop.toml --out RESULTS/hlop.zarr

then

    python examples/summarise_seed_experiments.py RESULTS notebooks/data

writes the per-run metrics (a few kB each) that notebooks/11_seed_experiments.ipynb reads.
"""
import pathlib
import sys

import numpy as np
import xarray as xr

import analysis

METRICS = ["average_accuracy", "forgetting", "backward_transfer", "min_acc"]


def learning_accuracy(acc, learned_at):
    """Mean over tasks of A[l_k, k]: each task's accuracy when its training ends
    (the plasticity a method keeps)."""
    values = np.stack([acc.isel(probe=int(p), task=k) for k, p in enumerate(learned_at)], -1)
    return xr.DataArray(values.mean(-1), dims=acc.isel(probe=0, task=0).dims,
                        attrs={"long_name": "learning accuracy (A[l_k, k] averaged)",
                               "units": "1"})


def main(results, out):
    results, out = pathlib.Path(results), pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summaries, sweeps = {}, {}

    ds = analysis.load(results / "view_batch_continual.zarr")
    sweeps["view_batch_continual"] = ds.attrs.get("sweep", "")
    summaries["view_batch_continual"] = analysis.continual_metrics(ds)[METRICS]

    ds = analysis.load(results / "view_batch_augmented.zarr")
    sweeps["view_batch_augmented"] = ds.attrs.get("sweep", "")
    summaries["view_batch_augmented"] = analysis.continual_metrics(ds)[METRICS]

    ds = analysis.load(results / "power_vs_uniform.zarr")
    sweeps["power_vs_uniform"] = ds.attrs.get("sweep", "")
    summaries["power_vs_uniform"] = xr.concat(
        [analysis.continual_metrics(ds.sel(n_tasks=n))[METRICS] for n in ds["n_tasks"].values],
        "n_tasks")

    ds = analysis.load(results / "power_vs_uniform_budget.zarr")
    sweeps["power_vs_uniform_budget"] = ds.attrs.get("sweep", "")
    summaries["power_vs_uniform_budget"] = xr.concat(
        [xr.concat([analysis.continual_metrics(ds.sel(n_tasks=n, rehearsal_fraction=b))[METRICS]
                    for b in ds["rehearsal_fraction"].values], "rehearsal_fraction")
         for n in ds["n_tasks"].values], "n_tasks")

    ds = analysis.load(results / "stability_gap.zarr")
    sweeps["stability_gap"] = ds.attrs.get("sweep", "")
    gap = analysis.stability_gap(ds)
    summaries["stability_gap"] = gap[[v for v in gap.data_vars if v.startswith("gap_")]
                                     + ["old_task_accuracy"]]

    ds = analysis.load(results / "hlop.zarr")
    sweeps["hlop"] = ds.attrs.get("sweep", "")
    metrics = analysis.continual_metrics(ds)
    summary = metrics[METRICS]
    summary["learning_accuracy"] = learning_accuracy(ds["probe_accuracy"],
                                                     metrics["learned_at"].values)
    summaries["hlop"] = summary

    for name, summary in summaries.items():
        summary = summary.drop_vars([c for c in summary.coords
                                    if c not in summary.dims and c != "time_since_switch"])
        summary.attrs = {"source": f"examples/summarise_seed_experiments.py from {name}.zarr",
                         "sweep": sweeps[name]}
        summary.to_netcdf(out / f"{name}.nc")
        print(name, dict(summary.sizes))


if __name__ == "__main__":
    main(*sys.argv[1:3])
