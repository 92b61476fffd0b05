"""View-batch replay in a continual-learning stream: each sample seen ``views`` times in a row.

Kang et al. (CVPR 2025, "Do your best and get enough rest for continual
learning") present each sample ``V`` times in a row (a minibatch of ``B`` holds
``B / V`` samples x ``V`` views) and reuse the sample order, so a sample returns
``V`` times later than with one view while the number of updates is unchanged:
the recall interval grows by ``V`` at equal total study. Here the same protocol
is laid over :func:`environments.sequential_tasks`: the steps each task spends on
its own and on earlier tasks' items are those of
:func:`environments.rehearsal_counts`, whatever ``views``; only their grouping into
runs of ``views`` consecutive presentations of one sample changes.
"""
import numpy as np

from environments.params import argument, declare_parameters
from environments.seeding import generator, seed_attrs, seed_sequence
from environments.sequential import REHEARSAL_RULES, balanced_draws, rehearsal_counts
from environments.stream import STUDY, EventStream
from environments.validation import EVENT_BYTES, check_memory


@declare_parameters(
    n_tasks=argument(low=1, integer=True, units="count", doc="number of tasks"),
    items_per_task=argument(low=1, integer=True, units="count", doc="items per task"),
    steps_per_task=argument(low=1, integer=True, units="count", doc="study steps per task"),
    views=argument(low=1, integer=True, units="count",
                   doc="consecutive presentations of a sample"),
    rehearsal=argument(choices=REHEARSAL_RULES, doc="rehearsal rule"),
    exponent=argument(low=0.0, doc="power-law exponent of rehearsal by lag"),
    scale=argument(low=0.0, low_open=True, units="count",
                   doc="exponential rehearsal scale, in tasks"),
    rehearsal_fraction=argument(low=0.0, high=1.0, doc="share of steps spent rehearsing"),
    budgeted=argument(choices=(True, False), doc="rehearsal within a fixed step budget"),
    time_step=argument(low=0.0, low_open=True, high=1e9, units="s", doc="seconds per step"))
def view_batch_tasks(n_tasks, items_per_task, steps_per_task, views=1, rehearsal="none",
                     exponent=1.0, scale=1.0, rehearsal_fraction=0.25, budgeted=True,
                     time_step=1.0, seed=None):
    """Sequential tasks in which every sample is presented ``views`` times in a row.

    Task ``j`` spends ``counts[j, k]`` steps (:func:`environments.rehearsal_counts`
    with the rehearsal arguments) on task ``k``'s items, exactly as
    :func:`environments.sequential_tasks` does, so every ``views`` gives the same
    number of presentations per task and per source task. Those steps are cut
    into *runs*: ``ceil(counts[j, k] / views)`` runs per source task, each run
    ``views`` consecutive steps on one sample (the last run of a source is
    shorter when ``views`` does not divide its count). A source's runs visit its
    samples in successive random permutations, and the runs of all sources of
    the task are shuffled together, so rehearsal stays interleaved with the new
    task. A sample thus returns after about ``views * items_per_task`` steps of
    its own source instead of ``items_per_task``: the recall interval grows by
    ``views`` (Kang et al. 2025). With a learner's ``batch_size`` a multiple of
    ``views``, every minibatch holds ``batch_size / views`` samples x ``views``
    presentations, the paper's minibatch (here without augmentation: the views
    are identical).

    Step ``s`` (from 0 over all tasks) is at time ``s * time_step``; ``task_ends``
    in ``meta`` is as in :func:`environments.sequential_tasks`, so
    ``probe_times="task_ends"`` rules work.

    Parameters
    ----------
    n_tasks, items_per_task, steps_per_task : int
        Number of tasks, items per task, study steps per task; each >= 1.
    views : int
        Consecutive presentations of a sample (``V``), >= 1; ``views = 1`` is an
        ordinary shuffled stream.
    rehearsal : {"power", "exponential", "uniform", "none", "full"}
        Rehearsal rule (default ``"none"``, blocked training).
    exponent : float
        Power-law exponent (``"power"``), >= 0.
    scale : float
        Exponential scale in tasks (``"exponential"``), > 0.
    rehearsal_fraction : float
        Share of a task's steps spent rehearsing, in [0, 1].
    budgeted : bool
        Rehearsal within the task's steps (True) or added to them.
    time_step : float
        Seconds per step, in (0, 1e9].
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    EventStream
        STUDY events with ``task``; ``meta`` holds the arguments, the seed entropy,
        ``task_ends`` (s) and ``recall_interval``: the mean number of steps from one
        run of a sample to its next run, over the samples of each task's own
        study (s, with ``time_step``).
    """
    check_memory("n_tasks * steps_per_task * views", n_tasks * steps_per_task * views,
                 EVENT_BYTES * n_tasks * steps_per_task * views, "the stream")
    counts = rehearsal_counts(n_tasks, steps_per_task, rehearsal, exponent, scale,
                              rehearsal_fraction, budgeted)
    seed_seq = seed_sequence(seed)
    rng = generator(seed_seq)
    step_item, step_task = [], []
    for j in range(len(counts)):
        run_source, run_item, run_length = [], [], []
        for k in range(j + 1):
            count = int(counts[j, k])
            if count == 0:
                continue
            n_runs = -(-count // views)
            lengths = np.full(n_runs, views, np.int64)
            lengths[-1] = count - views * (n_runs - 1)
            run_source.append(np.full(n_runs, k, np.int64))
            run_item.append(k * items_per_task + balanced_draws(rng, n_runs, items_per_task))
            run_length.append(lengths)
        run_source = np.concatenate(run_source)
        run_item = np.concatenate(run_item)
        run_length = np.concatenate(run_length)
        # shuffle whole runs, keeping each source's sample order
        order = np.empty(len(run_source), np.int64)
        slots = rng.permutation(len(run_source))
        for k in np.unique(run_source):
            mine = np.flatnonzero(run_source == k)
            order[np.sort(slots[mine])] = mine
        step_item.append(np.repeat(run_item[order], run_length[order]))
        step_task.append(np.repeat(run_source[order], run_length[order]))
    item = np.concatenate(step_item)
    task = np.concatenate(step_task).astype(np.int32)
    time = np.arange(len(item)) * float(time_step)
    meta = {
        "generator": "view_batch_tasks",
        "n_tasks": int(len(counts)),
        "items_per_task": int(items_per_task),
        "steps_per_task": int(steps_per_task),
        "views": int(views),
        "rehearsal": rehearsal,
        "exponent": float(exponent),
        "scale": float(scale),
        "rehearsal_fraction": float(rehearsal_fraction),
        "budgeted": bool(budgeted),
        "time_step": float(time_step),
        "task_ends": ((np.cumsum(counts.sum(axis=1)) - 1) * float(time_step)).tolist(),
        "recall_interval": float(_mean_recall_interval(item, task, counts) * time_step),
    }
    meta.update(seed_attrs(seed_seq))
    return EventStream(time=time, item=item, kind=np.full(len(item), STUDY), task=task,
                       n_items=len(counts) * items_per_task, meta=meta)


def _mean_recall_interval(item, task, counts):
    """Mean steps between the starts of consecutive runs of the same sample, within
    each task's own study (the new task's samples during its own steps)."""
    ends = np.cumsum(counts.sum(axis=1))
    starts = np.r_[0, ends[:-1]]
    gaps = []
    for j, (start, end) in enumerate(zip(starts, ends)):
        steps = np.arange(start, end)
        own = steps[task[start:end] == j]
        if len(own) == 0:
            continue
        # the first step of each run of one sample
        first = own[np.r_[True, (item[own[1:]] != item[own[:-1]]) | (np.diff(own) > 1)]]
        by_item = {}
        for s in first:
            by_item.setdefault(int(item[s]), []).append(s)
        for onsets in by_item.values():
            gaps.extend(np.diff(onsets))
    return float(np.mean(gaps)) if gaps else 0.0
