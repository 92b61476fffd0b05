"""SGD learner training throughput: jitted kernels vs the same network in plain numpy.

Both train the same one-hidden-layer ReLU network (same data, initial weights and
example order: a 10-task power-law rehearsal stream) by minibatch SGD; the numpy
peer is vectorised per minibatch (matrix products over the batch). The first
examples' losses are checked to agree. BLAS runs on one thread for both. Then the full
experiment of ``examples/sweep_continual_learning.toml`` (10 permuted tasks,
its 9 regimes x 5 seeds) is timed through ``simulator.sweep_regimes`` with 2 worker
processes (wall time). Throughput ratios are of CPU time (``time.process_time``,
single-threaded), which other jobs on a shared machine do not inflate; wall-time
throughputs are printed beside them.

    python benchmarks/bench_learner.py [--hidden 100] [--steps 2000] [--no-experiment]
"""
import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from _timing import ROOT, best_of  # first: this checkout's packages, not an installed copy

import environments as env  # noqa: E402
import simulator  # noqa: E402
from environments.seeding import generator, seed_sequence  # noqa: E402
from simulator.cli.config import config_agent, config_environment, read_config  # noqa: E402
from simulator.models.learner._kernels import unpack  # noqa: E402


def numpy_train(learner, data, items, seed):
    """Minibatch SGD in numpy, one vectorised step per minibatch; per-event losses."""
    theta = learner.initial_weights(generator(seed_sequence(seed)))
    w1, b1, w2, b2 = unpack(theta, learner.n_features, learner.hidden, learner.n_classes)
    rate, batch_size = learner.learning_rate, learner.batch_size
    losses = np.empty(len(items))
    for start in range(0, len(items), batch_size):
        batch = slice(start, start + batch_size)
        x, y = data.item_example(items[batch])
        rows = np.arange(len(y))
        z1 = x @ w1.T + b1
        h = np.maximum(z1, 0.0)
        z2 = h @ w2.T + b2
        z2 -= z2.max(axis=1, keepdims=True)
        p = np.exp(z2)
        p /= p.sum(axis=1, keepdims=True)
        losses[batch] = -np.log(p[rows, y])
        p[rows, y] -= 1.0
        p /= len(y)
        dz1 = (p @ w2) * (z1 > 0.0)
        w2 -= rate * (p.T @ h)
        b2 -= rate * p.sum(axis=0)
        w1 -= rate * (dz1.T @ x)
        b1 -= rate * dz1.sum(axis=0)
    return losses


def compare(batch_size, hidden, steps):
    learner = simulator.SGDLearner(hidden=hidden, batch_size=batch_size)
    stream = env.sequential_tasks(10, learner.items_per_task, steps, rehearsal="power", seed=1)
    data = learner.data(10)
    simulator.run(learner, stream, seed=2)   # compile (or load the cache) outside the timing
    ours_wall, _ = best_of(3, lambda: simulator.run(learner, stream, seed=2))
    peer_wall, _ = best_of(3, lambda: numpy_train(learner, data, stream.item, 2))
    ours_time, ours = best_of(3, lambda: simulator.run(learner, stream, seed=2),
                              clock=time.process_time)
    peer_time, peer = best_of(3, lambda: numpy_train(learner, data, stream.item, 2),
                              clock=time.process_time)
    # same network: rounding differences (BLAS vs numba sums) grow over thousands of
    # steps, so compare the first few hundred examples' losses
    np.testing.assert_allclose(ours["loss"].values[:300], peer[:300], rtol=1e-6)
    n = len(stream)
    print(f"batch {batch_size:3d}: CPU time: jitted {n / ours_time:10.0f} examples/s, numpy "
          f"{n / peer_time:10.0f} examples/s, ratio {peer_time / ours_time:5.1f}x "
          f"(wall: {n / ours_wall:.0f} vs {n / peer_wall:.0f} examples/s, "
          f"{peer_wall / ours_wall:.1f}x)")


def experiment():
    config = read_config(ROOT / "examples" / "sweep_continual_learning.toml", "sweep")
    function, kwargs = config_environment(config)
    start = time.perf_counter()
    ds = simulator.sweep_regimes(config_agent(config), function, config["regimes"],
                                 config.get("grid"), replicates=config["replicates"],
                                 seed=config["seed"], reduce=config["reduce"],
                                 probe_times=config["probe_times"], environment_kwargs=kwargs,
                                 backend="processes", workers=2, progress=False)
    elapsed = time.perf_counter() - start
    runs = ds["probe_accuracy"].size // (ds.sizes["probe"] * ds.sizes["task"])
    print(f"experiment: {runs} runs ({ds.sizes['regime']} regimes x {ds.sizes['replicate']} "
          f"seeds) of {config['environment_parameters']['n_tasks']} tasks in {elapsed:.1f} s "
          f"wall on 2 workers (target < 300 s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--steps", type=int, default=2000, help="steps per task")
    parser.add_argument("--no-experiment", action="store_true")
    args = parser.parse_args()
    with threadpool_limits(limits=1, user_api="blas"):
        for batch_size in (1, 32):
            compare(batch_size, args.hidden, args.steps)
    if not args.no_experiment:
        experiment()


if __name__ == "__main__":
    main()
