"""power_law's exact sampling law, zipf's frequencies, and jitted vs pure-Python generators."""

import inspect

import numpy as np
import pytest

import environments as env


@pytest.mark.parametrize("exponent", [0.0, 0.5, 1.5, 2.0])
def test_power_law_draws_each_step_with_the_exact_conditional_law(exponent):
    # Given the history, a known item last needed `lag` steps ago is chosen with
    # probability lag^-a / sum over known items. Observed choices per log2-lag bin
    # minus the summed conditional probabilities is a martingale: z-scores must be small.
    n_items = 40
    items = env.power_law(20_000, exponent=exponent, n_items=n_items, seed=21).item
    last = np.full(n_items, -1)
    observed, expected, variance = (np.zeros(20) for _ in range(3))
    for t, item in enumerate(items):
        if last[item] >= 0:
            known = last >= 0
            lags = t - last[known]
            weights = lags.astype(float) ** -exponent
            bins = np.floor(np.log2(lags)).astype(int)
            p_bin = np.bincount(bins, weights / weights.sum(), minlength=20)
            expected += p_bin
            variance += p_bin * (1 - p_bin)
            observed[int(np.log2(t - last[item]))] += 1
        last[item] = t
    tested = variance > 5
    z = (observed[tested] - expected[tested]) / np.sqrt(variance[tested])
    assert tested.sum() >= 3
    assert np.max(np.abs(z)) < 4.5


def test_zipf_frequencies_follow_the_rank_law():
    stream = env.zipf(400_000, 50, exponent=1.2, seed=4)
    p = np.arange(1, 51) ** -1.2
    p /= p.sum()
    counts = np.bincount(stream.item, minlength=50)
    z = (counts - 400_000 * p) / np.sqrt(400_000 * p * (1 - p))
    assert np.max(np.abs(z)) < 4.5
    assert stream.n_items == 50 and np.array_equal(stream.time, np.arange(400_000.0))
    uniform = np.bincount(env.zipf(100_000, 10, exponent=0.0, seed=4).item)
    assert np.max(np.abs(uniform - 10_000)) < 4.5 * np.sqrt(10_000 * 0.9)


def test_zipf_is_seeded():
    a = env.zipf(1000, 20, seed=3)
    assert a == env.zipf(1000, 20, seed=3)
    assert not np.array_equal(a.item, env.zipf(1000, 20, seed=4).item)
    assert a.meta["generator"] == "zipf" and a.meta["exponent"] == 1.0


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_events=0), "n_events"),
    (dict(n_items=0), "n_items"),
    (dict(exponent=-0.1), "exponent"),
    (dict(time_step=0.0), "time_step"),
    (dict(seed=1.5), "seed"),
])
def test_zipf_bad_arguments_name_the_parameter(kwargs, name):
    arguments = dict(n_events=10, n_items=5)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        env.zipf(**arguments)


JIT_SCRIPT = """
import json, sys
import environments as env, analysis
out = {}
for a in (0.0, 0.7, 2.0):
    out[f"items_{a}"] = env.power_law(3000, exponent=a, new_item_prob=0.1, seed=5).item.tolist()
need = analysis.need_probability(env.power_law(3000, exponent=1.0, seed=6))
out["need"] = [need[v].values.tolist() for v in ("n_at_risk", "n_needed", "n_expected")]
json.dump(out, sys.stdout)
"""


def test_jitted_generators_agree_with_pure_python(jitted_and_pure_python):
    jitted, python = jitted_and_pure_python(JIT_SCRIPT)
    assert jitted.keys() == python.keys()
    for name in jitted:
        np.testing.assert_array_equal(jitted[name], python[name], err_msg=name)


@pytest.mark.parametrize("generator", [env.power_law, env.zipf, env.reoccurrence,
                                       env.sequential_tasks, env.permuted_tasks])
def test_every_seeded_generator_declares_every_parameter(generator):
    parameters = set(inspect.signature(generator).parameters) - {"seed"}
    assert set(generator.parameter_units) == parameters
    assert set(generator.parameter_specs) == parameters
    for name, unit in generator.parameter_units.items():
        assert generator.parameter_specs[name]["doc"]
        if name == "time_step":
            assert unit == "s"
        elif name.startswith("n_"):  # a count (pint: "count"); the doc says of what
            assert unit == "count"


def test_declarations_check_arguments_before_the_generator_runs():
    with pytest.raises(ValueError, match=r"^exponent must be >= 0.0, got -1"):
        env.power_law(10, exponent=-1)
    with pytest.raises(ValueError, match=r"^rehearsal must be one of 'power'"):
        env.sequential_tasks(2, 2, 4, rehearsal="sometimes")
    # numbers are coerced as declared
    assert env.zipf(5.0, 3, seed=1).meta["n_events"] == 5


def test_parameter_units_records_units_and_rejects_bad_declarations():
    @env.parameter_units(gap="min", count="items")
    def stream(count, gap=1.0, seed=None):
        return count, gap

    assert dict(stream.parameter_units) == {"gap": "min", "count": "items"}
    assert stream(3) == (3, 1.0)  # the function itself is unchanged
    with pytest.raises(TypeError):
        stream.parameter_units["gap"] = "s"  # read-only
    with pytest.raises(ValueError, match=r"names 'lag', which is not a parameter of "
                                         r"stream \(parameters: count, gap\)"):
        env.parameter_units(lag="s")(stream)
    with pytest.raises(ValueError, match="names 'seed'"):
        env.parameter_units(seed="1")(stream)
    with pytest.raises(ValueError, match="units of gap must be a non-empty string"):
        env.parameter_units(gap=60)
    with pytest.raises(ValueError, match="units of gap must be a non-empty string"):
        env.parameter_units(gap="")
