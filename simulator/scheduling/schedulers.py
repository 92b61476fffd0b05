"""Spaced-repetition schedulers and the closed study loop that drives a learner.

A scheduler is a frozen, validated parameter object whose policy is a few jitted
entry points (:class:`Scheduler`); :func:`simulate_schedule` lets it decide, day
by day, which items any memory model reviews, from the learner's answers only.
"""
import abc
import dataclasses

import numpy as np
import xarray as xr

from threadpoolctl import threadpool_limits

from environments.progress import announce_first_call
from environments.seeding import child, generator, seed_attrs, seed_sequence
from environments.validation import check_memory, check_number
from environments.stream import flat_attrs
from environments.version import version_attrs

from simulator.scheduling import _kernels as kernels
from simulator.scheduling import _policy_kernels as policy
from simulator.scheduling._interval_kernels import interval_policy
from simulator.scheduling.workload import Ratings, ReviewCosts, workload_record
from environments.params import parameter, parameters, validate
from simulator.variables import SCHEDULE_VARIABLES, variable_attrs
from simulator.protocol import check_model

DAY = kernels.DAY


class Scheduler(abc.ABC):
    """Base class of spaced-repetition schedulers: the scheduler protocol.

    A scheduler is a frozen, validated parameter object whose policy is three jitted
    entry points over a per-item state (:mod:`simulator.scheduling._policy_kernels`):
    ``introduce`` (after an item's first study, with its rating or 0), ``priority`` (at the start of a
    day: NaN when the item is not due, else its place in the day's queue) and
    ``review`` (after an answer). A subclass sets ``kernels = (introduce,
    priority, review)`` and defines :meth:`kernel_params`; ``uses_model = True``
    makes the loop hand ``priority`` the scheduler model's predicted recall.
    A new policy is one such class: :func:`simulate_schedule` runs any.
    """

    views = 1
    """Study presentations after each review's test (and of a new item)."""
    uses_model = False
    """Whether ``priority`` reads the scheduler model's prediction."""
    kernels = None

    @abc.abstractmethod
    def kernel_params(self):
        """The policy's parameter record for its kernels.

        Returns
        -------
        tuple or numpy.ndarray
        """

    def new_state(self, n_items):
        """Per-item state ``(due, level, ease, interval)``, nothing scheduled yet.

        Parameters
        ----------
        n_items : int

        Returns
        -------
        tuple of numpy arrays
        """
        return (np.full(n_items, np.inf), np.zeros(n_items, np.int64),
                np.zeros(n_items, np.int64), np.zeros(n_items, np.int64))

    def intervals_after(self, answers):
        """Intervals in days set after the first study and after each answer.

        Parameters
        ----------
        answers : sequence of bool
            Recalled or not, each review taking place on the day the item falls due.

        Returns
        -------
        numpy.ndarray
            ``len(answers) + 1`` intervals. Not defined for a scheduler whose
            reviews follow a memory model (:class:`TargetRetention`).
        """
        if self.uses_model:
            raise ValueError(f"intervals_after is not defined for {type(self).__name__}: its "
                             f"reviews follow the learner model, not the answers")
        answers = np.asarray(answers, np.bool_).reshape(-1)
        introduce, _, review = self.kernels
        params, state = self.kernel_params(), self.new_state(1)
        introduce(params, state, 0, 0.0, 0)
        out = [state[0][0]]
        for answer in answers:
            day = state[0][0]
            review(params, state, 0, day, bool(answer), 3 if answer else 1)
            out.append(state[0][0] - day)
        return np.array(out)


@dataclasses.dataclass(frozen=True)
class ViewBatch(Scheduler):
    """View-batch replay (after Kang et al., CVPR 2025): ``views`` presentations in a
    row, then ``recall_interval`` days of rest, whatever the answers.

    A review is a test followed by ``views`` study presentations; a new item is
    studied ``views`` times. ``ViewBatch(1, r)`` is the one-view schedule.

    Parameters
    ----------
    views : int
        Presentations in a row (>= 1; default 1).
    recall_interval : float
        Rest between batches (> 0; in day; default 1.0).
    """

    views: int = parameter(1, low=1, integer=True, doc="presentations in a row")
    recall_interval: float = parameter(1.0, low=0.0, low_open=True, units="day",
                                       doc="rest between batches")

    def __post_init__(self):
        validate(self)

    kernels = (policy.view_batch_introduce, policy.due_priority, policy.view_batch_review)

    def kernel_params(self):
        """``(views, recall_interval)``."""
        return (float(self.views), float(self.recall_interval))


@dataclasses.dataclass(frozen=True)
class Leitner(Scheduler):
    """Leitner boxes: a correct answer moves the card up one box, an error back to the
    first; box k is reviewed ``intervals[k]`` days after the card entered it.

    A new card enters box 0.

    Parameters
    ----------
    boxes : int
        Number of boxes (>= 1; default 5).
    intervals : tuple of float
        Days a card waits in each box before its review, one per box, each > 0;
        default (1, 2, 4, 8, 16).
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

    kernels = (policy.leitner_introduce, policy.due_priority, policy.leitner_review)

    def kernel_params(self):
        """The boxes' intervals in days."""
        return np.array(self.intervals)


@dataclasses.dataclass(frozen=True)
class SM2(Scheduler):
    """SuperMemo-2 (Wozniak 1990): intervals ``I(1) = 1``, ``I(2) = 6``,
    ``I(n) = I(n-1) * EF`` (rounded up) while the grade ``q >= 3``; ``q < 3`` restarts
    at ``I(1)``; after every review
    ``EF <- max(EF + 0.1 - (5 - q)(0.08 + (5 - q) 0.02), 1.3)``, EF starting at 2.5.

    The scheduler sees only whether the answer was recalled: a recall is graded
    ``correct_grade``, a failure ``fail_grade``.

    Parameters
    ----------
    correct_grade : int
        SM-2 grade q of a recalled answer (in [3, 5]; default 4).
    fail_grade : int
        SM-2 grade q of a failed answer (in [0, 2]; default 1).
    initial_ease : float
        Starting easiness factor EF (>= 1.3; default 2.5).
    """

    correct_grade: int = parameter(4, low=3, high=5, integer=True,
                                   doc="SM-2 grade q of a recalled answer")
    fail_grade: int = parameter(1, low=0, high=2, integer=True,
                                doc="SM-2 grade q of a failed answer")
    initial_ease: float = parameter(2.5, low=1.3, doc="starting easiness factor EF")

    def __post_init__(self):
        validate(self)
        if abs(self.initial_ease * 100 - round(self.initial_ease * 100)) > 1e-9:
            raise ValueError(f"initial_ease must be a multiple of 0.01 (SM-2 keeps EF to two "
                             f"decimals), got {self.initial_ease!r}")

    kernels = (policy.sm2_introduce, policy.due_priority, policy.sm2_review)

    def kernel_params(self):
        """``(EF0, EF floor, q correct, q fail, I(1), I(2))``, easiness in hundredths."""
        return (int(round(self.initial_ease * 100)), 130, int(self.correct_grade),
                int(self.fail_grade), 1, 6)


@dataclasses.dataclass(frozen=True)
class TargetRetention(Scheduler):
    """Review an item when its predicted recall has fallen to ``target`` (as FSRS-style
    schedulers do).

    Without ``model``, the prediction is the scheduler model's recall probability
    from the item's study history (``scheduler_model`` of :func:`simulate_schedule`:
    by default the learner's equations with the learner's parameters, without its
    permanent noise, which the scheduler cannot know), checked at the start of each
    day. With ``model`` (e.g. :class:`simulator.FSRS`), the scheduler works as the
    FSRS scheduler does (Ye 2024, "The Algorithm"; py-fsrs 6): its own copy of
    ``model`` learns the first study and every answer (with its rating) at the
    start of the day, and the next review comes the whole number of days after
    which ``model`` predicts recall ``target`` (its ``retention_time``; for FSRS
    ``S / factor (target^(-1/w20) - 1)``), rounded half to even, at least 1 and at
    most ``maximum_interval`` days, fuzzed as FSRS fuzzes when ``fuzz``.

    Parameters
    ----------
    target : float
        Predicted recall that triggers a review (in (0, 1); default 0.9).
    model : simulator.MemoryModel, optional
        The model whose intervals are scheduled (a model whose state arrays do not
        grow, such as :class:`simulator.FSRS`); None: review by the day's prediction.
    maximum_interval : int
        Longest interval in days (>= 1; default 36500), with ``model``.
    fuzz : bool
        Spread intervals of 2.5 days or more at random over FSRS's fuzz ranges (the
        draws seeded by the schedule's seed), with ``model``.
    """

    target: float = parameter(0.9, low=0.0, high=1.0, low_open=True, high_open=True,
                              doc="predicted recall that triggers a review")
    model: object = None
    maximum_interval: int = parameter(36500, low=1, integer=True, units="day",
                                      doc="longest interval (with a model)")
    fuzz: bool = parameter(False, choices=(False, True), doc="FSRS interval fuzz")

    def __post_init__(self):
        validate(self)
        if self.model is not None:
            check_model(self.model, "model")
            if not getattr(self.model, "fixed_state", False):
                raise ValueError(f"model must be a memory model whose state does not grow "
                                 f"(such as simulator.FSRS), got {type(self.model).__name__}")

    @property
    def uses_model(self):
        """Whether the day's prediction of the scheduler model decides (no ``model``)."""
        return self.model is None

    @property
    def kernels(self):
        """``(introduce, priority, review)``: by the day's prediction, or by ``model``'s
        intervals (:func:`simulator.scheduling._interval_kernels.interval_policy`)."""
        if self.model is None:
            return (policy.target_introduce, policy.target_priority, policy.target_review)
        return interval_policy(self.model.kernels)

    def kernel_params(self):
        """``(target,)``; with ``model``: ``(target, maximum_interval, fuzz, model params)``."""
        if self.model is None:
            return (float(self.target),)
        return (float(self.target), float(self.maximum_interval), bool(self.fuzz),
                self.model.kernel_params())

    def new_state(self, n_items, rng=None):
        """The built-in per-item state; with ``model`` also the model's memory and the
        fuzz generator (``rng``, default seed 0).

        Parameters
        ----------
        n_items : int
        rng : numpy.random.Generator, optional

        Returns
        -------
        tuple of numpy arrays
        """
        state = super().new_state(n_items)
        if self.model is None:
            return state
        rng = np.random.default_rng(0) if rng is None else rng
        return state + (self.model.new_state(n_items, rng), rng)


SCHEDULERS = (ViewBatch, Leitner, SM2, TargetRetention)

MODEL_SEED = 2**20
"""Child of a schedule's seed that seeds the scheduler model's state."""
RATING_SEED = 2**20 + 1
"""Child of a schedule's seed that draws the ratings of the answers."""
SCHEDULER_SEED = 2**20 + 2
"""Child of a schedule's seed that seeds the scheduler's own draws (FSRS fuzz)."""
STEPS_SEED = 2**20 + 3
"""Child of a schedule's seed that draws first ratings and learning-step ratings."""


def simulate_schedule(scheduler, learner, n_items, days, reviews_per_day=None,
                      new_per_day=None, test_delays=(1.0, 7.0, 30.0, 90.0), seed=None,
                      presentation_time=10.0, events=False, scheduler_model=None,
                      time_per_day=None, costs=None, ratings=None):
    """Let ``scheduler`` drive ``learner`` through ``n_items`` items for ``days`` days.

    Each day (starting at ``day * 86400`` s) the scheduler picks the items due
    (most overdue first; for :class:`TargetRetention` the lowest predicted
    recall first), at most ``reviews_per_day``; each review is a TEST whose
    answer is drawn from the learner's recall probability (its ``predict``; the
    scheduler sees only the answer and its rating), followed by the scheduler's
    ``views`` STUDY presentations. Then at most ``new_per_day`` new items are
    studied. Events follow each other every ``presentation_time`` seconds.

    Each review and new item costs time (``costs``, seconds by state and rating;
    default the FSRS simulator's): the day's session ends at the first card that
    would take it past ``time_per_day`` seconds, and ``time_spent`` reports the
    day's workload in seconds. With ``ratings`` every view is a rated answer, as
    in Anki and the FSRS simulator: a new card's first view is rated from
    ``first_rating_prob`` and followed by learning steps, a lapse by relearning
    steps (same-day answers, rated from the step transitions), and a review is
    not followed by study presentations. :class:`simulator.FSRS` as the learner
    with ``calendar_days=True`` and ``TargetRetention(target,
    model=FSRS(calendar_days=True))`` with ``ratings=Ratings()`` and
    ``time_per_day=1800`` is the FSRS simulator's default workload. The
    learner is any memory model (:class:`simulator.MemoryModel`); an ACT-R
    learner's activations are those :func:`simulator.run` gives on the same
    events. A model-based scheduler predicts with ``scheduler_model``, which
    learns only from what the scheduler observes: by default the learner's
    population model (:meth:`~simulator.MemoryModel.population_model`; ACT-R
    without its permanent noise, which a scheduler cannot know); another model,
    or the same model with other parameters, simulates a misspecified scheduler.

    Parameters
    ----------
    scheduler : simulator.Scheduler
        ViewBatch, Leitner, SM2, TargetRetention or any other policy class.
    learner : simulator.MemoryModel
        The learner's true memory (ACT-R without spreading activation, or any
        other model).
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
        ``p_recall``, ``recalled``, ``rating``).
    scheduler_model : simulator.MemoryModel, optional
        What a model-based scheduler predicts with (see above).
    time_per_day : float or None
        Seconds of study a day (> 0; None: no limit), as the FSRS simulator's
        ``max_cost_perday``.
    costs : simulator.ReviewCosts, optional
        Seconds per view by state and rating (without ``ratings``, a review costs
        the review cost of its rating and a new item the learning cost of Good).
    ratings : simulator.Ratings, optional
        Rated views with learning and relearning steps (see above); None: each
        review is rated by the learner model's ``rate`` and followed by the
        scheduler's ``views`` study presentations.

    Returns
    -------
    xarray.Dataset
        Over ``day``: ``reviews``, ``new_items``, ``items_learned`` (items
        studied so far), ``presentations``, ``mean_recall`` (mean true recall
        probability of the items learned, at the day's start), ``time_spent``
        (s), ``memorized`` (sum of the learned items' recall probabilities after
        the day's session, the FSRS simulator's "memorized"); over
        ``test_delay``: ``retention``; ``reviews_per_item`` (scalar). Attrs:
        ``scheduler`` and ``scheduler_<param>``, ``agent_<param>``, limits, seed
        entropy.
    """
    if not isinstance(scheduler, Scheduler):
        raise ValueError(f"scheduler must be a simulator.Scheduler such as ViewBatch, Leitner, "
                         f"SM2 or TargetRetention, got {type(scheduler).__name__}")
    check_model(learner, "learner")
    announce_first_call("simulate_schedule", "its closed scheduling loop")
    if scheduler_model is None:
        scheduler_model = learner.population_model()
    check_model(scheduler_model, "scheduler_model")
    n_items = int(check_number("n_items", n_items, 1, None, integer=True))
    days = int(check_number("days", days, 1, None, integer=True))
    check_memory("days", days, 5 * 8 * days, "the per-day results")
    check_memory("n_items", n_items, learner.state_bytes(n_items)
                 + scheduler_model.state_bytes(n_items) + 64 * n_items, "the models' state")
    limits = {}
    for name, value in (("reviews_per_day", reviews_per_day), ("new_per_day", new_per_day)):
        limits[name] = -1 if value is None else int(check_number(name, value, 0, None,
                                                                 integer=True))
    delays = _check_delays(test_delays)
    time_per_day = np.inf if time_per_day is None else float(
        check_number("time_per_day", time_per_day, 0.0, None, low_open=True))
    if costs is None:
        costs = ReviewCosts()
    elif not isinstance(costs, ReviewCosts):
        raise ValueError(f"costs must be a simulator.ReviewCosts, got {type(costs).__name__}")
    if ratings is not None and not isinstance(ratings, Ratings):
        raise ValueError(f"ratings must be a simulator.Ratings or None, got "
                         f"{type(ratings).__name__}")
    presentation_time = float(check_number("presentation_time", presentation_time, 0.0,
                                           None, low_open=True))
    day_length = DAY / presentation_time
    if day_length < _max_events_per_day(scheduler.views, n_items, limits, ratings is not None,
                                        time_per_day, costs):
        raise ValueError(f"presentation_time ({presentation_time:g} s) too long: a day's "
                         f"session must fit in the day")

    seed_seq = seed_sequence(seed)
    rng = generator(seed_seq)
    out = {name: np.zeros(days, np.int64)
           for name in ("reviews", "new_items", "items_learned", "presentations")}
    out["mean_recall"] = np.empty(days)
    out["time_spent"] = np.zeros(days)
    out["memorized"] = np.zeros(days)
    retention = np.empty(len(delays))
    learner_state = learner.new_state(n_items, rng)
    if not scheduler.uses_model:
        model_use = kernels.NO_MODEL
    elif scheduler_model == learner and not learner.state_is_random():
        model_use = kernels.SHARED_MODEL
    else:
        model_use = kernels.OWN_MODEL
    model_state = (scheduler_model.new_state(n_items, generator(child(seed_seq, MODEL_SEED)))
                   if model_use == kernels.OWN_MODEL else learner_state)
    loop = kernels.schedule_loop(learner.kernels, scheduler_model.kernels,
                                 scheduler.kernels, model_use)
    with threadpool_limits(limits=1, user_api="blas"):
        log = loop((learner.kernel_params(), learner_state),
                   (scheduler_model.kernel_params(), model_state),
                   (scheduler.kernel_params(), _scheduler_state(scheduler, n_items, seed_seq),
                    int(scheduler.views)),
                   (n_items, days, limits["reviews_per_day"], limits["new_per_day"],
                    presentation_time, delays * DAY, bool(events), time_per_day),
                   workload_record(costs, ratings),
                   (rng, generator(child(seed_seq, RATING_SEED)),
                    generator(child(seed_seq, STEPS_SEED))),
                   (out["reviews"], out["new_items"], out["items_learned"],
                    out["presentations"], out["mean_recall"], retention, out["time_spent"],
                    out["memorized"]))
    settings = dict(limits, n_items=n_items, days=days, presentation_time=presentation_time,
                    time_per_day=time_per_day if np.isfinite(time_per_day) else -1.0,
                    rated=ratings is not None)
    settings.update(flat_attrs(dataclasses.asdict(costs), prefix="cost"))
    if ratings is not None:
        settings.update(flat_attrs(dataclasses.asdict(ratings), prefix="ratings"))
    return _to_dataset(scheduler, learner, scheduler_model, out, retention, delays,
                       log if events else None, settings, seed_seq)


def _scheduler_state(scheduler, n_items, seed_seq):
    """The scheduler's fresh state; a :class:`TargetRetention` with a model draws its
    fuzz from child :data:`SCHEDULER_SEED` of the schedule's seed."""
    if isinstance(scheduler, TargetRetention) and scheduler.model is not None:
        return scheduler.new_state(n_items, generator(child(seed_seq, SCHEDULER_SEED)))
    return scheduler.new_state(n_items)


def _check_delays(test_delays):
    try:
        delays = np.array(test_delays, np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"test_delays must be numbers of days > 0, got {test_delays!r}") \
            from None
    if not np.all(np.isfinite(delays) & (delays > 0)):
        raise ValueError(f"test_delays must be finite numbers of days > 0, got {test_delays!r}")
    return delays


def _max_events_per_day(views, n_items, limits, rated, time_per_day, costs):
    reviews = n_items if limits["reviews_per_day"] < 0 else limits["reviews_per_day"]
    new = n_items if limits["new_per_day"] < 0 else limits["new_per_day"]
    cheapest = costs.table()[:2].min()  # the least a card costs
    if np.isfinite(time_per_day) and cheapest > 0:
        cards = int(time_per_day // cheapest) + 1
        reviews, new = min(reviews, cards), min(new, cards)
    if rated:
        return (min(reviews, n_items) + min(new, n_items)) * (1 + kernels.MAX_STEPS)
    return min(reviews, n_items) * (1 + views) + min(new, n_items) * views


def _to_dataset(scheduler, learner, scheduler_model, out, retention, delays, log, settings,
                seed_seq):
    data = {"reviews": ("day", out["reviews"]), "new_items": ("day", out["new_items"]),
            "items_learned": ("day", out["items_learned"]),
            "presentations": ("day", out["presentations"]),
            "mean_recall": ("day", out["mean_recall"]),
            "time_spent": ("day", out["time_spent"]), "memorized": ("day", out["memorized"]),
            "retention": ("test_delay", retention)}
    learned = out["items_learned"][-1]
    data["reviews_per_item"] = ((), out["reviews"].sum() / learned if learned else np.nan)
    coords = {"day": np.arange(len(out["reviews"])), "test_delay": delays}
    if log is not None:
        for name, values in zip(("time", "item", "kind", "p_recall", "recalled", "rating"), log):
            (data if name in ("p_recall", "recalled", "rating") else coords)[name] = (
                "event", values)
    ds = xr.Dataset(data, coords=coords)
    for name in ds.variables:
        ds[name].attrs.update(variable_attrs(name, SCHEDULE_VARIABLES))
    attrs = {"scheduler": type(scheduler).__name__, "agent": type(learner).__name__,
             "scheduler_model": type(scheduler_model).__name__}
    attrs.update(flat_attrs(parameters(scheduler) | _extra_fields(scheduler),
                            prefix="scheduler"))
    policy_model = getattr(scheduler, "model", None)
    if policy_model is not None:
        attrs["scheduler_model"] = type(policy_model).__name__
        attrs.update(flat_attrs(parameters(policy_model), prefix="scheduler_model"))
    attrs.update(flat_attrs(parameters(learner), prefix="agent"))
    attrs.update(flat_attrs(settings, prefix="schedule"))
    attrs.update(seed_attrs(seed_seq))
    attrs.update(version_attrs())
    ds.attrs.update(attrs)
    return ds


def _extra_fields(scheduler):
    """Scheduler fields declared without :func:`parameter` (e.g. Leitner's intervals)."""
    return {f.name: getattr(scheduler, f.name) for f in dataclasses.fields(scheduler)
            if "parameter" not in f.metadata and f.name != "model"}
