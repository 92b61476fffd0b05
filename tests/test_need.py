import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import analysis
import environments as env
from environments import EventStream


def test_counts_by_hand():
    # item 0 at 0, 2, 4; item 1 at 1, 5; item 2 at 3; one-step window, stream ends at 5
    stream = EventStream(time=np.arange(6.0), item=[0, 1, 0, 2, 0, 1])
    need = analysis.need_probability(stream, window=1.0, lags=[1, 2, 3, 4])
    assert list(need["n_at_risk"].values) == [4, 3, 1, 0]
    assert list(need["n_needed"].values) == [0, 2, 0, 0]
    np.testing.assert_allclose(need["need_probability"].values[:3], [0, 2 / 3, 0])
    assert np.isnan(need["need_probability"].values[3])
    # rates over the 5 s span: 3/5, 2/5, 1/5; expected at lag 2: 0.6 + 0.4 + 0.6
    np.testing.assert_allclose(need["n_expected"].values[:3], [1.8, 1.6, 0.4])
    np.testing.assert_allclose(need["need_ratio"].values[1], 2 / 1.6)


def test_wider_window_counts_needs_anywhere_inside_it():
    stream = EventStream(time=[0.0, 3.5, 10.0], item=[0, 0, 1])
    need = analysis.need_probability(stream, window=2.0, lags=[1.0, 2.0, 4.0])
    # item 0 is needed again 3.5 s later: inside [2, 4), not inside [1, 3); at lag 4 it
    # was already needed (not at risk)
    assert list(need["n_needed"].values) == [0, 1, 0]
    assert list(need["n_at_risk"].values) == [2, 2, 1]


def test_dataset_is_labelled():
    need = analysis.need_probability(env.power_law(5000, seed=1))
    assert need["lag"].attrs["units"] == "s" and need.attrs["window"] == 1.0
    assert need.attrs["environment"] == "power_law"
    for name in need.data_vars:
        assert {"long_name", "units"} <= set(need[name].attrs)
    lags = need["lag"].values
    assert lags[0] == 1.0 and np.all(np.diff(lags) > 0) and np.all(lags == np.round(lags))


@pytest.mark.parametrize("exponent", [0.5, 0.75, 1.0, 1.25, 1.5])
def test_power_law_exponent_is_recovered_over_two_decades(exponent):
    stream = env.power_law(1_000_000, exponent=exponent, seed=2)
    fit = analysis.fit_power_law(analysis.need_probability(stream))
    assert float(fit["exponent"]) == pytest.approx(exponent, abs=0.1)
    assert fit.attrs["lag_max"] / fit.attrs["lag_min"] >= 100
    assert float(fit["exponent_lower"]) < float(fit["exponent"]) < float(fit["exponent_upper"])


def test_zipf_shows_no_recency_once_frequency_is_controlled():
    need = analysis.need_probability(env.zipf(300_000, 500, exponent=1.0, seed=1))
    ratio = analysis.fit_power_law(need, variable="need_ratio")
    assert abs(float(ratio["exponent"])) < 0.05
    assert float(ratio["exponent_lower"]) < 0 < float(ratio["exponent_upper"])
    well_measured = need["n_needed"].values >= 100
    np.testing.assert_allclose(need["need_ratio"].values[well_measured], 1.0, atol=0.15)
    # pooled over frequencies, rare items dominate the long lags: the raw curve falls
    assert float(analysis.fit_power_law(need)["exponent"]) > 0.3
    # with equal frequencies there is nothing to confound: the raw curve is flat too
    uniform = analysis.fit_power_law(analysis.need_probability(
        env.zipf(300_000, 500, exponent=0.0, seed=1)))
    assert abs(float(uniform["exponent"])) < 0.05


def test_power_law_keeps_its_recency_once_frequency_is_controlled():
    need = analysis.need_probability(env.power_law(300_000, exponent=1.0, seed=3))
    ratio = analysis.fit_power_law(need, variable="need_ratio")
    assert float(ratio["exponent"]) == pytest.approx(1.0, abs=0.1)


def test_fit_recovers_an_exact_power_law():
    lag = np.geomspace(1, 1000, 12)
    need = xr.Dataset({"need_probability": ("lag", 0.3 * lag ** -0.8),
                       "n_needed": ("lag", np.full(12, 50))}, coords={"lag": lag})
    fit = analysis.fit_power_law(need, lag_min=2, lag_max=500)
    assert float(fit["exponent"]) == pytest.approx(0.8, abs=1e-12)
    assert float(fit["scale"]) == pytest.approx(0.3, rel=1e-12)
    assert float(fit["exponent_upper"]) - float(fit["exponent_lower"]) < 1e-9
    assert fit.attrs["n_lags"] == 8 and 2 <= fit.attrs["lag_min"] < fit.attrs["lag_max"] <= 500


def test_plot_is_log_log_with_the_fit_in_the_legend():
    need = analysis.need_probability(env.power_law(50_000, exponent=1.0, seed=4))
    ax = analysis.plot_need_probability(need, label="power law")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    # all points hollow, the fitted ones filled again, and the line
    assert len(ax.lines) == 3
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 1 and texts[0].startswith("power law: exponent 1.0")
    assert ax.get_xlabel() == "time since last need [s]"
    plt.close(ax.figure)


def test_bad_arguments_name_the_parameter():
    stream = env.power_law(1000, seed=1)
    with pytest.raises(ValueError, match="^stream must be an environments.EventStream"):
        analysis.need_probability(stream.item)
    with pytest.raises(ValueError, match="^window must"):
        analysis.need_probability(stream, window=0.0)
    with pytest.raises(ValueError, match="^lags must"):
        analysis.need_probability(stream, lags=[3, 2])
    with pytest.raises(ValueError, match="^lags must"):
        analysis.need_probability(stream, lags=[0, 2])
    with pytest.raises(ValueError, match="^stream must span"):
        analysis.need_probability(EventStream(time=[1.0, 1.0], item=[0, 1]))
    need = analysis.need_probability(stream)
    with pytest.raises(ValueError, match="^variable must"):
        analysis.fit_power_law(need, variable="p_recall")
    with pytest.raises(ValueError, match="^confidence must"):
        analysis.fit_power_law(need, confidence=1.0)
    with pytest.raises(ValueError, match="^min_needed must"):
        analysis.fit_power_law(need, min_needed=0)
    with pytest.raises(ValueError, match="^need must have at least 3 lags"):
        analysis.fit_power_law(need, lag_min=1e9)
    with pytest.raises(ValueError, match="^need must be"):
        analysis.fit_power_law(stream)
