import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import analysis
import environments as env
import simulator
from simulator.reductions import lag_bin_means


@pytest.fixture(scope="module")
def run_ds():
    return simulator.run(simulator.ACTR(), env.power_law(20_000, seed=2), seed=3)


def test_retention_curve_is_the_mean_per_lag_bin(run_ds):
    edges = np.array([1, 3, 10, 100, 1000, 20_000.0])
    curve = analysis.retention_curve(run_ds, bins=edges)
    lag, p = run_ds["lag"].values, run_ds["p_recall"].values
    for k in range(len(edges) - 1):
        inside = (lag >= edges[k]) & (lag < edges[k + 1])
        assert curve.values[k] == pytest.approx(p[inside].mean(), rel=1e-12)
        assert curve["n_events"].values[k] == inside.sum()
    np.testing.assert_allclose(curve["lag"], np.sqrt(edges[:-1] * edges[1:]))
    assert curve.attrs["long_name"] == "recall probability" and curve.attrs["units"] == "1"
    assert curve["lag"].attrs["units"] == "s"


def test_default_bins_span_the_lags_and_forgetting_is_monotone(run_ds):
    curve = analysis.retention_curve(run_ds)
    assert curve.sizes["lag"] == 20
    assert int(curve["n_events"].sum()) == int(np.isfinite(run_ds["lag"]).sum())
    filled = curve.values[curve["n_events"].values >= 50]
    assert np.all(np.diff(filled) < 0)  # recall falls with the retention interval


def test_retention_curve_keeps_other_dims(run_ds):
    other = simulator.run(simulator.ACTR(decay=0.7), env.power_law(20_000, seed=2), seed=3)
    stacked = xr.concat([run_ds, other], dim=xr.DataArray([0.5, 0.7], dims="decay", name="decay"))
    curve = analysis.retention_curve(stacked, bins=np.geomspace(1, 2e4, 8))
    assert curve.dims == ("decay", "lag")
    single = analysis.retention_curve(other, bins=np.geomspace(1, 2e4, 8))
    np.testing.assert_allclose(curve.sel(decay=0.7), single)
    assert np.all(curve.sel(decay=0.7) <= curve.sel(decay=0.5) + 1e-12)


def test_kind_selects_tests_only():
    stream = env.EventStream(time=[0, 1, 2, 10], item=[0, 0, 0, 0], kind=[0, 1, 0, 1])
    ds = simulator.run(simulator.ACTR(), stream, seed=0)
    curve = analysis.retention_curve(ds, bins=[0.5, 2, 20], kind="test")
    assert list(curve["n_events"].values) == [1, 1]
    with pytest.raises(ValueError, match="^kind"):
        analysis.retention_curve(ds, kind="probe")


def test_lag_bin_means_vectorised_rows_equal_single_rows():
    rng = np.random.default_rng(0)
    lag = rng.exponential(100, (3, 500))
    lag[:, ::7] = np.nan
    values = rng.random((3, 500))
    edges = np.geomspace(0.1, 1000, 9)
    means, counts = lag_bin_means(lag, values, edges)
    for r in range(3):
        m, c = lag_bin_means(lag[r], values[r], edges)
        np.testing.assert_array_equal(means[r], m)
        np.testing.assert_array_equal(counts[r], c)


def test_lag_bin_means_shares_one_lag_between_value_rows():
    rng = np.random.default_rng(1)
    lag = rng.exponential(100, 500)
    lag[::7] = np.nan
    lag[::11] = 5000.0  # beyond the last edge
    values = rng.random((2, 500))
    values[1, ::5] = np.nan  # rows leave out different events
    edges = np.geomspace(0.1, 1000, 9)
    means, counts = lag_bin_means(lag, values, edges)
    for r in range(2):
        keep = ~np.isnan(lag) & ~np.isnan(values[r]) & (lag >= 0.1) & (lag < 1000)
        index = np.searchsorted(edges, lag[keep], side="right") - 1
        expected_counts = np.bincount(index, minlength=8)
        np.testing.assert_array_equal(counts[r], expected_counts)
        # an empty bin's mean is NaN (its count is 0)
        expected = [values[r][keep][index == k].mean() if expected_counts[k] else np.nan
                    for k in range(8)]
        np.testing.assert_allclose(means[r], expected, rtol=1e-12)
    assert counts[0].sum() > counts[1].sum()


@pytest.mark.parametrize("bins, message", [
    (0, "^bins"), ([5.0], "^bins"), ([1, 1, 2], "^bins"), ([-1, 2], "^bins")])
def test_bad_bins(run_ds, bins, message):
    with pytest.raises(ValueError, match=message):
        analysis.retention_curve(run_ds, bins=bins)


def test_retention_curve_needs_per_event_data():
    with pytest.raises(ValueError, match="retention_curve needs the variable"):
        analysis.retention_curve(xr.Dataset({"x": ("a", [1.0])}))


def test_plot_retention_draws_log_axis_with_labels_and_bands(run_ds):
    curve = analysis.retention_curve(run_ds, bins=np.geomspace(1, 2e4, 10))
    reps = xr.concat([curve, curve * 0.9, curve * 0.8], dim="replicate")
    ax = analysis.plot_retention(reps)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "retention interval [s]"
    assert ax.get_ylabel() == "recall probability"
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), curve.values * 0.9)  # the replicate mean
    assert len(ax.collections) == 1  # the band
    plt.close(ax.figure)
    ax = analysis.plot_retention(run_ds)  # per-event data is turned into a curve first
    # one curve; bins resting on few events are re-drawn as hollow markers, no line
    assert len([line for line in ax.get_lines() if line.get_linestyle() != "None"]) == 1
    plt.close(ax.figure)


def test_save_and_load_round_trip(tmp_path, run_ds):
    analysis.save(run_ds, tmp_path / "run.nc")
    xr.testing.assert_identical(analysis.load(tmp_path / "run.nc"), run_ds)
    curve = analysis.retention_curve(run_ds)
    analysis.save(curve, tmp_path / "curve.nc")
    assert "p_recall" in analysis.load(tmp_path / "curve.nc")


def test_save_and_load_zarr(tmp_path, run_ds):
    pytest.importorskip("zarr")
    analysis.save(run_ds, tmp_path / "run.zarr")
    xr.testing.assert_identical(analysis.load(tmp_path / "run.zarr"), run_ds)


def test_save_rejects_unknown_suffix_and_missing_files(tmp_path, run_ds):
    with pytest.raises(ValueError, match="^path must end"):
        analysis.save(run_ds, tmp_path / "run.csv")
    with pytest.raises(ValueError, match="^path does not exist"):
        analysis.load(tmp_path / "missing.nc")
