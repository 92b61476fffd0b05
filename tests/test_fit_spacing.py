import numpy as np
import pytest
import xarray as xr

import analysis
import simulator
from analysis import datasets

PAVLIK_ANDERSON = simulator.ACTR(spacing_scale=0.217, spacing_intercept=0.177, threshold=-0.704,
                                 noise=0.255, intersession_scale=0.025)


def test_cepeda2008_values_are_the_cited_figure_points():
    data = datasets.load_cepeda2008()
    recall = data["recall"]
    assert recall.dims == ("retention_interval", "gap")
    np.testing.assert_array_equal(data["retention_interval"], [7, 35, 70, 350])
    np.testing.assert_array_equal(data["gap"], [0, 1, 2, 4, 7, 11, 14, 21, 35, 70, 105])
    # spot values, Mozer et al. (2009) Figure 2d (Cepeda et al. 2008), percent / 100
    for interval, gap, value in [(7, 1, 0.973), (7, 105, 0.806), (35, 11, 0.819),
                                 (70, 14, 0.513), (70, 21, 0.612), (350, 0, 0.124),
                                 (350, 21, 0.219), (350, 70, 0.206)]:
        assert recall.sel(retention_interval=interval, gap=gap) == pytest.approx(value)
    assert int(data["tested"].sum()) == 26  # the study's 26 conditions
    assert np.isnan(recall.sel(retention_interval=7, gap=4))
    # the recall optima the 2008 paper reports: 1, 11, 21 and 21 days
    np.testing.assert_array_equal(data["best_gap"], [1, 11, 21, 21])
    assert "Psychological Science, 19(11), 1095-1102" in data.attrs["source"]
    assert "Figure 2d" in data.attrs["read_from"] and "Figure 2d" in datasets.load_cepeda2008.__doc__
    for name in ("recall", "best_gap", "gap", "retention_interval"):
        assert data[name].attrs["long_name"] and data[name].attrs["units"]


def test_pavlik_anderson_fit_beats_no_spacing_and_grows_the_optimal_gap():
    data = datasets.load_cepeda2008()
    fit = analysis.fit_spacing(PAVLIK_ANDERSON, data)
    # no spacing model: constant decay, clock time
    baseline = analysis.fit_spacing(simulator.ACTR(threshold=-0.7), data,
                                    free=("decay", "threshold", "noise"))
    assert fit.attrs["converged"] and baseline.attrs["converged"]
    assert fit.attrs["sse"] < 0.5 * baseline.attrs["sse"]
    assert fit.attrs["rmse"] < 0.05
    gap = fit["optimal_gap"].values
    assert np.all(np.diff(gap) > 0)                  # the ridgeline: optimum grows with RI
    assert np.all(np.diff(gap / data["retention_interval"].values) < 0)  # ratio falls
    # constant decay: recall only falls with the gap, so its optimum is the smallest gap
    np.testing.assert_allclose(baseline["optimal_gap"].values * 86400, 60.0)
    tested = data["tested"].values
    assert np.all(np.isfinite(fit["predicted"].values[tested]))
    assert np.all(np.isnan(fit["predicted"].values[~tested]))
    figure = analysis.plot_spacing_fit(fit, PAVLIK_ANDERSON)
    assert len(figure.axes) == 2 and len(figure.axes[0].lines) == 3 * 4


def test_fit_spacing_rejects_data_without_the_grid():
    with pytest.raises(ValueError, match="recall over"):
        analysis.fit_spacing(PAVLIK_ANDERSON, xr.Dataset())
    data = datasets.load_cepeda2008()
    with pytest.raises(ValueError, match="massed_gap"):
        analysis.fit_spacing(PAVLIK_ANDERSON, data, massed_gap=1.0)
