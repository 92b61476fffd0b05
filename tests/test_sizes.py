"""Size mistakes are one ValueError naming the argument, before anything is allocated."""
import numpy as np
import pytest

import environments
import environments.validation as validation
import simulator
from environments import EventStream
from environments.stream import compact_items

HUGE = 10 ** 12


def test_available_memory_reads_meminfo():
    available = validation.available_memory()
    with open("/proc/meminfo") as meminfo:
        fields = dict(line.split(":", 1) for line in meminfo)
    assert available == int(fields["MemAvailable"].split()[0]) * 1024


def test_check_memory_message_and_limit(monkeypatch):
    monkeypatch.setattr(validation, "available_memory", lambda: 2 ** 20)
    assert validation.check_memory("n_events", 10, 2 ** 20, "the stream") == 2 ** 20
    monkeypatch.setattr(validation, "available_memory", lambda: 2 ** 20 - 1024)
    with pytest.raises(ValueError, match=r"^n_events=10 would need 1\.0 MiB for the stream, "
                                         r"more than the 1023\.0 KiB of memory available"):
        validation.check_memory("n_events", 10, 2 ** 20, "the stream")
    # a machine whose free memory is unknown never refuses
    monkeypatch.setattr(validation, "available_memory", lambda: None)
    assert validation.check_memory("n_events", 10, 2 ** 60, "the stream") == 2 ** 60


@pytest.mark.parametrize("call, name", [
    (lambda: environments.zipf(HUGE, 10), "n_events"),
    (lambda: environments.zipf(10, HUGE), "n_items"),
    (lambda: environments.power_law(2 ** 31 - 1), "n_events"),
    (lambda: environments.massed(10 ** 6, 10 ** 6, [1.0]), "n_items \\* repetitions"),
    (lambda: environments.spaced(10 ** 6, 10 ** 6, 5.0, [1.0]), "n_items \\* repetitions"),
    (lambda: environments.view_batch(10 ** 6, 10 ** 3, 10 ** 3), "n_items \\* views \\* cycles"),
    (lambda: environments.sequential_tasks(10 ** 6, 2, 10), "n_tasks"),
    (lambda: environments.sequential_tasks(2, 2, HUGE), "n_tasks \\* steps_per_task"),
    (lambda: environments.reoccurrence(10, 2, 10 ** 11, 5), "n_tasks"),
    (lambda: environments.review_schedule(10 ** 5, 10 ** 5, 10),
     "n_learners \\* n_items \\* reviews_per_item"),
    (lambda: environments.permuted_tasks(HUGE), "n_tasks"),
    (lambda: environments.listening_sessions(10 ** 7, 10 ** 6), "n_sessions \\* session_length"),
    (lambda: environments.view_batch_tasks(10 ** 5, 2, 10 ** 5, views=100),
     "n_tasks \\* steps_per_task \\* views"),
    (lambda: simulator.simulate_schedule(simulator.Leitner(), simulator.ACTR(), 10,
                                         days=10 ** 10), "days"),
    (lambda: simulator.simulate_schedule(simulator.Leitner(), simulator.ACTR(), HUGE, days=2),
     "n_items"),
    (lambda: simulator.run(simulator.ACTR(), EventStream(time=np.arange(1e5),
                                                         item=np.arange(100000)),
                           probe_times=np.arange(1e5)), "probe_times"),
    (lambda: simulator.run(simulator.Hebbian(n_units=10 ** 6),
                           EventStream(time=[0.0], item=[0])), "agent"),
    (lambda: simulator.run(simulator.SGDLearner(n_classes=2, samples_per_class=1),
                           EventStream(time=[0.0, 1.0], item=[0, HUGE - 1])), "agent"),
])
def test_size_mistakes_are_named_errors(call, name):
    with pytest.raises(ValueError, match=f"^{name}=.* would need .* more than the .* "
                                         f"available$"):
        call()


def test_sparse_ids_are_compacted_with_the_original_ids_kept():
    stream = EventStream(time=[0.0, 1.0, 2.0, 3.0], item=[7, HUGE, 7, HUGE], kind=[0, 0, 1, 1])
    compact = compact_items(stream)
    np.testing.assert_array_equal(compact.item, [0, 1, 0, 1])
    np.testing.assert_array_equal(compact.item_ids, [7, HUGE])
    assert compact.n_items == 2
    again = compact_items(compact)  # composed with the stream's own ids
    np.testing.assert_array_equal(again.item_ids, [7, HUGE])
    agent = simulator.ACTR()
    ds = simulator.run(agent, stream, seed=4)
    np.testing.assert_array_equal(ds.item.values, stream.item)
    assert ds.attrs["n_items"] == HUGE + 1
    # the same run as on ids 0 and 1: per-event results do not depend on the renumbering
    dense = simulator.run(agent, EventStream(time=stream.time, item=[0, 1, 0, 1],
                                             kind=stream.kind), seed=4)
    for name in ("activation", "p_recall", "recalled", "latency", "lag", "n_prior"):
        np.testing.assert_array_equal(ds[name].values, dense[name].values)
    observed = EventStream(time=stream.time, item=stream.item, kind=stream.kind,
                           outcome=[np.nan, np.nan, 1.0, 0.0])
    predicted = simulator.predict(agent, observed)
    np.testing.assert_allclose(predicted.p_recall.values, dense.p_recall.values, rtol=1e-12)
