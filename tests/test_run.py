import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings, strategies as st

import environments as env
import simulator
from environments import STUDY, TEST, EventStream

VARIABLES = ("activation", "p_recall", "recalled", "latency", "lag", "n_prior")


def test_run_dataset_is_labelled_and_documented():
    stream = env.power_law(2000, seed=4)
    ds = simulator.run(simulator.ACTR(decay=0.4), stream, seed=9)
    assert set(VARIABLES) <= set(ds.data_vars)
    assert list(ds.dims) == ["event"] and ds.sizes["event"] == 2000
    for name in list(ds.data_vars) + ["time", "item", "kind"]:
        assert ds[name].attrs["long_name"], name
        assert "units" in ds[name].attrs, name
    assert ds.attrs["agent"] == "ACTR" and ds.attrs["agent_decay"] == 0.4
    assert ds.attrs["environment"] == "power_law"
    assert ds.attrs["seed_entropy"] == "9"
    np.testing.assert_array_equal(ds["time"], stream.time)
    np.testing.assert_array_equal(ds["item"], stream.item)


def test_lag_and_prior_count_match_a_direct_count():
    stream = env.power_law(3000, seed=5)
    ds = simulator.run(simulator.ACTR(), stream, seed=0)
    last, count = {}, {}
    for e, (t, i) in enumerate(zip(stream.time, stream.item)):
        expected_lag = t - last[i] if i in last else np.nan
        np.testing.assert_equal(ds["lag"].values[e], expected_lag)
        assert ds["n_prior"].values[e] == count.get(i, 0)
        last[i] = t
        count[i] = count.get(i, 0) + 1


def test_same_seed_same_bits_different_seed_different_draws():
    stream = env.power_law(5000, seed=1)
    a = simulator.run(simulator.ACTR(), stream, seed=42)
    b = simulator.run(simulator.ACTR(), stream, seed=42)
    xr.testing.assert_identical(a, b)
    c = simulator.run(simulator.ACTR(), stream, seed=43)
    np.testing.assert_array_equal(a["p_recall"], c["p_recall"])  # analytic: seed-free
    assert not np.array_equal(a["recalled"], c["recalled"])


def test_bad_run_arguments():
    stream = env.power_law(10, seed=1)
    with pytest.raises(ValueError, match="^agent must"):
        simulator.run("ACTR", stream)
    with pytest.raises(ValueError, match="^stream must"):
        simulator.run(simulator.ACTR(), [0, 1, 2])
    with pytest.raises(ValueError, match="^seed must"):
        simulator.run(simulator.ACTR(), stream, seed=1.5)


JIT_SCRIPT = """
import json, sys
import numpy as np
import environments as env, simulator
stream = env.power_law(1500, exponent=0.8, n_items=60, seed=3)
ds = simulator.run(simulator.ACTR(decay=0.45, noise=0.3), stream, seed=4)
json.dump({"item": stream.item.tolist(),
           **{k: ds[k].values.astype(float).tolist() for k in
              ("activation", "p_recall", "recalled", "latency", "lag", "n_prior")}},
          sys.stdout)
"""


def test_jitted_kernels_agree_with_pure_python(jitted_and_pure_python):
    jitted, python = jitted_and_pure_python(JIT_SCRIPT)
    np.testing.assert_array_equal(jitted["item"], python["item"])
    for name in ("recalled", "lag", "n_prior"):
        np.testing.assert_array_equal(jitted[name], python[name])
    for name in ("activation", "p_recall", "latency"):
        np.testing.assert_allclose(jitted[name], python[name], rtol=1e-13, atol=0)


times = st.lists(st.floats(0.1, 1000.0), min_size=1, max_size=30).map(np.cumsum)


@settings(deadline=None, max_examples=60)
@given(times=times, decay=st.floats(0.05, 0.95), noise=st.floats(0.0, 2.0),
       threshold=st.floats(-5, 5), seed=st.integers(0, 2**32))
def test_probabilities_are_probabilities(times, decay, noise, threshold, seed):
    rng = np.random.default_rng(seed)
    stream = EventStream(time=times, item=rng.integers(0, 3, len(times)),
                         kind=rng.integers(0, 2, len(times)))
    ds = simulator.run(simulator.ACTR(decay=decay, noise=noise, threshold=threshold),
                       stream, seed=seed)
    p = ds["p_recall"].values
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(ds["latency"].values >= 0)
    assert not np.any(ds["recalled"].values & (p == 0))


@settings(deadline=None, max_examples=60)
@given(study=times, probes=st.lists(st.floats(1.0, 1e6), min_size=2, max_size=10),
       decay=st.floats(0.05, 0.95))
def test_activation_falls_as_time_passes_without_study(study, probes, decay):
    probe_times = study[-1] + np.cumsum(probes)
    stream = EventStream(time=np.r_[study, probe_times], item=np.zeros(len(study) + len(probes), int),
                         kind=np.r_[np.full(len(study), STUDY), np.full(len(probes), TEST)])
    ds = simulator.run(simulator.ACTR(decay=decay, test_is_presentation=False), stream, seed=0)
    a = ds["activation"].values[len(study):]
    assert np.all(np.diff(a) < 0)


@settings(deadline=None, max_examples=60)
@given(study=times, extra=st.floats(0.0, 1.0), delay=st.floats(0.1, 1e5),
       decay=st.floats(0.05, 0.95))
def test_each_presentation_raises_activation(study, extra, delay, decay):
    # the same history with one more presentation (inserted between the others)
    more = np.sort(np.r_[study, study[-1] * extra])
    probe = study[-1] + delay
    agent = simulator.ACTR(decay=decay)

    def activation_at_probe(history):
        stream = EventStream(time=np.r_[history, probe], item=np.zeros(len(history) + 1, int))
        return simulator.run(agent, stream, seed=0)["activation"].values[-1]

    assert activation_at_probe(more) > activation_at_probe(study)


@settings(deadline=None, max_examples=20)
@given(seed=st.integers(0, 2**63))
def test_determinism_for_any_seed(seed):
    stream = env.power_law(300, seed=seed)
    a = simulator.run(simulator.ACTR(), stream, seed=seed)
    b = simulator.run(simulator.ACTR(), env.power_law(300, seed=seed), seed=seed)
    xr.testing.assert_identical(a, b)


def test_probes_test_every_task_without_learning():
    # task 0: items 0, 1 studied at 0; task 1: item 2 studied at 100
    stream = EventStream(time=[0, 0, 100, 300], item=[0, 1, 2, 0], task=[0, 0, 1, 0])
    agent = simulator.ACTR(decay=0.5, noise=0.3)
    probes = [50, 100, 200, 300, 400]
    ds = simulator.run(agent, stream, seed=0, probe_times=probes)
    acc = ds["probe_accuracy"]
    assert acc.dims == ("probe", "task") and acc.attrs["units"] == "1"
    np.testing.assert_array_equal(ds["probe_time"], probes)
    np.testing.assert_array_equal(ds["task_items"], [2, 1])

    def p_of(activation):
        return 1 / (1 + np.exp(-activation / 0.3))

    def p(age):
        return p_of(-0.5 * np.log(age))

    # at 300 item 0 is restudied (age floored at 0.05 s); item 1 only decays
    both_300 = p_of(np.log(300 ** -0.5 + 0.05 ** -0.5))
    both_400 = p_of(np.log(400 ** -0.5 + 100 ** -0.5))
    np.testing.assert_allclose(acc.sel(task=0), [p(50), p(100), p(200), (both_300 + p(300)) / 2,
                                                 (both_400 + p(400)) / 2], rtol=1e-12)
    # task 1 is unknown before its study at 100; a probe at 100 sees that study
    np.testing.assert_allclose(acc.sel(task=1), [0, p(0.05), p(100), p(200), p(300)], rtol=1e-12)
    # the probes did not change what the events report
    plain = simulator.run(agent, stream, seed=0)
    xr.testing.assert_identical(ds.drop_vars(["probe_accuracy", "probe", "probe_time", "task",
                                              "task_items"]), plain)
    assert "event_task" in ds.coords


def test_bad_probe_times():
    stream = env.power_law(10, seed=1)
    with pytest.raises(ValueError, match="^probe_times"):
        simulator.run(simulator.ACTR(), stream, probe_times=[5, 1])
    with pytest.raises(ValueError, match="^probe_times"):
        simulator.run(simulator.ACTR(), stream, probe_times=[np.nan])
