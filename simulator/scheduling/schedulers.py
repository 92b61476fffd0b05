"""Spaced-repetition schedulers and the closed study loop that drives a learner.

A scheduler is a frozen, validated parameter object; its policy runs in the
jitted loop of :mod:`simulator.scheduling._kernels` as a policy id plus a
parameter array. :func:`simulate_schedule` lets a scheduler decide, day by day,
which items an ACT-R learner reviews, from the learner's answers only.
"""
import abc
import dataclasses

import numpy as np
import xarray as xr

from environments.seeding import generator, seed_attrs, seed_sequence
from environments.validation import check_number
from environments.stream import flat_attrs

from simulator.scheduling import _kernels as kernels
from environments.params import parameter, parameters, validate
from simulator.variables import SCHEDULE_VARIABLES, variable_attrs
from simulator.models.actr.model import APPROXIMATIONS, ACTR, base_level_coefficients

DAY = kernels.DAY


class _Scheduler(abc.ABC):
    """Shared behaviour: the policy id and parameter array the kernels read."""

    views = 1
    """Study presentations after each review's test (and of a new item)."""

    @abc.abstractmethod
    def _policy(self):
        """``(policy id, parameter array)`` for the jitted loop; each scheduler defines it."""

    def intervals_after(self, answers):
        """Intervals in days set after the first study and after each answer.

        ``answers`` is a sequence of booleans (recalled or not), each review
        taking place on the day the item falls due. Not defined for
        :class:`TargetRetention`, whose reviews follow the learner model.
        """
        policy, params = self._policy()
        if policy == kernels.TARGET_RETENTION:
            raise ValueError("intervals_after is not defined for TargetRetention: its reviews "
                             "follow the learner model, not the answers")
        answers = np.asarray(answers, np.bool_).reshape(-1)
        return kernels.replay_answers(policy, params, answers)


@dataclasses.dataclass(frozen=True)
class ViewBatch(_Scheduler):
    """View-batch replay (after Kang et al., CVPR 2025): ``views`` presentations in a
    row, then ``recall_interval`` days of rest, whatever the answers.

    A review is a test followed by ``views`` study presentations; a new item is
    studied ``views`` times. ``ViewBatch(1, r)`` is the one-view schedule.
    """

    views: int = parameter(1, low=1, integer=True, doc="presentations in a row")
    recall_interval: float = parameter(1.0, low=0.0, low_open=True, units="day",
                                       doc="rest between batches")

    def __post_init__(self):
        validate(self)

    def _policy(self):
        return kernels.VIEW_BATCH, np.array([float(self.views), self.recall_interval])


@dataclasses.dataclass(frozen=True)
class Leitner(_Scheduler):
    """Leitner boxes: a correct answer moves the card up one box, an error back to the
    first; box k is reviewed ``intervals[k]`` days after the card entered it.

    A new card enters box 0.
    """

    boxes: int = parameter(5, low=1, integer=True, doc="number of boxes")
    intervals: tuple = (1.0, 2.0, 4.0, 8.0, 16.0)

    def __post_init__(self):
        validate(self)
        try:
            intervals = tuple(float(v) for v in np.asarray(self.intervals, float).reshape(-1))
        except (TypeError, ValueError):
            raise ValueError(f"intervals must be {self.boxes} positive numbers of days, "
                             f"got {self.intervals!r}") from None
        if len(intervals) != self.boxes or not all(0 < v < np.inf for v in intervals):
            raise ValueError(f"intervals must be {self.boxes} (boxes) finite numbers of "
                             f"days > 0, got {self.intervals!r}")
        object.__setattr__(self, "intervals", intervals)

    def _policy(self):
        return kernels.LEITNER, np.array(self.intervals)


@dataclasses.dataclass(frozen=True)
class SM2(_Scheduler):
    """SuperMemo-2 (Wozniak 1990): intervals ``I(1) = 1``, ``I(2) = 6``,
    ``I(n) = I(n-1) * EF`` (rounded up) while the grade ``q >= 3``; ``q < 3`` restarts
    at ``I(1)``; after every review
    ``EF <- max(EF + 0.1 - (5 - q)(0.08 + (5 - q) 0.02), 1.3)``, EF starting at 2.5.

    The scheduler sees only whether the answer was recalled: a recall is graded
    ``correct_grade``, a failure ``fail_grade``.
    """

    correct_grade: int = parameter(4, low=3, high=5, integer=True,
                                   doc="SM-2 grade q of a recalled answer")
    fail_grade: int = parameter(1, low=0, high=2, integer=True,
                                doc="SM-2 grade q of a failed answer")
    initial_ease: float = parameter(2.5, low=1.3, doc="starting easiness factor EF")

    def __post_init__(self):
        validate(self)

    def _policy(self):
        # [EF0, EF floor, q correct, q fail, I(1), I(2)]
        return kernels.SM2, np.array([self.initial_ease, 1.3, float(self.correct_grade),
                                      float(self.fail_grade), 1.0, 6.0])


@dataclasses.dataclass(frozen=True)
class TargetRetention(_Scheduler):
    """Review an item when its predicted recall has fallen to ``target`` (as FSRS-style
    schedulers do).

    The prediction is the learner's recall probability from its study history
    (the ACT-R equations with the learner's parameters, without its permanent
    noise, which the scheduler cannot know), checked at the start of each day.
    """

    target: float = parameter(0.9, low=0.0, high=1.0, low_open=True, high_open=True,
                              doc="predicted recall that triggers a review")

    def __post_init__(self):
        validate(self)

    def _policy(self):
        return kernels.TARGET_RETENTION, np.array([self.target])


SCHEDULERS = (ViewBatch, Leitner, SM2, TargetRetention)


def simulate_schedule(scheduler, learner, n_items, days, reviews_per_day=None,
                      new_per_day=None, test_delays=(1.0, 7.0, 30.0, 90.0), seed=None,
                      presentation_time=10.0, events=False):
    """Let ``scheduler`` drive ``learner`` through ``n_items`` items for ``days`` days.

    Each day (starting at ``day * 86400`` s) the scheduler picks the items due
    (most overdue first; for :class:`TargetRetention` the lowest predicted
    recall first), at most ``reviews_per_day``; each review is a TEST whose
    answer is drawn from the learner's recall probability
    ``1 / (1 + exp(-(A - tau) / s))`` (the scheduler sees only the answer),
    followed by the scheduler's ``views`` STUDY presentations. Then at most
    ``new_per_day`` new items are studied. Events follow each other every
    ``presentation_time`` seconds. The learner is an :class:`~simulator.ACTR`
    (with or without the Pavlik & Anderson spacing model; psychological time
    applies between days when ``intersession_scale < 1``); its activations are
    those :func:`simulator.run` gives on the same events.

    Parameters
    ----------
    scheduler : ViewBatch, Leitner, SM2 or TargetRetention
    learner : ACTR
        Without spreading activation (``max_association == 0``).
    n_items : int
        Items to learn, >= 1; introduced in order.
    days : int
        Days simulated, >= 1.
    reviews_per_day, new_per_day : int or None
        Daily limits (>= 0; None: no limit). Due items beyond the review limit
        wait for the next day.
    test_delays : sequence of float
        Delays (days, > 0) after the start of the last day at which the final
        retention is measured.
    seed : int, SeedSequence, Generator or None
    presentation_time : float
        Seconds between consecutive events of a day's session, > 0.
    events : bool
        Also return the events (dim ``event``: ``time``, ``item``, ``kind``,
        ``p_recall``, ``recalled``).

    Returns
    -------
    xarray.Dataset
        Over ``day``: ``reviews``, ``new_items``, ``items_learned`` (items
        studied so far), ``presentations``, ``mean_recall`` (mean true recall
        probability of the items learned, at the day's start); over
        ``test_delay``: ``retention``; ``reviews_per_item`` (scalar). Attrs:
        ``scheduler`` and ``scheduler_<param>``, ``agent_<param>``, limits, seed
        entropy.
    """
    if not isinstance(scheduler, _Scheduler):
        raise ValueError(f"scheduler must be one of ViewBatch, Leitner, SM2, "
                         f"TargetRetention, got {type(scheduler).__name__}")
    if not isinstance(learner, ACTR):
        raise ValueError(f"learner must be a simulator.ACTR, got {type(learner).__name__}")
    if learner.max_association > 0:
        raise ValueError("learner.max_association must be 0: the scheduled study has no "
                         f"contexts to spread from, got {learner.max_association}")
    n_items = int(check_number("n_items", n_items, 1, None, integer=True))
    days = int(check_number("days", days, 1, None, integer=True))
    limits = {}
    for name, value in (("reviews_per_day", reviews_per_day), ("new_per_day", new_per_day)):
        limits[name] = -1 if value is None else int(check_number(name, value, 0, None,
                                                                 integer=True))
    delays = _check_delays(test_delays)
    presentation_time = float(check_number("presentation_time", presentation_time, 0.0,
                                           None, low_open=True))
    day_length = DAY / presentation_time
    if day_length < _max_events_per_day(scheduler.views, n_items, limits):
        raise ValueError(f"presentation_time ({presentation_time:g} s) too long: a day's "
                         f"session must fit in the day")

    seed_seq = seed_sequence(seed)
    rng = generator(seed_seq)
    out = {name: np.zeros(days, np.int64)
           for name in ("reviews", "new_items", "items_learned", "presentations")}
    out["mean_recall"] = np.empty(days)
    retention = np.empty(len(delays))
    policy, params = scheduler._policy()
    log = kernels.simulate_schedule_kernel(
        policy, params, scheduler.views, APPROXIMATIONS.index(learner.approximation),
        learner.decay, learner.hybrid_k, learner.age_floor, learner.spacing_scale,
        learner.spacing_intercept, learner.threshold, learner.noise,
        learner.test_is_presentation, learner.session_gap, learner.intersession_scale,
        _permanent_noise(learner, rng, n_items), base_level_coefficients(learner), n_items,
        days, limits["reviews_per_day"], limits["new_per_day"], presentation_time,
        delays * DAY, rng, events, out["reviews"], out["new_items"], out["items_learned"],
        out["presentations"], out["mean_recall"], retention)
    return _to_dataset(scheduler, learner, out, retention, delays, log if events else None,
                       dict(limits, n_items=n_items, days=days,
                            presentation_time=presentation_time), seed_seq)


def _check_delays(test_delays):
    try:
        delays = np.array(test_delays, np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"test_delays must be numbers of days > 0, got {test_delays!r}") \
            from None
    if not np.all(np.isfinite(delays) & (delays > 0)):
        raise ValueError(f"test_delays must be finite numbers of days > 0, got {test_delays!r}")
    return delays


def _max_events_per_day(views, n_items, limits):
    reviews = n_items if limits["reviews_per_day"] < 0 else limits["reviews_per_day"]
    new = n_items if limits["new_per_day"] < 0 else limits["new_per_day"]
    return min(reviews, n_items) * (1 + views) + min(new, n_items) * views


def _permanent_noise(learner, rng, n_items):
    # a child seed, as ACTR does: the permanent noise never shifts the answer draws
    noise_rng = rng.spawn(1)[0]
    if learner.permanent_noise > 0:
        return noise_rng.logistic(0.0, learner.permanent_noise, n_items)
    return np.zeros(n_items)


def _to_dataset(scheduler, learner, out, retention, delays, log, settings, seed_seq):
    data = {"reviews": ("day", out["reviews"]), "new_items": ("day", out["new_items"]),
            "items_learned": ("day", out["items_learned"]),
            "presentations": ("day", out["presentations"]),
            "mean_recall": ("day", out["mean_recall"]),
            "retention": ("test_delay", retention)}
    learned = out["items_learned"][-1]
    data["reviews_per_item"] = ((), out["reviews"].sum() / learned if learned else np.nan)
    coords = {"day": np.arange(len(out["reviews"])), "test_delay": delays}
    if log is not None:
        for name, values in zip(("time", "item", "kind", "p_recall", "recalled"), log):
            (data if name in ("p_recall", "recalled") else coords)[name] = ("event", values)
    ds = xr.Dataset(data, coords=coords)
    for name in ds.variables:
        ds[name].attrs.update(variable_attrs(name, SCHEDULE_VARIABLES))
    attrs = {"scheduler": type(scheduler).__name__, "agent": type(learner).__name__}
    attrs.update(flat_attrs(parameters(scheduler) | _extra_fields(scheduler),
                            prefix="scheduler"))
    attrs.update(flat_attrs(parameters(learner), prefix="agent"))
    attrs.update(flat_attrs(settings, prefix="schedule"))
    attrs.update(seed_attrs(seed_seq))
    ds.attrs.update(attrs)
    return ds


def _extra_fields(scheduler):
    """Scheduler fields declared without :func:`parameter` (e.g. Leitner's intervals)."""
    return {f.name: getattr(scheduler, f.name) for f in dataclasses.fields(scheduler)
            if "parameter" not in f.metadata}
