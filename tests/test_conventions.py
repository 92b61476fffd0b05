"""Dataset conventions: CF ``Conventions`` attr, pint-parsable units, CF ``bounds`` for bins."""
import numpy as np
import pytest

import analysis
import environments as env
import simulator
from simulator.cli.demo import demo_retention

pint = pytest.importorskip("pint")
UNITS = pint.UnitRegistry()


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    stream = env.power_law(2_000, exponent=1.0, seed=1)
    run = simulator.run(simulator.ACTR(), stream, seed=2)
    store = tmp_path_factory.mktemp("store") / "sweep.zarr"
    simulator.sweep(simulator.ACTR, env.power_law, grid={"decay": [0.4, 0.6]}, replicates=2,
                    seed=3, environment_kwargs={"n_events": 1_000}, backend="serial",
                    store=store, progress=False)
    return {"run": run, "curve": analysis.retention_curve(run).to_dataset(),
            "sweep": analysis.load(store), "demo": demo_retention(2_000, progress=False)}


@pytest.mark.parametrize("name", ["run", "sweep", "demo"])
def test_conventions_attr(datasets, name):
    assert datasets[name].attrs["Conventions"] == "CF-1.8"


@pytest.mark.parametrize("name", ["run", "curve", "sweep", "demo"])
def test_every_unit_parses_with_pint(datasets, name):
    ds = datasets[name]
    for key, var in {**ds.coords, **ds.data_vars}.items():
        if "units" in var.attrs:
            UNITS.parse_units(var.attrs["units"].replace("%", "percent"))  # raises if not


@pytest.mark.parametrize("name", ["sweep", "demo"])
def test_lag_bins_have_cf_bounds(datasets, name):
    ds = datasets[name]
    assert ds["lag"].attrs["bounds"] == "lag_bounds"
    bounds = ds["lag_bounds"]
    assert bounds.dims == ("lag", "bounds") and bounds.attrs["units"] == ds["lag"].attrs["units"]
    low, high = bounds.values.T
    assert np.all(low < ds["lag"].values) and np.all(ds["lag"].values < high)
    np.testing.assert_allclose(low[1:], high[:-1])  # contiguous bins
