"""simulator.protocol: every model behind one interface; a new model is one class.

The toy model here (exponential forgetting, ``p = exp(-(t - t_last) / tau)``) is
defined in this file alone and runs through the drivers with no edit elsewhere.
"""
import dataclasses
import math

import numpy as np
import pytest

import environments as env
import simulator
from environments.jit import njit
from environments.params import parameter, validate
from environments.seeding import generator, seed_sequence
from simulator.drivers import replay_stream


@njit
def toy_predict(params, state, item, now):
    last = state[0][item]
    if math.isnan(last):
        return 0.0
    return math.exp(-(now - last) / params[0])


@njit
def toy_learn(params, state, item, now, outcome, rating):
    state[0][item] = now
    state[1][item] += 1
    return state


@njit
def toy_observe(params, state, item, now, out):
    out[0] = state[1][item]


@dataclasses.dataclass(frozen=True)
class Exponential(simulator.MemoryModel):
    """Exponential forgetting since the last presentation: ``p = exp(-t / tau)``."""

    tau: float = parameter(100.0, low=0.0, low_open=True, units="s", doc="time constant")

    kernels = simulator.model_kernels(predict=toy_predict, learn=toy_learn,
                                      observe=toy_observe)
    state_variables = {"presentations": {"long_name": "presentations", "units": "1"}}

    def __post_init__(self):
        validate(self)

    def kernel_params(self):
        return (self.tau,)

    def new_state(self, n_items, rng):
        return np.full(n_items, np.nan), np.zeros(n_items)


def spaced_stream():
    return env.spaced(4, 3, gap=50.0, retention_intervals=[10.0, 100.0])


def test_toy_model_runs_with_the_closed_form():
    stream = spaced_stream()
    ds = simulator.run(Exponential(tau=80.0), stream, seed=1)
    lag = ds["lag"].values
    seen = np.isfinite(lag)
    np.testing.assert_allclose(ds["p_recall"].values[seen], np.exp(-lag[seen] / 80.0),
                               rtol=1e-15)
    assert np.all(ds["p_recall"].values[~seen] == 0.0)
    np.testing.assert_array_equal(ds["presentations"].values, ds["n_prior"].values)
    assert ds["presentations"].attrs["long_name"] == "presentations"


def test_toy_model_predict_replays_observed_answers():
    stream = spaced_stream()
    drawn = simulator.run(Exponential(), stream, seed=3)
    replayed = simulator.predict(Exponential(), stream, seed=4)
    # nothing observed: the TEST answers are drawn, the predictions do not depend on them
    np.testing.assert_array_equal(drawn["p_recall"].values, replayed["p_recall"].values)
    test = stream.kind == env.TEST
    assert np.all(np.isin(replayed["outcome"].values[test], [0.0, 1.0]))
    assert np.all(np.isnan(replayed["outcome"].values[~test]))


def test_toy_model_sweeps():
    ds = simulator.sweep(Exponential, env.power_law, {"tau": [10.0, 1000.0]},
                         environment_kwargs={"n_events": 500}, replicates=2, seed=5,
                         progress=False)
    recall = ds["p_recall"].isel(lag=slice(0, 8)).mean(("replicate", "lag"))
    assert recall.sel(tau=1000.0) > recall.sel(tau=10.0)
    # the first lag bin holds the events 1 s after their item's previous one
    first = ds["p_recall"].isel(lag=0)
    np.testing.assert_allclose(first.sel(tau=10.0), math.exp(-1.0 / 10.0), rtol=1e-12)


def test_models_are_memory_models():
    for model in (simulator.ACTR(), simulator.Hebbian(), simulator.SGDLearner(),
                  Exponential()):
        assert isinstance(model, simulator.MemoryModel)
        assert isinstance(model.kernels, simulator.ModelKernels)


def test_a_class_or_foreign_object_is_refused():
    stream = spaced_stream()
    with pytest.raises(ValueError, match="instance"):
        simulator.run(simulator.ACTR, stream)
    with pytest.raises(ValueError, match="memory model"):
        simulator.predict(object(), stream)


@pytest.mark.parametrize("kwargs", [
    {}, {"decay": 0.4}, {"approximation": "optimized"},
    {"approximation": "hybrid", "hybrid_k": 3}, {"approximation": "multiscale"},
    {"spacing_scale": 0.217, "decay": 0.4}, {"permanent_noise": 0.3,
                                             "test_is_presentation": False},
    {"intersession_scale": 0.1, "session_gap": 50.0},
    {"approximation": "multiscale", "spacing_scale": 0.2}])
def test_actr_generic_loop_agrees_with_its_tuned_loop(kwargs):
    stream = env.power_law(3000, exponent=1.0, seed=1)
    model = simulator.ACTR(**kwargs)
    probes = np.array([100.0, 2000.0])
    fast = model.simulate(stream, generator(seed_sequence(3)), probes)
    generic = replay_stream(model, stream, generator(seed_sequence(3)), probes,
                            observed=False)
    np.testing.assert_array_equal(np.isfinite(fast["activation"]),
                                  np.isfinite(generic["activation"]))
    finite = np.isfinite(fast["activation"])
    np.testing.assert_allclose(generic["activation"][finite], fast["activation"][finite],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(generic["p_recall"], fast["p_recall"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(generic["recalled"], fast["recalled"])
    np.testing.assert_allclose(generic["probe_recall"], fast["probe_recall"], atol=1e-12)


def test_learner_generic_loop_agrees_with_its_batched_loop():
    stream = env.sequential_tasks(3, 40, 80, rehearsal="power", test_every=40, seed=1)
    model = simulator.SGDLearner(samples_per_class=4, hidden=16, n_features=16, batch_size=4,
                                 ewc=0.5)
    probes = np.array([100.0, 200.0])
    fast = model.simulate(stream, generator(seed_sequence(3)), probes)
    generic = replay_stream(model, stream, generator(seed_sequence(3)), probes,
                            observed=False)
    np.testing.assert_allclose(generic["p_recall"], fast["p_recall"], atol=1e-12)
    np.testing.assert_allclose(generic["probe_recall"], fast["probe_recall"], atol=1e-12)


def test_hebbian_generic_loop_agrees_with_its_batched_loop():
    stream = env.sequential_tasks(3, 5, 10, rehearsal="none", test_every=10, seed=1)
    # deterministic recall (clean cues, synchronous updates): the batched loop draws
    # its cues in another order
    model = simulator.Hebbian(n_units=64, n_cues=1, cue_noise=0.0, dynamics="sync",
                              weight_decay=0.05)
    fast = model.simulate(stream, generator(seed_sequence(3)), np.empty(0))
    generic = replay_stream(model, stream, generator(seed_sequence(3)), np.empty(0),
                            observed=False)
    test = stream.kind == env.TEST
    np.testing.assert_allclose(generic["familiarity"][test], fast["familiarity"][test],
                               atol=1e-6)
    np.testing.assert_array_equal(generic["p_recall"][test], fast["p_recall"][test])


def test_actr_predict_uses_observed_answers_and_retention_time():
    stream = env.EventStream(time=[0.0, 10.0, 20.0, 30.0], item=[0, 0, 0, 0],
                             kind=[env.STUDY, env.TEST, env.TEST, env.TEST])
    model = simulator.ACTR(noise=0.3, threshold=-1.0)
    ds = simulator.predict(model, stream, seed=1)
    # ACT-R: ln(10^-0.5) before the first test
    assert ds["activation"].values[1] == pytest.approx(-0.5 * math.log(10.0))
    k = model.kernels
    state = model.new_state(1, generator(seed_sequence(0)))
    state = k.learn(model.kernel_params(), state, 0, 0.0, math.nan, 0)
    due = k.retention_time(model.kernel_params(), state, 0, 1.0, 0.5)
    # p = 0.5 where A = tau: t^-0.5 = e^-1 -> t = e^2
    assert due == pytest.approx(math.exp(2.0), rel=1e-9)


def test_default_retention_time_bisects_predict():
    model = Exponential(tau=100.0)
    retention_time = model.kernels.retention_time
    state = model.new_state(1, None)
    state = model.kernels.learn(model.kernel_params(), state, 0, 5.0, math.nan, 0)
    due = retention_time(model.kernel_params(), state, 0, 5.0, 0.9)
    assert due == pytest.approx(5.0 - 100.0 * math.log(0.9), rel=1e-12)


def test_toy_model_is_fitted_by_fit_agent():
    import analysis
    stream = env.spaced(200, 1, gap=10.0, retention_intervals=[20.0, 60.0, 150.0, 400.0])
    truth = simulator.run(Exponential(tau=120.0), stream, seed=7)
    counts = analysis.recall_counts(truth)
    fit = analysis.fit_agent(Exponential(tau=50.0), counts, free=("tau",), schedule=stream)
    estimate = fit["estimate"].sel(parameter="tau").item()
    error = fit["std_error"].sel(parameter="tau").item()
    assert abs(estimate - 120.0) < 4 * error


def test_variable_registry_refuses_a_second_declaration_and_checks_datasets():
    from simulator.variables import REGISTRY
    with pytest.raises(ValueError, match="declared twice"):
        REGISTRY.register("p_recall", "recall probability", "1")
    ds = simulator.run(Exponential(), spaced_stream(), seed=1)
    assert REGISTRY.validate(ds, required=("p_recall", "lag")) is ds
    with pytest.raises(ValueError, match="needs the variable"):
        REGISTRY.validate(ds.drop_vars("lag"), required=("lag",), where="retention_curve")


def test_predict_need_ranks_any_model():
    stream = env.power_law(600, exponent=1.0, seed=2)
    ds = simulator.predict_need(Exponential(tau=50.0), stream, k=3)
    ranks = ds["need_rank"]
    # exponential forgetting since the last presentation ranks exactly by recency
    np.testing.assert_array_equal(ranks.sel(model="activation").values,
                                  ranks.sel(model="recency").values)
    assert np.isfinite(ds["mean_reciprocal_rank"].values).all()


def test_actr_need_ranking_agrees_with_the_generic_one():
    stream = env.power_law(800, exponent=1.0, seed=3)
    model = simulator.ACTR(decay=0.4, noise=0.5)
    specific = model.rank_needs(stream, generator(seed_sequence(1)))
    generic = simulator.MemoryModel.rank_needs(model, stream, generator(seed_sequence(1)))
    np.testing.assert_array_equal(specific[1], generic[1])
    np.testing.assert_array_equal(specific[0], generic[0])


def test_toy_model_is_scheduled_by_any_policy():
    # target retention with exponential forgetting: due once exp(-elapsed / tau) <= 1/2,
    # i.e. at the first day start tau ln 2 = 1.39 days after the item's last event
    model = Exponential(tau=2 * 86400.0)
    ds = simulator.simulate_schedule(simulator.TargetRetention(0.5), model, 6, 30,
                                     new_per_day=2, seed=1, events=True)
    tests = ds["kind"].values == env.TEST
    for item in range(6):
        days = ds["time"].values[tests & (ds["item"].values == item)] // 86400
        np.testing.assert_array_equal(np.diff(days), 2)
    leitner = simulator.simulate_schedule(simulator.Leitner(), model, 6, 30, seed=1)
    assert leitner["items_learned"].values[-1] == 6
    # the learner's recall at each event is the closed form of the time since its last event
    p = ds["p_recall"].values[tests]
    assert np.all((p > 0.25) & (p <= 0.5))


def test_a_misspecified_scheduler_model_changes_the_schedule():
    learner = Exponential(tau=2 * 86400.0)
    right = simulator.simulate_schedule(simulator.TargetRetention(0.5), learner, 6, 30,
                                        new_per_day=2, seed=1)
    wrong = simulator.simulate_schedule(simulator.TargetRetention(0.5), learner, 6, 30,
                                        new_per_day=2, seed=1,
                                        scheduler_model=Exponential(tau=8 * 86400.0))
    # believing memory lasts four times longer, the scheduler reviews less and later
    assert wrong["reviews"].sum() < right["reviews"].sum()
    assert wrong["retention"].values[0] < right["retention"].values[0]


def test_spacing_recall_of_any_model_follows_its_equations():
    # exponential forgetting depends only on the time since the last study
    model = Exponential(tau=1000.0)
    recall = simulator.spacing_recall(model, [10.0, 500.0], 300.0, n_reviews=2)
    np.testing.assert_allclose(recall, math.exp(-0.3), rtol=1e-14)
