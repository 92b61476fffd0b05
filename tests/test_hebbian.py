import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings, strategies as st
from scipy.stats import norm

import simulator
from environments import STUDY, TEST, EventStream
from environments.jit import popcount
from simulator.models.hebbian._kernels import async_sweep, store_hebb, store_patterns


def study_then_test(n_study, tested, task=None):
    """Items 0..n_study-1 studied in order, then the items ``tested`` tested (no learning)."""
    tested = np.asarray(tested)
    return EventStream(time=np.arange(n_study + len(tested)),
                       item=np.r_[np.arange(n_study), tested],
                       kind=np.r_[np.full(n_study, STUDY), np.full(len(tested), TEST)],
                       n_items=max(n_study, tested.max() + 1), task=task)


def test_outputs_are_labelled_and_study_events_do_not_recall():
    agent = simulator.Hebbian(n_units=100)
    ds = simulator.run(agent, study_then_test(5, [0, 1, 7]), seed=1)
    for name in ("overlap", "familiarity", "p_recall", "recalled", "sweeps", "lag", "n_prior"):
        assert ds[name].dims == ("event",) and ds[name].attrs["long_name"], name
        assert "units" in ds[name].attrs
    assert ds.attrs["agent"] == "Hebbian" and ds.attrs["agent_weight_bound"] == "None"
    study = ds.isel(event=slice(0, 5))
    assert np.all(np.isnan(study["overlap"])) and not study["recalled"].any()
    np.testing.assert_array_equal(ds["n_prior"], [0, 0, 0, 0, 0, 1, 1, 0])
    np.testing.assert_array_equal(ds["lag"][5:7], [5, 5])
    assert np.isnan(ds["lag"][7])


@pytest.mark.parametrize("kwargs, name", [
    ({"n_units": 1}, "n_units"), ({"n_units": 2.5}, "n_units"),
    ({"sparsity": 0.0}, "sparsity"), ({"sparsity": 1.0}, "sparsity"),
    ({"coding": "sparse", "n_units": 10, "sparsity": 0.01}, "sparsity"),
    ({"cue_noise": -0.1}, "cue_noise"), ({"cue_noise": 0.6}, "cue_noise"),
    ({"coding": "binary"}, "coding"), ({"dynamics": "parallel"}, "dynamics"),
    ({"weight_bound": 0.0}, "weight_bound"), ({"weight_decay": 1.0}, "weight_decay"),
    ({"learning_rate": 0.0}, "learning_rate"), ({"max_sweeps": 0}, "max_sweeps"),
    ({"recall_threshold": 0.0}, "recall_threshold"), ({"n_cues": 0}, "n_cues"),
])
def test_bad_parameters_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        simulator.Hebbian(**kwargs)


def test_weights_and_async_fixed_point_match_hopfieldnetwork():
    from hopfieldnetwork import HopfieldNetwork

    # N even and P odd: every local field is an odd multiple of 1/N, never a tie,
    # so the peer's sign(0) = +1 convention never applies
    n_units, n_patterns, seed = 200, 21, 5
    agent = simulator.Hebbian(n_units=n_units)
    patterns = agent.patterns(n_patterns, np.random.SeedSequence(seed))
    weights = np.zeros((n_units, n_units), np.float32)
    store_hebb(weights, patterns, np.arange(n_patterns), np.float64(1 / n_units))
    peer = HopfieldNetwork(N=n_units)
    peer.train_pattern(patterns.T)
    np.testing.assert_allclose(weights, peer.w, rtol=0, atol=1e-7)

    rng = np.random.default_rng(seed)
    for target in range(5):
        cue = patterns[target].copy()
        cue[rng.choice(n_units, 40, replace=False)] *= -1  # 20 % noise
        np.random.seed(target)  # the peer's update order: numpy's global permutations
        peer.set_initial_neurons_state(cue.copy())
        peer.update_neurons(6, "async")
        orders = np.random.RandomState(target)
        state = cue.astype(np.float32)
        field = (weights.astype(np.float64) @ state).astype(np.float64)
        for _ in range(6):
            async_sweep(weights, state, field, 0.0, -1.0, 1.0, orders.permutation(n_units))
        np.testing.assert_array_equal(state, peer.S)
        np.testing.assert_allclose(field, weights.astype(np.float64) @ state, atol=1e-9)


def test_popcount_matches_numpy_bit_count():
    rng = np.random.default_rng(4)
    words = np.r_[rng.integers(0, 2**63, 500, dtype=np.uint64) * np.uint64(2)
                  + rng.integers(0, 2, 500, dtype=np.uint64),
                  np.uint64(1) << np.arange(64, dtype=np.uint64),
                  np.array([0, 2**64 - 1], np.uint64)]
    counts = [popcount(word) for word in words]
    np.testing.assert_array_equal(counts, np.bitwise_count(words))


@pytest.mark.parametrize("n_patterns, n_units", [(1, 70), (21, 200), (64, 64), (65, 129),
                                                 (130, 3), (256, 2)])
def test_packed_hebb_storage_is_the_exact_outer_product_sum(n_patterns, n_units):
    # the packed counts are exact integers: W + rate * sum_p xi_pi xi_pj is rounded to
    # float32 once, as float64 arithmetic gives it, also onto a W already holding
    # patterns (as for a later block)
    rng = np.random.default_rng(n_patterns * n_units)
    patterns = (2 * rng.integers(0, 2, (n_patterns, n_units)) - 1).astype(np.int8)
    earlier = (2 * rng.integers(0, 2, (3, n_units)) - 1).astype(np.int8)
    rate = 1.0 / n_units

    def outer_sum(xi, onto=0.0):
        w = onto + (xi.T.astype(np.float64) @ xi) * rate
        np.fill_diagonal(w, 0.0)
        return w.astype(np.float32)

    weights = np.zeros((n_units, n_units), np.float32)
    store_hebb(weights, patterns, np.arange(n_patterns), np.float64(rate))
    np.testing.assert_array_equal(weights, outer_sum(patterns))

    weights = outer_sum(earlier)
    store_hebb(weights, patterns, np.arange(n_patterns), np.float64(rate))
    np.testing.assert_array_equal(weights, outer_sum(patterns, onto=outer_sum(earlier)))
    # the general (BLAS) rule agrees up to its float32 rounding
    general = outer_sum(earlier)
    store_patterns(general, patterns.astype(np.float32), np.float64(rate), np.float64(0.0),
                   np.float64(np.inf))
    np.testing.assert_allclose(weights, general, rtol=0, atol=4 * n_patterns * rate * 2**-24)


def test_stored_patterns_are_fixed_points_below_capacity():
    # P = 0.03 N: a unit is unstable with probability Phi(-sqrt(N/P)) ~ 1e-8
    for dynamics in ("async", "sync"):
        agent = simulator.Hebbian(n_units=500, cue_noise=0.0, dynamics=dynamics)
        ds = simulator.run(agent, study_then_test(15, np.arange(15)), seed=2)
        test = ds.isel(event=slice(15, None))
        np.testing.assert_array_equal(test["overlap"], 1.0)
        np.testing.assert_array_equal(test["sweeps"], 1)  # the first sweep flips nothing
        assert test["recalled"].all() and np.all(test["p_recall"] == 1)


def test_crosstalk_error_rate_matches_signal_to_noise_theory():
    # one update of a stored pattern: the crosstalk of the P - 1 other patterns is
    # ~Gaussian with variance (P - 1)(N - 1) / N^2 against a signal (N - 1) / N, so a
    # unit flips with probability Phi(-sqrt((N - 1) / (P - 1))) (Hertz, Krogh & Palmer 1991)
    n_units, n_patterns = 500, 100
    agent = simulator.Hebbian(n_units=n_units)
    patterns = agent.patterns(n_patterns, np.random.SeedSequence(11)).astype(np.float32)
    weights = np.zeros((n_units, n_units), np.float32)
    store_patterns(weights, patterns, np.float64(1 / n_units), np.float64(0.0),
                   np.float64(np.inf))
    unstable = np.mean(np.sign(patterns @ weights) != patterns)
    expected = norm.cdf(-np.sqrt((n_units - 1) / (n_patterns - 1)))
    n = patterns.size
    assert abs(unstable - expected) < 4 * np.sqrt(expected / n), (unstable, expected)


def test_recall_is_near_perfect_below_capacity_and_collapses_above():
    # Amit, Gutfreund & Sompolinsky (1985): retrieval up to P = 0.138 N, then none
    n_units = 400
    agent = simulator.Hebbian(n_units=n_units)
    low = simulator.run(agent, study_then_test(20, np.arange(20)), seed=3)  # P = 0.05 N
    high = simulator.run(agent, study_then_test(120, np.arange(120)), seed=3)  # P = 0.3 N
    assert low["overlap"][20:].mean() > 0.99 and low["recalled"][20:].mean() >= 0.95
    sync = simulator.run(simulator.Hebbian(n_units=n_units, dynamics="sync"),
                         study_then_test(20, np.arange(20)), seed=3)
    assert sync["overlap"][20:].mean() > 0.99
    assert high["overlap"][120:].mean() < 0.5 and high["recalled"][120:].mean() < 0.05


def test_palimpsests_keep_the_latest_patterns_far_beyond_capacity():
    n_units, n_patterns = 200, 400  # load 2: a plain Hebbian network has lost everything
    stream = study_then_test(n_patterns, np.arange(n_patterns))
    plain = simulator.run(simulator.Hebbian(n_units=n_units), stream, seed=4)
    assert plain["recalled"][n_patterns:].mean() == 0
    for palimpsest in (simulator.Hebbian(n_units=n_units, weight_decay=0.03),
                       simulator.Hebbian(n_units=n_units, weight_bound=4.0)):
        overlap = simulator.run(palimpsest, stream, seed=4)["overlap"].values[n_patterns:]
        assert np.all(overlap[-5:] > 0.95), overlap[-5:]  # the most recent
        assert overlap[:n_patterns // 2].mean() < 0.3  # the oldest are gone


def test_sparse_coding_stores_more_patterns_than_dense():
    # P = 0.3 N, beyond dense capacity; sparse a = 0.1 holds ~1 / (a |ln a|) more
    stream = study_then_test(120, np.arange(120))
    dense = simulator.run(simulator.Hebbian(n_units=400), stream, seed=5)
    sparse = simulator.run(simulator.Hebbian(n_units=400, coding="sparse"), stream, seed=5)
    assert sparse["recalled"][120:].mean() > 0.95 > 0.05 > dense["recalled"][120:].mean()


def test_familiarity_separates_studied_from_new_patterns():
    # u^T W u / N^2 over P stored +-1 patterns: (N - 1) / N for a stored one plus
    # crosstalk, 0 for a new one, each with standard deviation sqrt(2 P) / N
    n_units, n_patterns = 400, 40
    ds = simulator.run(simulator.Hebbian(n_units=n_units),
                       study_then_test(n_patterns, np.arange(2 * n_patterns)), seed=6)
    familiarity = ds["familiarity"].values[n_patterns:]
    studied, new = familiarity[:n_patterns], familiarity[n_patterns:]
    spread = np.sqrt(2 * n_patterns) / n_units
    assert abs(studied.mean() - (n_units - 1) / n_units) < 4 * spread / np.sqrt(n_patterns)
    assert abs(new.mean()) < 4 * spread / np.sqrt(n_patterns)
    assert 0.7 * spread < new.std() < 1.3 * spread
    assert studied.min() > new.max()


def test_familiarity_fades_with_age_under_weight_decay():
    # each later pattern shrinks an earlier one's contribution by (1 - decay)
    decay, n_patterns = 0.05, 30
    ds = simulator.run(simulator.Hebbian(n_units=1000, weight_decay=decay),
                       study_then_test(n_patterns, np.arange(n_patterns)), seed=7)
    familiarity = ds["familiarity"].values[n_patterns:]
    ages = np.arange(n_patterns)[::-1]
    np.testing.assert_allclose(familiarity, 0.999 * (1 - decay) ** ages, atol=0.03)


def test_several_cues_estimate_the_recall_probability():
    # at P = 0.14 N some cues are recalled and some not: p_recall is their success rate
    agent = simulator.Hebbian(n_units=300, n_cues=20, cue_noise=0.2)
    ds = simulator.run(agent, study_then_test(42, np.arange(42)), seed=8)
    p = ds["p_recall"].values[42:]
    assert np.all((p >= 0) & (p <= 1)) and 0 < p.mean() < 1
    assert np.all(np.isin(np.round(p * 20, 9) % 1, [0]))  # multiples of 1/20
    np.testing.assert_array_equal(ds["recalled"][42:], ds["overlap"][42:] >= 0.9)


def test_tests_learn_only_when_they_are_presentations():
    stream = EventStream(time=[0, 1, 2, 3], item=[0, 0, 0, 0], kind=[TEST, TEST, TEST, TEST])
    silent = simulator.run(simulator.Hebbian(n_units=100, cue_noise=0.2), stream, seed=0)
    learning = simulator.run(simulator.Hebbian(n_units=100, cue_noise=0.2,
                                               test_is_presentation=True), stream, seed=0)
    np.testing.assert_array_equal(silent["n_prior"], 0)
    np.testing.assert_array_equal(silent["familiarity"], 0)
    np.testing.assert_array_equal(learning["n_prior"], [0, 1, 2, 3])
    # (N - 1) / N per stored copy; float32 weights
    np.testing.assert_allclose(learning["familiarity"], [0, 0.99, 1.98, 2.97], rtol=1e-6)
    assert learning["recalled"][1:].all()


def test_same_seed_same_network_and_probes_do_not_shift_events():
    agent = simulator.Hebbian(n_units=400, n_cues=3)
    stream = EventStream(time=np.arange(40), item=np.r_[np.arange(20), np.arange(20)],
                         kind=np.r_[np.zeros(20, int), np.ones(20, int)],
                         task=np.r_[np.repeat([0, 1], 10), np.repeat([0, 1], 10)])
    a = simulator.run(agent, stream, seed=9)
    b = simulator.run(agent, stream, seed=9)
    xr.testing.assert_identical(a, b)
    c = simulator.run(agent, stream, seed=10)
    assert not np.array_equal(a["familiarity"], c["familiarity"])  # other patterns
    probed = simulator.run(agent, stream, seed=9, probe_times=[-1, 9, 19.5, 100])
    probe_vars = ["probe_accuracy", "probe_overlap", "probe_familiarity", "probe",
                  "probe_time", "task", "task_items"]
    unprobed = probed.drop_vars(probe_vars)
    # a probe splits a block of studies stored by one matrix product: only the
    # float32 summation order changes
    xr.testing.assert_allclose(unprobed, a, rtol=1e-6, atol=1e-6)
    xr.testing.assert_identical(unprobed.drop_vars("familiarity"), a.drop_vars("familiarity"))
    acc = probed["probe_accuracy"]
    assert acc.dims == ("probe", "task")
    # nothing stored at -1; task 0 (items 0-9) stored by t = 9; all stored by 19.5
    np.testing.assert_array_equal(acc, [[0, 0], [1, 0], [1, 1], [1, 1]])
    assert np.isnan(probed["probe_overlap"][1, 1])
    np.testing.assert_allclose(probed["probe_familiarity"][0], 0)
    assert probed["probe_familiarity"][2].min() > 0.8


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32), n_events=st.integers(1, 60), n_items=st.integers(1, 15),
       coding=st.sampled_from(["dense", "sparse"]), dynamics=st.sampled_from(["async", "sync"]),
       decay=st.sampled_from([0.0, 0.2]), bound=st.sampled_from([None, 1.5]),
       noise=st.floats(0.0, 0.5), n_cues=st.integers(1, 3), learns=st.booleans())
def test_outputs_are_consistent_on_any_stream(seed, n_events, n_items, coding, dynamics, decay,
                                              bound, noise, n_cues, learns):
    rng = np.random.default_rng(seed)
    stream = EventStream(time=np.sort(rng.uniform(0, 100, n_events)),
                         item=rng.integers(0, n_items, n_events),
                         kind=rng.integers(0, 2, n_events))
    agent = simulator.Hebbian(n_units=24, coding=coding, sparsity=0.25, dynamics=dynamics,
                              weight_decay=decay, weight_bound=bound, cue_noise=noise,
                              n_cues=n_cues, max_sweeps=5, test_is_presentation=learns)
    ds = simulator.run(agent, stream, seed=seed, probe_times=[50.0, 200.0])
    test = ds["kind"].values == TEST
    overlap, p = ds["overlap"].values, ds["p_recall"].values
    assert np.all(np.isnan(overlap[~test])) and not ds["recalled"][~test].any()
    assert np.all(np.abs(overlap[test]) <= 1 + 1e-12)
    assert np.all((p[test] >= 0) & (p[test] <= 1))
    np.testing.assert_array_equal(ds["recalled"][test], overlap[test] >= agent.recall_threshold)
    assert np.all((ds["sweeps"][test] >= 1) & (ds["sweeps"][test] <= 5))
    presented = ~test | learns
    counts = np.array([np.sum(presented[:e] & (stream.item[:e] == i))
                       for e, i in enumerate(stream.item)])
    np.testing.assert_array_equal(ds["n_prior"], counts)
    acc = ds["probe_accuracy"].values
    assert np.all((acc >= 0) & (acc <= 1))


JIT_SCRIPT = """
import json, sys
import numpy as np
import simulator
from environments import EventStream
rng = np.random.default_rng(1)
n = 60
stream = EventStream(time=np.arange(n), item=rng.integers(0, 12, n), kind=rng.integers(0, 2, n),
                     task=np.zeros(n, int))
out = {}
for name, agent in {
        "dense": simulator.Hebbian(n_units=48, cue_noise=0.2, n_cues=2),
        "sync_sparse": simulator.Hebbian(n_units=48, coding="sparse", sparsity=0.25,
                                         dynamics="sync", test_is_presentation=True),
        "palimpsest": simulator.Hebbian(n_units=48, weight_bound=2.0, weight_decay=0.1)}.items():
    ds = simulator.run(agent, stream, seed=3, probe_times=[10.5, 30, 80])
    for k in ("overlap", "p_recall", "recalled", "familiarity", "sweeps", "lag", "n_prior",
              "probe_accuracy", "probe_familiarity"):
        out[name + ":" + k] = np.nan_to_num(ds[k].values.astype(float), nan=-9).ravel().tolist()
json.dump(out, sys.stdout)
"""


def test_jitted_kernels_agree_with_pure_python(jitted_and_pure_python):
    jitted, python = jitted_and_pure_python(JIT_SCRIPT)
    assert jitted.keys() == python.keys()
    for name in jitted:
        if name.endswith(("familiarity", "overlap", "p_recall", "probe_accuracy")):
            # float32 matrix products may sum in another order in numba's BLAS binding
            np.testing.assert_allclose(jitted[name], python[name], rtol=1e-5, atol=1e-6,
                                       err_msg=name)
        else:
            np.testing.assert_array_equal(jitted[name], python[name], err_msg=name)
