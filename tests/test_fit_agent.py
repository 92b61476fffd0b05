import numpy as np
import pytest
import xarray as xr

import analysis
import environments as env
import simulator

INTERVALS = np.geomspace(30, 86400, 8)


def retention_design(intervals, items_per_cell, study_sessions):
    """Each item studied at the times of one session pattern, tested once at one interval."""
    time, item, kind = [], [], []
    for session in study_sessions:
        for interval in intervals:
            for _ in range(items_per_cell):
                n = len(set(item))
                time += list(session) + [session[-1] + interval]
                item += [n] * (len(session) + 1)
                kind += [env.STUDY] * len(session) + [env.TEST]
    order = np.argsort(time, kind="stable")
    return env.EventStream(np.array(time)[order], np.array(item)[order], np.array(kind)[order])


@pytest.fixture(scope="module")
def design():
    # items studied once or four times (every 5 min), tested 30 s .. 1 day later:
    # the gap between the two curves (ln 4 / noise) separates noise from decay
    return retention_design(INTERVALS, 100, [(0.0,), (0.0, 300.0, 600.0, 900.0)])


def test_recall_counts_group_tests_by_condition(design):
    ds = simulator.run(simulator.ACTR(threshold=-2.0, noise=0.4), design, seed=1)
    counts = analysis.recall_counts(ds)
    assert counts.sizes["lag"] == 16
    assert set(counts["n_prior"].values) == {1, 4}
    assert (counts["n_trials"] == 100).all()
    tests = ds.where(ds["kind"] == env.TEST, drop=True)
    assert counts.sum() == tests["recalled"].sum()
    np.testing.assert_allclose(np.sort(np.unique(counts["lag"])), INTERVALS, rtol=1e-9)


def test_binomial_fit_recovers_act_r_parameters(design):
    truth = simulator.ACTR(decay=0.5, threshold=-2.0, noise=0.4)
    data = simulator.run(truth, design, seed=2)
    fit = analysis.fit_agent(simulator.ACTR(), data, schedule=design)
    assert fit.attrs["method"] == "binomial maximum likelihood" and fit.attrs["converged"]
    assert fit["estimate"].sel(parameter="decay") == pytest.approx(0.5, abs=0.05)
    for name in ("decay", "threshold", "noise"):
        one = fit.sel(parameter=name)
        assert one["ci_lower"] < getattr(truth, name) < one["ci_upper"], name
        assert 0 < one["std_error"] < 0.5, name
    np.testing.assert_allclose(fit["ci_upper"] - fit["estimate"], 1.959964 * fit["std_error"],
                               rtol=1e-5)
    assert fit.attrs["agent_decay"] == pytest.approx(float(fit["estimate"][0]))
    assert fit.attrs["log_likelihood"] < 0
    assert (fit["predicted"] >= 0).all() and (fit["predicted"] <= 1).all()


def test_least_squares_on_exact_proportions_is_exact(design):
    truth = simulator.ACTR(decay=0.45, threshold=-1.5, noise=0.5)
    ds = simulator.run(truth, design, seed=0)
    tested = ds.where(ds["kind"] == env.TEST, drop=True)
    # the analytic recall probability per condition is the noiseless proportion
    counts = analysis.recall_counts(ds)
    p = [float(tested["p_recall"].where((abs(tested["lag"] - lag) < 1e-6)
                                        & (tested["n_prior"] == prior)).mean())
         for lag, prior in zip(counts["lag"].values, counts["n_prior"].values)]
    observed = xr.DataArray(p, dims="lag", coords={"lag": counts["lag"],
                                                   "n_prior": counts["n_prior"]})
    fit = analysis.fit_agent(simulator.ACTR(), observed, schedule=design)
    assert fit.attrs["method"] == "least squares"
    np.testing.assert_allclose(fit["estimate"], [0.45, -1.5, 0.5], atol=2e-3)
    assert fit.attrs["sse"] < 1e-8


def test_single_study_fit_is_a_logistic_regression_in_log_time():
    # one presentation: logit p = -(decay / noise) ln t - threshold / noise, so with the
    # noise fixed the maximum-likelihood fit is the logistic regression on ln t
    schedule = retention_design(INTERVALS, 1, [(0.0,)])
    recalled = np.array([46.0, 41, 33, 30, 22, 15, 12, 6])
    trials = 50
    data = xr.DataArray(recalled, dims="lag", coords={"lag": INTERVALS})
    noise = 0.4
    fit = analysis.fit_agent(simulator.ACTR(noise=noise), data, free=("decay", "threshold"),
                             schedule=schedule, n_trials=trials)
    design = np.column_stack([np.ones_like(INTERVALS), np.log(INTERVALS)])
    beta = np.zeros(2)
    for _ in range(50):  # Newton-Raphson (IRLS) for the binomial GLM
        p = 1 / (1 + np.exp(-design @ beta))
        information = design.T @ (design * (trials * p * (1 - p))[:, None])
        beta = beta + np.linalg.solve(information, design.T @ (recalled - trials * p))
    se = np.sqrt(np.diag(np.linalg.inv(information)))
    np.testing.assert_allclose(fit["estimate"], [-beta[1] * noise, -beta[0] * noise], rtol=1e-4)
    np.testing.assert_allclose(fit["std_error"], [se[1] * noise, se[0] * noise], rtol=1e-3)


@pytest.mark.parametrize("kwargs, message", [
    ({"free": ("decay", "speed")}, "^free must"),
    ({"free": ("test_is_presentation",)}, "^free must"),
    ({"schedule": None}, "^schedule must be an environments.EventStream"),
    ({"n_trials": 2}, "^data must be recall counts"),
    ({"confidence": 1.5}, r"^confidence must be in \(0.0, 1.0\)"),
    ({"bounds": {"latency_factor": (0, 1)}}, "^bounds must name free parameters"),
])
def test_bad_arguments(kwargs, message):
    schedule = retention_design(INTERVALS[:4], 1, [(0.0,)])
    data = xr.DataArray([5.0, 4, 3, 2], dims="lag", coords={"lag": INTERVALS[:4]})
    arguments = {"schedule": schedule, "n_trials": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        analysis.fit_agent(simulator.ACTR(), data, **arguments)


def test_data_must_match_the_schedule():
    schedule = retention_design(INTERVALS[:3], 1, [(0.0,)])
    data = xr.DataArray([0.5, 0.4], dims="lag", coords={"lag": [30.0, 77.0]})
    with pytest.raises(ValueError, match="^schedule has no TEST event at retention interval 77"):
        analysis.fit_agent(simulator.ACTR(), data, free="decay", schedule=schedule)
    with pytest.raises(ValueError, match=r"^data must be proportions in \[0, 1\]"):
        analysis.fit_agent(simulator.ACTR(), data * 3, schedule=schedule)
    with pytest.raises(ValueError, match=r"^data must have more retention intervals \(2\) than "
                                         r"free parameters \(3\)"):
        analysis.fit_agent(simulator.ACTR(), data, schedule=schedule)
    study_only = env.EventStream([0.0, 1.0], [0, 0])
    with pytest.raises(ValueError, match="^schedule must hold TEST events"):
        analysis.fit_agent(simulator.ACTR(), data, free="decay", schedule=study_only)


def test_least_squares_on_proportions_matches_curve_fit_of_the_closed_form():
    from scipy.optimize import curve_fit
    schedule = retention_design(INTERVALS, 1, [(0.0,)])
    observed = np.array([0.93, 0.80, 0.71, 0.55, 0.46, 0.30, 0.26, 0.11])
    noise = 0.4
    data = xr.DataArray(observed, dims="lag", coords={"lag": INTERVALS})
    fit = analysis.fit_agent(simulator.ACTR(noise=noise), data, free=("decay", "threshold"),
                             schedule=schedule)

    def recall(t, decay, threshold):  # one presentation: A = -decay ln t
        return 1 / (1 + np.exp(-(-decay * np.log(t) - threshold) / noise))

    estimate, covariance = curve_fit(recall, INTERVALS, observed, p0=(0.3, -1.0))
    np.testing.assert_allclose(fit["estimate"], estimate, rtol=1e-4)
    np.testing.assert_allclose(fit["std_error"], np.sqrt(np.diag(covariance)), rtol=1e-3)
    sse = np.sum((observed - recall(INTERVALS, *estimate)) ** 2)
    assert fit.attrs["sse"] == pytest.approx(sse, rel=1e-6)
