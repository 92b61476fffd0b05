"""Re-occurrence environment: long sequences of tasks whose classes come back (SCoLe)."""
import numpy as np

from environments.seeding import generator, seed_attrs, seed_sequence
from environments.params import argument, declare_parameters
from environments.validation import EVENT_BYTES, check_memory, check_number
from environments.stream import EventStream


def class_probabilities(n_classes, skew=1.0):
    """Probability that a draw picks each class: ``skew ** (-c / (n_classes - 1))``, normalised.

    Class 0 is the most frequent, ``skew`` times as likely as the last class; the
    probabilities fall geometrically with the class index in between. ``skew = 1``
    gives every class the same probability.

    Parameters
    ----------
    n_classes : int
        Number of classes, >= 1.
    skew : float
        Probability of the most frequent class over that of the least, >= 1.

    Returns
    -------
    numpy.ndarray
        float64 ``(n_classes,)`` probabilities summing to 1, falling with the index.
    """
    n_classes = check_number("n_classes", n_classes, 1, None, integer=True)
    skew = check_number("skew", skew, 1.0, None)
    if n_classes == 1:
        return np.ones(1)
    weights = float(skew) ** (-np.arange(n_classes) / (n_classes - 1))
    return weights / weights.sum()


@declare_parameters(
    n_classes=argument(low=1, integer=True, units="count", doc="number of classes"),
    classes_per_task=argument(low=1, integer=True, units="count",
                              doc="classes drawn per task (at most n_classes)"),
    n_tasks=argument(low=1, integer=True, units="count", doc="number of tasks"),
    items_per_class=argument(low=1, integer=True, units="count", doc="items per class"),
    skew=argument(low=1.0, doc="most / least likely class probability"),
    time_step=argument(low=0.0, low_open=True, high=1e9, units="s", doc="seconds per step"))
def reoccurrence(n_classes, classes_per_task, n_tasks, items_per_class, skew=1.0, time_step=1.0,
                 seed=None):
    """Many short tasks, each drawing a few classes that re-occur over the sequence.

    After SCoLe (Lesort et al. 2023, "Challenging common assumptions about
    catastrophic forgetting and knowledge accumulation"): task ``j`` draws
    ``classes_per_task`` distinct classes, one after another without replacement
    with probabilities :func:`class_probabilities` (renormalised over the classes
    not yet drawn). SCoLe skews a linearly falling base distribution by raising it
    to a power (0 = uniform); here ``skew`` is the ratio of the most to the least
    likely class, 1 = uniform. Class ``c`` owns items
    ``c * items_per_class .. (c + 1) * items_per_class - 1``; a task presents every
    item of its classes once, in random order, one STUDY event per ``time_step``,
    so task ``j`` spans steps ``j * S .. (j + 1) * S - 1`` with
    ``S = classes_per_task * items_per_class``.

    Parameters
    ----------
    n_classes : int
        Number of classes, >= 1.
    classes_per_task : int
        Classes drawn by each task, in 1 .. n_classes.
    n_tasks : int
        Number of tasks, >= 1.
    items_per_class : int
        Items (samples) per class, >= 1.
    skew : float
        Ratio of the largest to the smallest class probability, >= 1.
    time_step : float
        Seconds per step, in (0, 1e9].
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    EventStream
        ``task`` holds each event's *class* (what re-occurs, so that per-task
        results such as ``probe_accuracy`` are per class); the task in the
        sequence is ``event // S``.
    """
    classes_per_task = check_number("classes_per_task", classes_per_task, 1, n_classes,
                                    integer=True)
    check_memory("n_tasks", n_tasks, EVENT_BYTES * n_tasks * min(classes_per_task, n_classes)
                 * items_per_class + 8 * n_classes, "the stream")
    probabilities = class_probabilities(n_classes, skew)
    seed_seq = seed_sequence(seed)
    rng = generator(seed_seq)

    offsets = np.arange(items_per_class)
    items = []
    for _ in range(n_tasks):
        classes = rng.choice(n_classes, size=classes_per_task, replace=False, p=probabilities)
        members = (classes[:, None] * items_per_class + offsets).reshape(-1)
        items.append(rng.permutation(members))
    items = np.concatenate(items)
    meta = {
        "generator": "reoccurrence",
        "n_classes": n_classes,
        "classes_per_task": classes_per_task,
        "n_tasks": n_tasks,
        "items_per_class": items_per_class,
        "skew": float(skew),
        "time_step": float(time_step),
    }
    meta.update(seed_attrs(seed_seq))
    return EventStream(time=np.arange(len(items)) * float(time_step), item=items,
                       task=items // items_per_class, n_items=n_classes * items_per_class,
                       meta=meta)
