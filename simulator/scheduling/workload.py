"""What a simulated review costs in time, and how a simulated learner rates each view.

:class:`ReviewCosts` gives the seconds a view of a card takes, per state (learning,
review, relearning) and rating; :class:`Ratings` the probabilities with which a
simulated learner rates the first view of a new card, a recalled review and the
learning and relearning steps that follow. Both default to the published defaults
of the FSRS simulator (Ye 2024, fsrs-optimizer 6 ``fsrs_simulator.simulate``:
``state_rating_costs``, ``first_rating_prob``, ``review_rating_prob``,
``learning_step_count``, ``relearning_step_count`` and the step transitions),
estimated from Anki review logs.
"""
import dataclasses

import numpy as np

from environments.validation import check_number

RATING_NAMES = ("Again", "Hard", "Good", "Easy")
MAX_STEPS = 5
"""Most learning or relearning steps after one view (the FSRS simulator's limit)."""


def _vector(name, value, length, low=0.0, unit="s"):
    try:
        array = np.array(value, np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {length} numbers, got {value!r}") from None
    if len(array) != length or not np.all(np.isfinite(array) & (array >= low)):
        raise ValueError(f"{name} must be {length} finite numbers >= {low:g} ({unit}), "
                         f"got {value!r}")
    return tuple(float(v) for v in array)


def _probabilities(name, value, length):
    probs = _vector(name, value, length, unit="probabilities")
    if abs(sum(probs) - 1.0) > 1e-6:
        raise ValueError(f"{name} must be {length} probabilities summing to 1, got {value!r} "
                         f"(sum {sum(probs):.6g})")
    return probs


def _transitions(name, value):
    try:
        rows = np.array(value, np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be 3 rows of 4 probabilities, got {value!r}") from None
    if rows.shape != (3, 4):
        raise ValueError(f"{name} must be 3 rows (from Again, Hard, Good) of 4 probabilities "
                         f"(to Again..Easy), got shape {rows.shape}")
    return tuple(_probabilities(f"{name}[{k}]", row, 4) for k, row in enumerate(rows))


@dataclasses.dataclass(frozen=True)
class ReviewCosts:
    """Seconds a view of a card takes, by the card's state and the rating given.

    Each field holds four costs, for Again, Hard, Good and Easy. The defaults are
    the FSRS simulator's (fsrs-optimizer 6, ``DEFAULT_STATE_RATING_COSTS``, medians
    from Anki review logs). A new card's cost is its first view's ``learning`` cost
    plus one per learning step; a review's cost its ``review`` cost plus, after a
    lapse, one ``relearning`` cost per relearning step. (Older FSRS releases
    published per-card totals instead: learn costs 33.79, 24.3, 13.68, 6.5 s and
    review costs 23.0, 11.68, 7.33, 5.6 s.)

    Parameters
    ----------
    learning : sequence of 4 float
        Seconds per view of a new card and per learning step (>= 0).
    review : sequence of 4 float
        Seconds per review (>= 0).
    relearning : sequence of 4 float
        Seconds per relearning step after a lapse (>= 0).
    """

    learning: tuple = (19.58, 18.79, 13.78, 10.71)
    review: tuple = (19.38, 17.59, 12.38, 8.94)
    relearning: tuple = (16.44, 15.25, 12.32, 8.03)

    def __post_init__(self):
        for name in ("learning", "review", "relearning"):
            object.__setattr__(self, name, _vector(name, getattr(self, name), 4))

    def table(self):
        """The costs as a ``(3, 4)`` array: rows learning, review, relearning.

        Returns
        -------
        numpy.ndarray
        """
        return np.array([self.learning, self.review, self.relearning])


@dataclasses.dataclass(frozen=True)
class Ratings:
    """How a simulated learner rates each view of a card (Again, Hard, Good, Easy).

    The first view of a new card is rated with ``first_rating_prob`` (once per card:
    a card a day's time limit puts off keeps its rating for the next day); a review is
    rated Again when the learner fails to recall, and Hard, Good or Easy with
    ``review_rating_prob`` when it recalls (None: the learner model's own ``rate``,
    e.g. :class:`simulator.FSRS`'s ``hard_prob``/``easy_prob``). Learning steps
    follow a new card and relearning steps a lapse, all on the same day, as in the
    FSRS simulator: each step's rating is drawn from the row of the step
    transitions for the previous rating (Again, Hard or Good; Easy ends the steps);
    the steps end after ``learning_steps`` (``relearning_steps``) Good or Easy
    ratings in a row, Again restarting the count, or after 5 steps. A new card
    first rated Good or Easy needs one Good rating fewer. Every view is an
    answer the scheduler sees. Defaults: the FSRS simulator's (fsrs-optimizer 6).

    Parameters
    ----------
    first_rating_prob : sequence of 4 float
        Probabilities of Again, Hard, Good, Easy at a new card's first view (sum 1).
    review_rating_prob : sequence of 3 float or None
        Probabilities of Hard, Good, Easy given a recall (sum 1); None: the
        learner model's ``rate``.
    learning_steps, relearning_steps : int
        Good ratings in a row that end the learning (relearning) steps (>= 0; 0:
        no steps).
    learning_step_transitions, relearning_step_transitions : 3 x 4 float
        Row ``k``: probabilities of the next step's rating after rating ``k + 1``.
    relearning_updates_memory : bool
        Whether the relearning steps reach the learner's memory and the scheduler
        (as same-day reviews do in Anki and FSRS); False: they only cost time and
        the next interval follows the lapse, as in fsrs-optimizer 6's simulator
        (which overwrites the steps' stability and difficulty with the lapse's).
    """

    first_rating_prob: tuple = (0.24, 0.094, 0.495, 0.171)
    review_rating_prob: tuple = (0.224, 0.631, 0.145)
    learning_steps: int = 2
    relearning_steps: int = 1
    learning_step_transitions: tuple = ((0.3687, 0.0628, 0.5108, 0.0577),
                                        (0.0441, 0.4553, 0.4457, 0.0549),
                                        (0.0518, 0.0470, 0.8462, 0.0550))
    relearning_step_transitions: tuple = ((0.2157, 0.0643, 0.6595, 0.0605),
                                          (0.0500, 0.4638, 0.4475, 0.0387),
                                          (0.1056, 0.1434, 0.7266, 0.0244))
    relearning_updates_memory: bool = True

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "first_rating_prob", _probabilities("first_rating_prob",
                                                       self.first_rating_prob, 4))
        if self.review_rating_prob is not None:
            set_(self, "review_rating_prob", _probabilities("review_rating_prob",
                                                            self.review_rating_prob, 3))
        for name in ("learning_steps", "relearning_steps"):
            set_(self, name, int(check_number(name, getattr(self, name), 0, None,
                                              integer=True)))
        for name in ("learning_step_transitions", "relearning_step_transitions"):
            set_(self, name, _transitions(name, getattr(self, name)))
        if self.relearning_updates_memory not in (True, False):
            raise ValueError(f"relearning_updates_memory must be True or False, got "
                             f"{self.relearning_updates_memory!r}")


def workload_record(costs, ratings):
    """The scheduling loop's workload record.

    ``(costs (3, 4), rated, first_cdf (4), own_rate, review_cdf (3), learning_steps,
    relearning_steps, learning_cdf (3, 4), relearning_cdf (3, 4), relearning_memory)``;
    cumulative
    probabilities, the last of each row exactly 1 (one uniform picks a rating).
    """
    def cdf(probs):
        out = np.cumsum(np.array(probs, np.float64), axis=-1)
        out[..., -1] = 1.0
        return out

    if ratings is None:
        ratings, rated = Ratings(), False
    else:
        rated = True
    own_rate = ratings.review_rating_prob is None
    review = (1 / 3, 1 / 3, 1 / 3) if own_rate else ratings.review_rating_prob
    return (costs.table(), rated, cdf(ratings.first_rating_prob), own_rate, cdf(review),
            int(ratings.learning_steps), int(ratings.relearning_steps),
            cdf(ratings.learning_step_transitions), cdf(ratings.relearning_step_transitions),
            bool(ratings.relearning_updates_memory))
