"""analysis.stability_gap and analysis.paired_differences on hand-computed inputs."""
import numpy as np
import pytest
import xarray as xr
from scipy import stats

import analysis

# two tasks, four probes each (every 10 s); task 0 learned to 0.9, dips to 0.3 two probes
# after the switch, regains 0.7 by the next probe and ends at 0.8
ACC = xr.DataArray(np.array([[0.3, 0.6, 0.8, 0.9, 0.5, 0.3, 0.7, 0.8],
                             [0.1, 0.1, 0.1, 0.1, 0.4, 0.6, 0.8, 0.9]]).T,
                   dims=("probe", "task"),
                   coords={"probe_time": ("probe", 10.0 * np.arange(1, 9), {"units": "s"})})


def test_gap_of_a_hand_computed_matrix():
    gap = analysis.stability_gap(ACC)
    s0 = gap.sel(switch=1, task=0)
    np.testing.assert_allclose(s0["depth"], 0.9 - 0.3)
    np.testing.assert_allclose(s0["time_to_minimum"], 60.0 - 40.0)
    # half recovery: 0.3 + 0.5 * 0.6 = 0.6, first reached at probe 7 (70 s)
    np.testing.assert_allclose(s0["duration"], 70.0 - 40.0)
    assert s0["recovered"] == 1
    np.testing.assert_allclose(s0["recovery"], 0.8 - 0.3)
    np.testing.assert_allclose(s0["final_drop"], 0.9 - 0.8)
    assert np.isnan(gap["depth"].sel(switch=1, task=1))  # not an earlier task
    np.testing.assert_allclose(gap["gap_depth"], 0.6)
    np.testing.assert_allclose(gap["old_task_accuracy"], [0.9, 0.5, 0.3, 0.7, 0.8])
    np.testing.assert_allclose(gap["time_since_switch"], [0, 10, 20, 30, 40])
    # never regaining 95 % of the depth: censored at the window's end
    strict = analysis.stability_gap(ACC, recover=0.95).sel(switch=1, task=0)
    assert strict["recovered"] == 0 and strict["duration"] == 40.0
    for name, var in gap.variables.items():
        if name not in gap.dims:
            assert var.attrs["long_name"] and var.attrs["units"], name
    assert gap["duration"].attrs["units"] == "s"
    with pytest.raises(ValueError, match="recover"):
        analysis.stability_gap(ACC, recover=0)


def test_paired_differences_match_scipy_ttest():
    rng = np.random.default_rng(0)
    base = rng.random(6)
    values = xr.DataArray(np.stack([base, base + 0.1 + 0.05 * rng.standard_normal(6)]),
                          dims=("regime", "replicate"), coords={"regime": ["a", "b"]},
                          attrs={"units": "1", "long_name": "accuracy"})
    out = analysis.paired_differences(values, "regime", "a").sel(regime="b")
    diff = values.sel(regime="b") - values.sel(regime="a")
    test = stats.ttest_rel(values.sel(regime="b"), values.sel(regime="a"))
    np.testing.assert_allclose(out["mean_difference"], diff.mean())
    np.testing.assert_allclose(out["p_value"], test.pvalue)
    ci = test.confidence_interval(0.95)
    np.testing.assert_allclose([out["ci_low"], out["ci_high"]], [ci.low, ci.high])
    with pytest.raises(ValueError, match="reference"):
        analysis.paired_differences(values, "regime", "c")
