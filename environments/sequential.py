"""Sequential tasks with rehearsal of earlier tasks: the catastrophic-interference paradigm.

Tasks are learned one after another; while task ``j`` is learned, earlier tasks are
rehearsed with amounts that fall with how many tasks back they are, as in the
naturalistic power-law rehearsal environments of Gandhi, Shah, Marupudi & Varma
(2024, "Natural mitigation of catastrophic interference: continual learning in
power-law learning environments"), after Anderson & Schooler (1991).
"""
import math

import numpy as np

from environments.seeding import generator, seed_attrs, seed_sequence
from environments.params import argument, declare_parameters
from environments.validation import EVENT_BYTES, check_memory, check_number
from environments.stream import STUDY, TEST, EventStream

REHEARSAL_RULES = ("power", "exponential", "uniform", "none", "full")


def rehearsal_weights(n_back, rehearsal="power", exponent=1.0, scale=1.0):
    """Weight of rehearsing a task ``lag`` tasks back, for ``lag = 1 .. n_back``.

    ``"power"``: ``lag ** -exponent``; ``"exponential"``: ``exp(-lag / scale)``;
    ``"uniform"`` and ``"full"``: 1; ``"none"`` (blocked learning): 0.

    Parameters
    ----------
    n_back : int
        Number of earlier tasks, >= 0.
    rehearsal : {"power", "exponential", "uniform", "full", "none"}
        The rule.
    exponent : float
        Exponent of the power rule, >= 0.
    scale : float
        Scale (in tasks) of the exponential rule, > 0.

    Returns
    -------
    numpy.ndarray
        float64 ``(n_back,)``: the weight of lags ``1 .. n_back``.
    """
    _check_rule(rehearsal)
    lag = np.arange(1, n_back + 1, dtype=np.float64)
    if rehearsal == "power":
        return lag ** -float(exponent)
    if rehearsal == "exponential":
        return np.exp(-lag / float(scale))
    if rehearsal == "none":
        return np.zeros(n_back)
    return np.ones(n_back)


def rehearsal_counts(n_tasks, steps_per_task, rehearsal="power", exponent=1.0, scale=1.0,
                     rehearsal_fraction=0.25, budgeted=True):
    """How many steps each task spends on each task's items.

    Returns an int64 array ``counts[j, k]``: the steps of task ``j`` (the task being
    learned) spent on task ``k``'s items; ``counts[j, j]`` is the study of the new
    task, ``counts[j, k < j]`` the rehearsal of task ``k`` (``lag = j - k`` tasks
    back) and ``counts[j, k > j] = 0``. Task 0 has nothing to rehearse:
    ``counts[0, 0] = steps_per_task``. For ``j >= 1``, with
    ``R = round(rehearsal_fraction * steps_per_task)`` (halves rounded up):

    * budgeted: the task lasts exactly ``steps_per_task`` steps, ``R`` of them
      rehearsal. ``R`` is split over lags ``1 .. j`` in proportion to
      :func:`rehearsal_weights` by the largest-remainder method (each lag gets the
      floor of its share; the steps left over go one each to the largest
      remainders, ties to the more recent task), so the rehearsal sums to ``R``
      exactly and the new task gets ``steps_per_task - R``.
    * unbudgeted: the new task gets the same ``steps_per_task - R`` steps, and the
      task ``lag`` back gets ``round(R * w(lag) / w(1))`` (halves up): counts in
      proportion to the weights, the previous task getting ``R``; the total grows
      with the number of earlier tasks.
    * ``"none"``: no rehearsal, ``R = 0`` (blocked learning).
    * ``"full"`` (joint training on every task met so far): budgeted, the
      ``steps_per_task`` steps are split equally over tasks ``0 .. j`` (largest
      remainder, ties to the more recent); unbudgeted, each of tasks ``0 .. j``
      gets ``steps_per_task`` steps. ``rehearsal_fraction`` is not used.

    Parameters
    ----------
    n_tasks : int
        Number of tasks, >= 1.
    steps_per_task : int
        STUDY steps per task, >= 1.
    rehearsal, exponent, scale
        The rule and its parameters, as in :func:`rehearsal_weights`.
    rehearsal_fraction : float
        Fraction of a task's steps spent on rehearsal, in [0, 1].
    budgeted : bool
        Whether rehearsal comes out of the task's steps (True) or is added to them.

    Returns
    -------
    numpy.ndarray
        int64 ``(n_tasks, n_tasks)``: ``counts[j, k]`` as described above.
    """
    n_tasks, steps_per_task, rehearsal_fraction = _check_counts_args(
        n_tasks, steps_per_task, rehearsal, exponent, scale, rehearsal_fraction, budgeted)
    check_memory("n_tasks", n_tasks, 3 * 8 * n_tasks * n_tasks, "the (task, task) counts")
    counts = np.zeros((n_tasks, n_tasks), np.int64)
    counts[0, 0] = steps_per_task
    budget = _round_half_up(rehearsal_fraction * steps_per_task)
    for j in range(1, n_tasks):
        if rehearsal == "full":
            if budgeted:
                # shares[0] is the task itself, shares[lag] the task lag back
                shares = _largest_remainder(steps_per_task, np.ones(j + 1))
                counts[j, j::-1] = shares
            else:
                counts[j, :j + 1] = steps_per_task
            continue
        if rehearsal == "none":
            counts[j, j] = steps_per_task
            continue
        if rehearsal == "exponential":
            # relative to lag 1 (only ratios count): exp(-lag / scale) underflows to 0 at
            # every lag for a small scale, exp(-(lag - 1) / scale) keeps lag 1 at 1
            with np.errstate(over="ignore"):  # lag / scale may overflow to inf: weight 0
                weights = np.exp(-np.arange(j, dtype=np.float64) / float(scale))
        else:
            weights = rehearsal_weights(j, rehearsal, exponent, scale)
        if budgeted:
            by_lag = _largest_remainder(budget, weights)
        else:
            by_lag = np.array([_round_half_up(budget * w / weights[0]) for w in weights],
                              np.int64)
        counts[j, j - 1::-1] = by_lag
        counts[j, j] = steps_per_task - budget
    return counts


@declare_parameters(
    n_tasks=argument(low=1, integer=True, units="count", doc="number of tasks"),
    items_per_task=argument(low=1, integer=True, units="count", doc="items per task"),
    steps_per_task=argument(low=1, integer=True, units="count", doc="study steps per task"),
    rehearsal=argument(choices=REHEARSAL_RULES, doc="rehearsal rule"),
    exponent=argument(low=0.0, doc="power-law exponent of rehearsal by lag"),
    scale=argument(low=0.0, low_open=True, units="count",
                   doc="exponential rehearsal scale, in tasks"),
    rehearsal_fraction=argument(low=0.0, high=1.0, doc="share of steps spent rehearsing"),
    budgeted=argument(choices=(True, False), doc="rehearsal within a fixed step budget"),
    test_every=argument(low=1, integer=True, optional=True, units="count",
                        doc="steps between TEST blocks"),
    time_step=argument(low=0.0, low_open=True, high=1e9, units="s", doc="seconds per step"))
def sequential_tasks(n_tasks, items_per_task, steps_per_task, rehearsal="power", exponent=1.0,
                     scale=1.0, rehearsal_fraction=0.25, budgeted=True, test_every=None,
                     time_step=1.0, seed=None):
    """Tasks learned one after another, earlier tasks rehearsed by a chosen rule.

    Task ``j`` owns items ``j * items_per_task .. (j + 1) * items_per_task - 1``.
    A **step** is one STUDY event: one item presented for ``time_step`` seconds
    (step ``s`` of the stream, counted from 0 over all tasks, is presented at time
    ``s * time_step``). While task ``j`` is learned, its steps are split between
    its own items and the items of earlier tasks exactly as
    :func:`rehearsal_counts` says (weights by how many tasks back: ``"power"``
    ``lag ** -exponent``, ``"exponential"`` ``exp(-lag / scale)``, ``"uniform"``,
    ``"none"`` (blocked) or ``"full"``; budgeted or not). Within a task the steps
    are shuffled, so rehearsal is interleaved with the new task, and each task's
    items are drawn in successive random permutations, so the items of a task
    get the same number of steps to within one.

    With ``test_every = n``, after every ``n``-th step (and after the last step)
    every item of every task met so far (the current task included) gets one TEST
    event, in item order, at the time the next step would start. By default an
    agent also learns from a test, as in ACT-R; ``simulator.run(probe_times=...)``
    tests without learning.

    Parameters
    ----------
    n_tasks, items_per_task, steps_per_task : int
        Number of tasks, items per task, steps per task (see
        :func:`rehearsal_counts` for what unbudgeted and ``"full"`` add); each >= 1.
    rehearsal : {"power", "exponential", "uniform", "none", "full"}
    exponent : float
        Power-law exponent (``"power"``), >= 0.
    scale : float
        Exponential scale in tasks (``"exponential"``), > 0.
    rehearsal_fraction : float
        Share of a task's steps spent rehearsing (budgeted) or the rehearsal of
        the previous task (unbudgeted), in [0, 1].
    budgeted : bool
    test_every : int, optional
        Steps between TEST blocks, >= 1; no tests when omitted.
    time_step : float
        Seconds per step, in (0, 1e9].
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    EventStream
        With ``task`` set to each event's item's task; ``meta`` records the
        parameters, the seed entropy and ``task_ends``, the time of each task's
        last step (``(steps done by the task's end - 1) * time_step``, s): a
        probe at that time sees the whole task and none of the next
        (:func:`simulator.probes.task_probe_times`).
    """
    n_tasks, steps_per_task, _ = _check_counts_args(
        n_tasks, steps_per_task, rehearsal, exponent, scale, rehearsal_fraction, budgeted)
    check_memory("n_tasks * steps_per_task", n_tasks * steps_per_task,
                 EVENT_BYTES * n_tasks * steps_per_task, "the stream")
    counts = rehearsal_counts(n_tasks, steps_per_task, rehearsal, exponent, scale,
                              rehearsal_fraction, budgeted)
    seed_seq = seed_sequence(seed)
    rng = generator(seed_seq)

    step_task = []
    step_item = []
    for j in range(len(counts)):
        source = rng.permutation(np.repeat(np.arange(j + 1), counts[j, :j + 1]))
        item = np.empty(len(source), np.int64)
        for k in range(j + 1):
            where = source == k
            item[where] = k * items_per_task + balanced_draws(rng, int(where.sum()),
                                                              items_per_task)
        step_task.append(source)
        step_item.append(item)
    step_task = np.concatenate(step_task)
    step_item = np.concatenate(step_item)
    step_time = np.arange(len(step_item)) * time_step
    time, item, kind, task = step_time, step_item, np.full(len(step_item), STUDY), step_task
    if test_every is not None:
        time, item, kind, task = _with_tests(step_time, step_item, step_task, counts,
                                             items_per_task, test_every, time_step)
    meta = {
        "generator": "sequential_tasks",
        "n_tasks": int(len(counts)),
        "items_per_task": items_per_task,
        "steps_per_task": int(steps_per_task),
        "rehearsal": rehearsal,
        "exponent": float(exponent),
        "scale": float(scale),
        "rehearsal_fraction": float(rehearsal_fraction),
        "budgeted": bool(budgeted),
        "test_every": test_every,
        "time_step": float(time_step),
        "task_ends": ((np.cumsum(counts.sum(axis=1)) - 1) * float(time_step)).tolist(),
    }
    meta.update(seed_attrs(seed_seq))
    return EventStream(time=time, item=item, kind=kind, task=task,
                       n_items=len(counts) * items_per_task, meta=meta)


def balanced_draws(rng, n_draws, n_choices):
    """``n_draws`` values in ``0 .. n_choices - 1`` from successive random permutations.

    Every value is drawn ``n_draws // n_choices`` or one more times.
    """
    n_rounds = -(-n_draws // n_choices)
    if n_rounds == 0:
        return np.empty(0, np.int64)
    return np.concatenate([rng.permutation(n_choices) for _ in range(n_rounds)])[:n_draws]


def _with_tests(step_time, step_item, step_task, counts, items_per_task, test_every,
                time_step):
    """Insert a TEST block after every ``test_every``-th step and after the last."""
    n_steps = len(step_item)
    task_end = np.cumsum(counts.sum(axis=1))  # steps completed when each task ends
    after = np.arange(test_every, n_steps + 1, test_every)
    if len(after) == 0 or after[-1] != n_steps:
        after = np.append(after, n_steps)
    pieces_time, pieces_item, pieces_kind, pieces_task = [], [], [], []
    start = 0
    for done in after:
        pieces_time.append(step_time[start:done])
        pieces_item.append(step_item[start:done])
        pieces_task.append(step_task[start:done])
        pieces_kind.append(np.full(done - start, STUDY))
        # the task the last completed step belongs to, and every task before it
        current = int(np.searchsorted(task_end, done, side="left"))
        tested = np.arange((current + 1) * items_per_task)
        pieces_time.append(np.full(len(tested), done * time_step))
        pieces_item.append(tested)
        pieces_task.append(tested // items_per_task)
        pieces_kind.append(np.full(len(tested), TEST))
        start = done
    return (np.concatenate(pieces_time), np.concatenate(pieces_item),
            np.concatenate(pieces_kind), np.concatenate(pieces_task))


def _largest_remainder(total, weights):
    """Split the integer ``total`` in proportion to ``weights``, summing exactly to it.

    Hamilton's method: floors of the exact shares, then one more to the largest
    remainders, ties to the earlier entry.
    """
    exact = total * weights / weights.sum()
    shares = np.floor(exact).astype(np.int64)
    left = total - int(shares.sum())
    order = np.argsort(-(exact - shares), kind="stable")
    shares[order[:left]] += 1
    return shares


def _round_half_up(x):
    return int(math.floor(x + 0.5))


def _check_rule(rehearsal):
    if rehearsal not in REHEARSAL_RULES:
        raise ValueError(f"rehearsal must be one of {', '.join(map(repr, REHEARSAL_RULES))}, "
                         f"got {rehearsal!r}")


def _check_counts_args(n_tasks, steps_per_task, rehearsal, exponent, scale, rehearsal_fraction,
                       budgeted):
    n_tasks = check_number("n_tasks", n_tasks, 1, None, integer=True)
    steps_per_task = check_number("steps_per_task", steps_per_task, 1, None, integer=True)
    _check_rule(rehearsal)
    check_number("exponent", exponent, 0.0, None)
    check_number("scale", scale, 0.0, None, low_open=True)
    rehearsal_fraction = check_number("rehearsal_fraction", rehearsal_fraction, 0.0, 1.0)
    if not isinstance(budgeted, (bool, np.bool_)):
        raise ValueError(f"budgeted must be True or False, got {budgeted!r}")
    return n_tasks, steps_per_task, rehearsal_fraction
