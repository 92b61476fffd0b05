"""Repeated consumption in sessions: tracks re-listened with power-law recency and
co-occurring within listening sessions (the setting of ACT-R-based music
recommenders)."""
import numpy as np

from environments.params import argument, declare_parameters
from environments.seeding import generator, seed_attrs, seed_sequence
from environments.stream import EventStream
from environments.validation import EVENT_BYTES, check_memory


@declare_parameters(
    n_sessions=argument(low=1, integer=True, units="count", doc="number of sessions"),
    session_length=argument(low=1, integer=True, units="count",
                            doc="events per session"),
    n_items=argument(low=1, integer=True, units="count", doc="number of items"),
    n_clusters=argument(low=1, integer=True, units="count",
                        doc="groups of items that share sessions (genres, albums)"),
    repeat_prob=argument(low=0.0, high=1.0, doc="probability an event re-consumes an item"),
    exponent=argument(low=0.0, low_open=True,
                      doc="power-law exponent of re-consumption vs events since"),
    session_gap=argument(low=0.0, low_open=True, high=1e9, units="s",
                         doc="mean time between session starts"),
    event_gap=argument(low=0.0, low_open=True, high=1e9, units="s",
                       doc="time between events"))
def listening_sessions(n_sessions, session_length=20, n_items=500, n_clusters=10,
                       repeat_prob=0.7, exponent=1.0, session_gap=86400.0, event_gap=210.0,
                       seed=None):
    """Sessions of repeated consumption, each focused on one group of related items.

    Item ``i`` belongs to group ``i % n_clusters``. A session picks a group, then
    ``session_length`` events ``event_gap`` s apart. With probability
    ``repeat_prob`` a choice repeats the past: the session's group is the group of
    an earlier session ``s`` sessions back, chosen with weight ``s ** -exponent``,
    and an event's item is an earlier event of that group ``l`` events back (over
    the whole stream), chosen with weight ``l ** -exponent`` (power-law recency of
    re-consumption, as Anderson & Schooler 1991 found for needs). Otherwise the
    group is drawn uniformly and the item is one of the group's items not yet
    consumed (uniformly; any of the group's once all have been). Items thus
    co-occur within sessions with their group-mates, and the session is each
    event's ``context`` (ACT-R spreading activation). Session starts are
    separated by exponential gaps of mean ``session_gap`` (at least the session's
    own length).

    Parameters
    ----------
    n_sessions : int
        Number of sessions, >= 1.
    session_length : int
        Events per session, >= 1.
    n_items : int
        Number of items, >= 1.
    n_clusters : int
        Groups of items, 1 .. n_items.
    repeat_prob : float
        Probability that a session's group and an event's item repeat the past, in [0, 1].
    exponent : float
        Power-law exponent of re-consumption vs sessions or events since, > 0.
    session_gap : float
        Mean seconds between session starts, in (0, 1e9].
    event_gap : float
        Seconds between events in a session, in (0, 1e9].
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    EventStream
        STUDY events (each consumption is a presentation), ``context`` = session.
    """
    if n_clusters > n_items:
        raise ValueError(f"n_clusters must be in [1, n_items = {n_items}], got {n_clusters}")
    check_memory("n_sessions * session_length", n_sessions * session_length,
                 EVENT_BYTES * n_sessions * session_length, "the stream")
    check_memory("n_items", n_items, 32 * n_items, "the items' clusters")
    seed_seq = seed_sequence(seed)
    rng = generator(seed_seq)
    n = n_sessions * session_length
    item = np.empty(n, np.int64)
    group_of_session = np.empty(n_sessions, np.int64)
    consumed = np.zeros(n_items, np.bool_)
    members = [np.arange(g, n_items, n_clusters) for g in range(n_clusters)]
    past = [[] for _ in range(n_clusters)]  # event indices of each group
    e = 0
    for s in range(n_sessions):
        if s > 0 and rng.random() < repeat_prob:
            back = np.arange(s, 0, -1, dtype=np.float64)  # sessions since each earlier one
            weights = back ** -exponent
            group = group_of_session[rng.choice(s, p=weights / weights.sum())]
        else:
            group = int(rng.integers(n_clusters))
        group_of_session[s] = group
        for _ in range(session_length):
            history = past[group]
            if history and rng.random() < repeat_prob:
                since = e - np.asarray(history, np.float64)
                weights = since ** -exponent
                chosen = item[history[rng.choice(len(history), p=weights / weights.sum())]]
            else:
                fresh = members[group][~consumed[members[group]]]
                pool = fresh if len(fresh) else members[group]
                chosen = pool[rng.integers(len(pool))]
            item[e] = chosen
            consumed[chosen] = True
            history.append(e)
            e += 1
    session_length_s = session_length * event_gap
    gaps = np.maximum(rng.exponential(session_gap, n_sessions), session_length_s)
    starts = np.concatenate([[0.0], np.cumsum(gaps[:-1])])
    time = (starts[:, None] + event_gap * np.arange(session_length)[None, :]).reshape(-1)
    meta = {"generator": "listening_sessions", "n_sessions": n_sessions,
            "session_length": session_length, "n_items": n_items, "n_clusters": n_clusters,
            "repeat_prob": float(repeat_prob), "exponent": float(exponent),
            "session_gap": float(session_gap), "event_gap": float(event_gap)}
    meta.update(seed_attrs(seed_seq))
    return EventStream(time=time, item=item, n_items=n_items,
                       context=np.repeat(np.arange(n_sessions), session_length), meta=meta)
