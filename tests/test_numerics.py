"""No +inf or NaN from parameters inside their declared ranges (hypothesis over the ranges)."""
import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
import analysis.fitting
import environments
import simulator
from environments import EventStream
from simulator.models.actr._multiscale_kernels import MS_TRACES, multiscale_coefficients

FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def declared(spec):
    """A strategy drawing from a parameter's whole declared range (finite floats)."""
    if spec["choices"] is not None:
        return st.sampled_from(spec["choices"])
    if spec["integer"]:
        return st.integers(spec["low"] if spec["low"] is not None else -2 ** 31,
                           spec["high"] if spec["high"] is not None else 2 ** 31)
    return st.floats(min_value=spec["low"], max_value=spec["high"],
                     exclude_min=spec["low_open"] and spec["low"] is not None,
                     exclude_max=spec["high_open"] and spec["high"] is not None,
                     allow_nan=False, allow_infinity=False)


def model_parameters(cls, **fixed):
    specs = {f.name: f.metadata["parameter"] for f in dataclasses.fields(cls)
             if "parameter" in f.metadata and f.name not in fixed}
    return st.fixed_dictionaries({name: declared(spec) for name, spec in specs.items()})


def build(cls, kwargs):
    """The model, or None when a cross-parameter rule refuses it (with a named ValueError)."""
    try:
        return cls(**kwargs)
    except ValueError as error:
        assert any(name in str(error) for name in kwargs), error
        return None


# massed sub-second presentations, tests, long gaps, items seen once
ACTR_STREAM = EventStream(
    time=np.concatenate([np.arange(12) * 0.1, [1.25, 3.0, 60.0, 60.01, 4e4, 1e8]]),
    item=np.array([0] * 12 + [1, 0, 2, 2, 0, 1]),
    kind=np.array([0] * 12 + [1, 1, 0, 1, 1, 1], np.int8),
    context=np.array([0] * 12 + [1, 1, 2, 2, 3, 4]))


@FAST
@given(model_parameters(simulator.ACTR))
def test_actr_outputs_are_finite_over_the_declared_ranges(kwargs):
    agent = build(simulator.ACTR, kwargs)
    if agent is None:
        return
    ds = simulator.run(agent, ACTR_STREAM, seed=1, probe_times=[0.55, 2e8])
    activation = ds.activation.values
    first = ds.n_prior.values == 0
    assert not np.isnan(activation).any() and not np.isposinf(activation).any()
    # -inf only before an item's first presentation (nothing to recall)
    assert np.isfinite(activation[~first]).all(), activation
    for name in ("p_recall", "latency"):
        assert np.isfinite(ds[name].values).all(), (name, ds[name].values)
    assert ((ds.p_recall >= 0) & (ds.p_recall <= 1)).all()
    assert np.isfinite(ds.probe_accuracy.values).all()


def test_pavlik_anderson_fit_stays_finite_on_sub_second_massed_practice():
    # their published fit on 50 presentations 0.1 s apart: with ages of at least 1 s every
    # term t**-d_i is <= 1, and m_k = ln k exactly while every age is <= 1 s (k <= 10)
    stream = environments.massed(1, 50, [100.0], presentation_time=0.1)
    agent = simulator.ACTR(spacing_scale=0.217, spacing_intercept=0.177)
    ds = simulator.run(agent, stream, seed=1)
    activation = ds.activation.values
    assert np.isfinite(activation[1:]).all() and activation[0] == -np.inf
    np.testing.assert_allclose(activation[1:11], np.log(np.arange(1, 11)), rtol=1e-12)
    assert (activation[11:50] <= np.log(np.arange(11, 50))).all()
    assert agent.effective_age_floor() == 1.0
    assert simulator.ACTR(age_floor=0.05).effective_age_floor() == 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curve = analysis.retention_curve(ds)
    assert int(curve.n_events.sum()) == 50


def test_retention_curve_announces_events_it_leaves_out():
    ds = simulator.run(simulator.ACTR(), environments.massed(1, 3, [10.0]), seed=1)
    ds["p_recall"][2] = np.nan
    with pytest.warns(RuntimeWarning, match="1 events with a lag have no p_recall"):
        curve = analysis.retention_curve(ds)
    assert int(curve.n_events.sum()) == 2


def test_latency_and_noise_limits_are_named_errors():
    with pytest.raises(ValueError, match="latency_exponent"):
        simulator.ACTR(threshold=-800.0, latency_exponent=1.0)
    assert simulator.ACTR(threshold=-600.0, latency_exponent=1.0).threshold == -600.0
    with pytest.raises(ValueError, match="^noise must be below 1e"):
        simulator.ACTR(noise=1e301)


def test_longest_latency_in_range_is_finite():
    # a failed retrieval takes F exp(-f tau): at the corner of the declared ranges
    # 1e6 * exp(600) s, finite
    agent = simulator.ACTR(threshold=-100.0, latency_exponent=6.0, latency_factor=1e6,
                           noise=0.0)
    stream = EventStream(time=[0.0, 1e6], item=[0, 1], kind=[0, 1])
    latency = simulator.run(agent, stream, seed=0).latency.values
    np.testing.assert_allclose(latency, 1e6 * np.exp(600.0), rtol=1e-12)


@pytest.mark.parametrize("decay", [1e-20, 1e-9, 0.5, 30.0, 3000.0])
def test_multiscale_weights_at_extreme_decays(decay):
    # w_j = ln 2 * 2**(d (j - 48)) / Gamma(d); trace 0 adds the slower rates' geometric sum
    w = multiscale_coefficients(decay)[:MS_TRACES]
    assert np.isfinite(w).all() and (w >= 0).all()
    j = np.arange(1, MS_TRACES)
    log_w = math.log(math.log(2)) - math.lgamma(decay) + decay * (j - 48) * math.log(2)
    np.testing.assert_allclose(w[1:], np.exp(log_w), rtol=1e-12, atol=0)
    np.testing.assert_allclose(w[0], math.exp(log_w[0] - decay * math.log(2))
                               / -math.expm1(-decay * math.log(2)), rtol=1e-12)


def test_multiscale_runs_at_a_vanishing_decay():
    # d -> 0: every presentation counts about 1 at any age, so B -> ln n
    stream = environments.massed(1, 4, [100.0], presentation_time=2.0)
    ds = simulator.run(simulator.ACTR(decay=1e-20, approximation="multiscale"), stream, seed=0)
    np.testing.assert_allclose(ds.activation.values[1:], np.log([1, 2, 3, 4]), atol=1e-5)


NOISELESS_POWER = (np.geomspace(1.0, 1000.0, 12), 0.9 * np.geomspace(1.0, 1000.0, 12) ** -0.3)


def test_exact_and_all_zero_data_give_perfect_fits_with_finite_aic():
    for delays, retention in (NOISELESS_POWER, (NOISELESS_POWER[0], np.zeros(12))):
        fit = analysis.fit_forgetting((delays, retention), models=("power", "exponential",
                                                                     "wickelgren"))
        assert fit.fit_status.sel(model="power").item() == "perfect-fit"
        fitted = [analysis.fitting.fit_succeeded(s) for s in fit.fit_status.values]
        assert all(fitted)
        assert np.isfinite(fit.aic).all() and np.isfinite(fit.delta_aic).all()
        # the floored SSE: among exact fits the fewer parameters win by 2 per parameter
        assert fit.best_model.item() == "power"
    zeros = analysis.fit_forgetting((NOISELESS_POWER[0], np.zeros(12)),
                                    models=("power", "wickelgren"))
    assert float(zeros.delta_aic.sel(model="wickelgren")) == pytest.approx(2.0)


def test_wickelgren_running_to_its_power_limit_is_degenerate():
    # a pure power law is Wickelgren's b -> inf limit: b t >> 1 at every delay
    fit = analysis.fit_forgetting(NOISELESS_POWER, models=("power", "wickelgren"))
    b = float(fit.estimate.sel(model="wickelgren", parameter="b"))
    assert b * NOISELESS_POWER[0].min() > analysis.fitting.DEGENERATE_SCALE
    assert fit.fit_status.sel(model="wickelgren").item() == "degenerate"
    noisy = NOISELESS_POWER[1] + np.random.default_rng(0).normal(0, 0.01, 12)
    fit = analysis.fit_forgetting((NOISELESS_POWER[0], noisy), models=("power", "wickelgren"))
    assert list(fit.fit_status.values) == ["ok", "ok"]


def _integer_recall(counts, patterns, items, n_corrupt, max_sweeps, rng):
    """Asynchronous Hopfield recall in int64 arithmetic, drawing as the kernel does:
    every cue of the block first (partial Fisher-Yates flips), then each relaxation
    (a fresh Fisher-Yates order per sweep; a unit on its threshold keeps its state)."""
    n_units = patterns.shape[1]
    cues = []
    for item in items:
        cue = patterns[item].astype(np.int64)
        units = np.arange(n_units)
        for k in range(n_corrupt):
            j = k + rng.integers(0, n_units - k)
            units[k], units[j] = units[j], units[k]
        cue[units[:n_corrupt]] *= -1
        cues.append(cue)
    overlaps, ties = [], 0
    for item, state in zip(items, cues):
        order = np.arange(n_units)
        for _ in range(max_sweeps):
            for i in range(n_units - 1, 0, -1):
                j = rng.integers(0, i + 1)
                order[i], order[j] = order[j], order[i]
            flips = 0
            for i in order:
                field = int(counts[i] @ state)
                ties += field == 0
                new = 1 if field > 0 else (-1 if field < 0 else state[i])
                flips += new != state[i]
                state[i] = new
            if flips == 0:
                break
        overlaps.append(patterns[item] @ state / n_units)
    return np.array(overlaps), ties


def test_hopfield_tie_rule_is_exact_at_load_0_2():
    from simulator.models.hebbian._kernels import recall_items, store_hebb

    n_units, n_patterns = 50, 10  # load 0.2, N and P even: many fields are exactly 0
    agent = simulator.Hebbian(n_units=n_units, learning_rate=0.37, cue_noise=0.2)
    patterns = agent.patterns(n_patterns, np.random.SeedSequence(3))
    coding, dynamics, _ = agent.kernel_params()
    weights = np.zeros((n_units, n_units), np.float32)
    rate = coding[3] / coding[2]  # the kernels' rate: weights in units of one increment
    store_hebb(weights, patterns, np.arange(n_patterns), rate)
    counts = patterns.T.astype(np.int64) @ patterns
    np.fill_diagonal(counts, 0)
    np.testing.assert_array_equal(weights, counts)  # integer weights
    items = np.repeat(np.arange(n_patterns), 4)  # 40 relaxations
    overlaps = np.empty((len(items), 1))
    recall_items(weights, patterns, items, coding, dynamics, np.random.default_rng(9),
                 overlaps, np.empty((len(items), 1), np.int64))
    expected, ties = _integer_recall(counts, patterns, items, agent.n_corrupted,
                                     agent.max_sweeps, np.random.default_rng(9))
    assert ties > 40
    np.testing.assert_array_equal(overlaps[:, 0], expected)


HEBBIAN_SIZES = dict(n_units=st.integers(2, 40), max_sweeps=st.integers(1, 30),
                     n_cues=st.integers(1, 3))
HEBBIAN_STREAM = EventStream(time=np.arange(14.0), item=np.array([0, 1, 2, 0, 1, 3, 0, 2, 1,
                                                                  3, 3, 0, 1, 2]),
                             kind=np.array([0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1], np.int8))


@FAST
@given(model_parameters(simulator.Hebbian, **HEBBIAN_SIZES),
       st.fixed_dictionaries(HEBBIAN_SIZES))
def test_hebbian_outputs_are_finite_over_the_declared_ranges(kwargs, sizes):
    agent = build(simulator.Hebbian, {**kwargs, **sizes})
    if agent is None:
        return
    ds = simulator.run(agent, HEBBIAN_STREAM, seed=2, probe_times=[6.5])
    tested = ds.kind.values == 1
    for name in ("overlap", "p_recall", "familiarity"):
        assert np.isfinite(ds[name].values[tested]).all(), (name, ds[name].values)
    assert np.isfinite(ds.probe_familiarity.values).all()
    # the learning rate only scales the weights: the same run at rate 1
    same = simulator.run(dataclasses.replace(agent, learning_rate=1.0), HEBBIAN_STREAM,
                         seed=2, probe_times=[6.5])
    np.testing.assert_array_equal(ds.overlap.values, same.overlap.values)
    np.testing.assert_array_equal(ds.familiarity.values, same.familiarity.values)


# compiling the learner's kernels may warn about a non-contiguous np.dot (a speed remark)
@pytest.mark.filterwarnings("ignore::numba.NumbaPerformanceWarning")
def test_diverging_sgd_learner_warns():
    agent = simulator.SGDLearner(hidden=4, n_features=4, n_classes=2, samples_per_class=3,
                                 test_per_class=2, learning_rate=1e200)
    stream = environments.sequential_tasks(1, agent.items_per_task, 12, seed=0)
    with pytest.warns(simulator.DivergenceWarning, match="learning_rate=1e\\+200"):
        ds = simulator.run(agent, stream, seed=0)
    assert issubclass(simulator.DivergenceWarning, RuntimeWarning)
    assert np.isnan(ds.loss.values).any()
    with warnings.catch_warnings():
        warnings.simplefilter("error", simulator.DivergenceWarning)
        ds = simulator.run(dataclasses.replace(agent, learning_rate=0.05), stream, seed=0)
    assert np.isfinite(ds.loss.values).all()


@pytest.mark.parametrize("spacing_scale", [0.0, 0.217])
def test_multiscale_is_exact_for_presentations_within_the_age_floor(spacing_scale):
    # bursts of presentations of a few items, often closer than the 0.05 s floor (and with
    # the spacing model closer than its 1 s): every read counts them at the floor
    rng = np.random.default_rng(12)
    gaps = np.where(rng.random(400) < 0.5, rng.exponential(0.02, 400),
                    rng.exponential(30.0, 400))
    gaps *= 20.0 if spacing_scale else 1.0
    stream = EventStream(time=np.cumsum(gaps), item=rng.integers(0, 3, 400),
                         kind=(rng.random(400) < 0.3).astype(np.int8))
    kwargs = dict(decay=0.4, spacing_scale=spacing_scale)
    exact = simulator.run(simulator.ACTR(**kwargs), stream, seed=0).activation.values
    multi = simulator.run(simulator.ACTR(approximation="multiscale", **kwargs), stream,
                          seed=0).activation.values
    seen = np.isfinite(exact)
    np.testing.assert_array_equal(seen, np.isfinite(multi))
    np.testing.assert_allclose(multi[seen], exact[seen], rtol=0, atol=2e-5)


DAY = 86400.0
REVIEW_STREAM = EventStream(
    time=np.cumsum(np.r_[0, [0.1, 60, 0.5, DAY, 3 * DAY, 1e-3, 30 * DAY, 400 * DAY, 1.0,
                             2e4 * DAY, 5, 5, 5]]),
    item=np.array([0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1]),
    kind=np.array([0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], np.int8))


@pytest.mark.parametrize("cls", [simulator.FSRS, simulator.Ebisu, simulator.HLR])
def test_review_models_are_finite_over_the_declared_ranges(cls):
    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(model_parameters(cls))
    def check(kwargs):
        agent = build(cls, kwargs)
        if agent is None:
            return
        ds = simulator.run(agent, REVIEW_STREAM, seed=1, probe_times=[2 * DAY, 1e5 * DAY])
        p = ds.p_recall.values
        assert np.isfinite(p).all() and (p >= 0).all() and (p <= 1).all(), p
        seen = ds.n_prior.values > 0
        for name in agent.state_variables:
            assert np.isfinite(ds[name].values[seen]).all(), (name, ds[name].values)
        assert np.isfinite(ds.probe_accuracy.values).all()
    check()


GENERATOR_SIZES = {
    "n_events": st.integers(1, 40), "n_items": st.integers(1, 12), "n_classes": st.integers(2, 6),
    "classes_per_task": st.integers(1, 3), "n_tasks": st.integers(1, 4),
    "items_per_class": st.integers(1, 4), "n_learners": st.integers(1, 3),
    "reviews_per_item": st.integers(1, 4), "items_per_task": st.integers(1, 5),
    "steps_per_task": st.integers(1, 12), "test_every": st.one_of(st.none(), st.integers(1, 6)),
    "n_features": st.integers(2, 6), "samples_per_class": st.integers(1, 3),
    "test_per_class": st.integers(1, 3), "n_sessions": st.integers(1, 4),
    "session_length": st.integers(1, 8), "n_clusters": st.integers(1, 3),
    "views": st.integers(1, 3)}


@pytest.mark.parametrize("generator", [environments.zipf, environments.power_law,
                                       environments.reoccurrence, environments.review_schedule,
                                       environments.sequential_tasks,
                                       environments.permuted_tasks,
                                       environments.listening_sessions,
                                       environments.view_batch_tasks])
def test_generators_are_finite_over_their_declared_ranges(generator):
    specs = generator.parameter_specs
    arguments = st.fixed_dictionaries({name: GENERATOR_SIZES[name] if name in GENERATOR_SIZES
                                       else declared(spec)
                                       for name, spec in specs.items()})

    @settings(max_examples=20, deadline=None, derandomize=True)
    @given(arguments)
    def check(kwargs):
        try:
            out = generator(**kwargs, seed=1)
        except ValueError as error:  # a rule between arguments, named
            assert any(name in str(error) for name in kwargs), error
            return
        if isinstance(out, EventStream):
            assert np.isfinite(out.time).all()
        else:
            assert np.isfinite(out.train_x).all() and np.isfinite(out.test_x).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
        check()


def test_exponential_rehearsal_with_a_tiny_scale_rehearses_the_previous_task():
    # exp(-lag / scale) underflows at every lag; the counts use its ratios to lag 1
    counts = environments.rehearsal_counts(4, 10, "exponential", scale=1e-3)
    # budget round(0.25 * 10) = 3 steps, all on the previous task
    np.testing.assert_array_equal(counts[1:, :], [[3, 7, 0, 0], [0, 3, 7, 0], [0, 0, 3, 7]])
