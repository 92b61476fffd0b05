"""Hebbian associative-memory kernels: njit functions of arrays and scalars only.

The network (Hopfield 1982) holds a float32 weight matrix ``W`` with zero
diagonal. A pattern ``xi`` (+-1, or 0/1 with activity ``a``) is stored through
its coding ``u = xi - offset`` (offset 0 for +-1 patterns, ``a`` for the
covariance rule of sparse patterns, Tsodyks & Feigelman 1988):

    ``W <- clip((1 - decay) W + rate * u u^T, -bound, bound)``,  ``W_ii = 0``

with ``rate = learning_rate / norm`` (``norm = N`` or ``N a (1 - a)``). Units
take the state ``high`` when their local field ``h = W s`` exceeds ``theta``,
``low`` when it falls below, and keep their state on a tie.
"""
import numpy as np

from environments.jit import njit, popcount

STUDY = 0
BLOCK = 256
"""Most patterns stored, or cues relaxed, by one matrix product: bounds the buffers."""


@njit
def store_patterns(weights, coded, rate, decay, bound):
    """Store the rows of ``coded`` (the codings ``u``) in order.

    Without a bound the rule is linear, so a block of ``B`` patterns is one
    matrix product: ``W <- (1 - decay)^B W + sum_k rate (1 - decay)^(B-1-k) u_k u_k^T``.
    With a bound (Parisi 1986, learning within bounds) each weight is clipped
    after every pattern; weights evolve independently, so the kernel walks row
    by row with all the block's patterns inside, which keeps the row in cache.
    """
    n_patterns, n_units = coded.shape
    keep = 1.0 - decay
    if np.isinf(bound):
        scaled = np.empty_like(coded)
        for k in range(n_patterns):
            coefficient = rate * keep ** (n_patterns - 1 - k)
            for j in range(n_units):
                scaled[k, j] = coefficient * coded[k, j]
        increment = np.dot(coded.T, scaled)
        shrink = keep ** n_patterns
        for i in range(n_units):
            for j in range(n_units):
                weights[i, j] = shrink * weights[i, j] + increment[i, j]
            weights[i, i] = 0.0
        return
    for i in range(n_units):
        row = weights[i]
        for k in range(n_patterns):
            c = rate * coded[k, i]
            u = coded[k]
            for j in range(n_units):
                row[j] = min(max(keep * row[j] + c * u[j], -bound), bound)
        row[i] = 0.0


@njit
def store_hebb(weights, patterns, items, rate):
    """Store the +-1 rows ``items`` of ``patterns``, in one block, by the plain Hebb rule.

    ``W_ij += rate * sum_p xi_pi xi_pj`` for ``i != j`` (Hopfield 1982, Eq. 2),
    the sum counted exactly on bits: unit ``i``'s states over the patterns are
    packed 64 to a uint64 word (bit set for +1), and for ``P`` patterns
    ``sum_p xi_pi xi_pj = P - 2 popcount(a_i XOR a_j)`` (agreements minus
    disagreements). Rows are filled whole, each pair counted from both ends:
    sequential writes beat mirroring a triangle through the cache (measured,
    N = 1000). The diagonal is kept zero.
    """
    n_patterns, n_units = len(items), patterns.shape[1]
    n_words = (n_patterns + 63) // 64
    packed = np.zeros(n_words * n_units, np.uint64)  # word w of unit i at w * N + i
    for p in range(n_patterns):
        bit = np.uint64(1) << np.uint64(p % 64)
        pattern = patterns[items[p]]
        for i in range(n_units):
            if pattern[i] > 0:
                packed[(p // 64) * n_units + i] |= bit
    disagree = np.empty(n_units, np.int64)
    for i in range(n_units):
        for j in range(n_units):
            disagree[j] = 0
        for w in range(n_words):
            a = packed[w * n_units + i]
            for j in range(n_units):
                disagree[j] += popcount(a ^ packed[w * n_units + j])
        for j in range(n_units):
            weights[i, j] += rate * (n_patterns - 2 * disagree[j])
        weights[i, i] = 0.0


@njit
def choose(pool, n_chosen, rng):
    """Move ``n_chosen`` distinct random entries of ``pool`` to its front.

    A partial Fisher-Yates shuffle: ``n_chosen`` draws, whatever the pool size.
    """
    for k in range(n_chosen):
        j = k + rng.integers(0, len(pool) - k)
        pool[k], pool[j] = pool[j], pool[k]


@njit
def make_cue(pattern, sparse, n_corrupt, rng, cue):
    """Write a corrupted copy of ``pattern`` into ``cue``.

    +-1 patterns: ``n_corrupt`` random units are flipped. 0/1 patterns:
    ``n_corrupt`` random active units are silenced and as many random inactive
    units switched on, so the cue keeps the pattern's activity.
    """
    n_units = len(pattern)
    for j in range(n_units):
        cue[j] = pattern[j]
    if not sparse:
        units = np.arange(n_units)
        choose(units, n_corrupt, rng)
        for k in range(n_corrupt):
            cue[units[k]] = -cue[units[k]]
        return
    n_active = 0
    for j in range(n_units):
        n_active += pattern[j] > 0
    active = np.empty(n_active, np.int64)
    inactive = np.empty(n_units - n_active, np.int64)
    a = 0
    for j in range(n_units):
        if pattern[j] > 0:
            active[a] = j
            a += 1
        else:
            inactive[j - a] = j
    choose(active, n_corrupt, rng)
    choose(inactive, n_corrupt, rng)
    for k in range(n_corrupt):
        cue[active[k]] = 0.0
        cue[inactive[k]] = 1.0


@njit
def async_sweep(weights, state, field, theta, low, high, order):
    """Update every unit once, in ``order``; returns the number of flips.

    A flip of unit ``i`` adds ``W[i] * (new - old)`` to the field (W is
    symmetric): O(N) per flip instead of O(N^2) per sweep.
    """
    flips = 0
    for idx in range(len(order)):
        i = order[idx]
        h = field[i]
        if h > theta:
            new = high
        elif h < theta:
            new = low
        else:
            continue
        if new != state[i]:
            delta = new - state[i]
            state[i] = new
            row = weights[i]
            for j in range(len(field)):
                field[j] += row[j] * delta
            flips += 1
    return flips


@njit
def relax_async(weights, state, field, theta, low, high, max_sweeps, rng):
    """Asynchronous dynamics in a fresh random order each sweep, until a sweep
    flips nothing (a fixed point) or ``max_sweeps``; returns the sweeps run."""
    order = np.arange(len(state))
    for sweep in range(max_sweeps):
        for i in range(len(order) - 1, 0, -1):  # Fisher-Yates shuffle
            j = rng.integers(0, i + 1)
            order[i], order[j] = order[j], order[i]
        if async_sweep(weights, state, field, theta, low, high, order) == 0:
            return sweep + 1
    return max_sweeps


@njit
def relax_sync(weights, states, theta, low, high, max_sweeps, sweeps):
    """Synchronous dynamics ``s <- step(W s - theta)`` for a batch of states (rows).

    Each sweep is one matrix product over the cues still moving; a cue stops
    when a sweep leaves it unchanged (a fixed point) or after ``max_sweeps``
    (synchronous dynamics can end in a 2-cycle). ``sweeps[b]`` counts them.
    """
    active = np.arange(states.shape[0])
    for sweep in range(max_sweeps):
        fields = np.dot(states[active], weights)
        n_moving = 0
        for r in range(len(active)):
            b = active[r]
            sweeps[b] = sweep + 1
            moved = False
            for i in range(states.shape[1]):
                h = fields[r, i]
                new = high if h > theta else (low if h < theta else states[b, i])
                if new != states[b, i]:
                    states[b, i] = new
                    moved = True
            if moved:
                active[n_moving] = b
                n_moving += 1
        if n_moving == 0:
            return
        active = active[:n_moving]


@njit
def recall_items(weights, patterns, items, coding, dynamics, rng, overlaps, sweeps):
    """Cue the network ``n_cues`` times with each pattern of ``items``, relax, score.

    Records (:mod:`simulator.models.hebbian._model_kernels`): ``coding = (sparse,
    offset, norm, learning_rate, decay, bound)``, ``dynamics = (theta, low, high,
    asynchronous, max_sweeps, n_corrupt, n_cues)``.

    Writes ``overlaps[r, c]`` and ``sweeps[r, c]`` for item ``items[r]`` and cue
    ``c``. Cues are relaxed in chunks: one matrix product gives the first
    fields of a whole chunk.
    """
    sparse, offset, norm = coding[0], coding[1], coding[2]
    theta, low, high, asynchronous, max_sweeps, n_corrupt, n_cues = dynamics
    n_units = patterns.shape[1]
    n_total = len(items) * n_cues
    for first in range(0, n_total, BLOCK):
        last = min(first + BLOCK, n_total)
        states = np.empty((last - first, n_units), np.float32)
        for b in range(first, last):
            make_cue(patterns[items[b // n_cues]], sparse, n_corrupt, rng, states[b - first])
        chunk_sweeps = np.empty(last - first, np.int64)
        if asynchronous:
            fields = np.dot(states, weights)
            field = np.empty(n_units)
            for b in range(last - first):
                for j in range(n_units):
                    field[j] = fields[b, j]
                chunk_sweeps[b] = relax_async(weights, states[b], field, theta, low, high,
                                              max_sweeps, rng)
        else:
            relax_sync(weights, states, theta, low, high, max_sweeps, chunk_sweeps)
        for b in range(first, last):
            r, c = b // n_cues, b % n_cues
            # m = (xi - offset) . s / norm: 1 when s is the pattern (Amit 1989)
            total = 0.0
            for j in range(n_units):
                total += (patterns[items[r], j] - offset) * states[b - first, j]
            overlaps[r, c] = total / norm
            sweeps[r, c] = chunk_sweeps[b - first]


@njit
def familiarities(weights, patterns, items, offset, norm, learning_rate, out):
    """Recognition: ``-2 E(u) / (learning_rate * norm) = u^T W u / (learning_rate * norm)``.

    ``E(u) = -u^T W u / 2`` is the Hopfield (1982) energy of an item's clean
    coding; a pattern stored once in an empty network scores ``1 - 1/N``, a
    pattern never stored 0 on average.
    """
    n_units = patterns.shape[1]
    for first in range(0, len(items), BLOCK):
        last = min(first + BLOCK, len(items))
        coded = np.empty((last - first, n_units), np.float32)
        for r in range(first, last):
            for j in range(n_units):
                coded[r - first, j] = patterns[items[r], j] - offset
        fields = np.dot(coded, weights)
        for r in range(first, last):
            total = 0.0
            for j in range(n_units):
                total += coded[r - first, j] * fields[r - first, j]
            out[r] = total / (learning_rate * norm)


@njit
def score_cues(overlaps, recall_threshold):
    """Fraction of cues whose overlap reaches ``recall_threshold``."""
    hits = 0
    for c in range(len(overlaps)):
        hits += overlaps[c] >= recall_threshold
    return hits / len(overlaps)


@njit
def run_hebbian(events, patterns, params, rngs, probe_times, out, probe_out):
    """Run a Hebbian network over a stream, writing into the output arrays.

    Records: ``events = (time, item, kind)``; ``params = (coding, dynamics,
    scores)`` as in :mod:`simulator.models.hebbian._model_kernels`; ``rngs =
    (event_rng, probe_rng)``; ``out = (overlap, p_recall, recalled, familiarity,
    sweeps, lag, n_prior)``; ``probe_out = (probe_recall, probe_overlap,
    probe_familiarity)``.

    STUDY events store the item's pattern; up to ``BLOCK`` consecutive STUDY
    events (not split by a probe) are stored as one block, bit-packed for the
    plain Hebb rule (+-1 patterns, no decay, no bound). TEST events cue the
    network with the corrupted pattern (``n_cues`` times) and relax it;
    consecutive TEST events share the weights and are relaxed as one batch,
    unless a test is also a presentation (then it stores the pattern after the
    recall). Outputs describe
    the state before the event; STUDY events get NaN recall outputs. A probe at
    t (sorted ``probe_times``) sees every event at or before t; it recalls every
    item presented so far and scores the familiarity of every item, drawing
    from ``probe_rng`` so that probes never shift the events' draws.
    """
    time, item, kind = events
    coding, dynamics, scores = params
    sparse, offset, norm, learning_rate, decay, bound = coding
    recall_threshold, test_is_presentation = scores
    n_cues = dynamics[6]
    event_rng, probe_rng = rngs
    overlap, p_recall, recalled, familiarity, sweeps, lag, n_prior = out
    probe_recall, probe_overlap, probe_familiarity = probe_out
    n_events = len(time)
    n_items, n_units = patterns.shape
    rate = learning_rate / norm
    weights = np.zeros((n_units, n_units), np.float32)
    last_seen = np.full(n_items, np.nan)
    count = np.zeros(n_items, np.int64)
    next_probe = 0
    e = 0
    while e < n_events:
        while next_probe < len(probe_times) and probe_times[next_probe] < time[e]:
            probe(weights, patterns, count, params, probe_rng,
                  (probe_recall[next_probe], probe_overlap[next_probe],
                   probe_familiarity[next_probe]))
            next_probe += 1
        limit = probe_times[next_probe] if next_probe < len(probe_times) else np.inf
        studying = kind[e] == STUDY
        stop = e + 1
        while (stop < n_events and stop - e < BLOCK and kind[stop] == kind[e]
               and time[stop] <= limit and (studying or not test_is_presentation)):
            stop += 1
        block = item[e:stop]
        if studying:
            for k in range(e, stop):
                overlap[k] = p_recall[k] = familiarity[k] = np.nan
                recalled[k] = False
                sweeps[k] = 0
        else:
            cue_overlaps = np.empty((stop - e, n_cues))
            cue_sweeps = np.empty((stop - e, n_cues), np.int64)
            recall_items(weights, patterns, block, coding, dynamics, event_rng, cue_overlaps,
                         cue_sweeps)
            familiarities(weights, patterns, block, offset, norm, learning_rate,
                          familiarity[e:stop])
            for k in range(e, stop):
                # the event's answer is its first cue; p_recall its success rate over all cues
                overlap[k] = cue_overlaps[k - e, 0]
                recalled[k] = overlap[k] >= recall_threshold
                p_recall[k] = score_cues(cue_overlaps[k - e], recall_threshold)
                sweeps[k] = cue_sweeps[k - e, 0]
        for k in range(e, stop):
            i = item[k]
            n_prior[k] = count[i]
            lag[k] = time[k] - last_seen[i]
            if studying or test_is_presentation:
                last_seen[i] = time[k]
                count[i] += 1
        if (studying or test_is_presentation) and not sparse and decay == 0.0 and np.isinf(bound):
            store_hebb(weights, patterns, block, rate)
        elif studying or test_is_presentation:
            coded = np.empty((stop - e, n_units), np.float32)
            for k in range(stop - e):
                for j in range(n_units):
                    coded[k, j] = patterns[block[k], j] - offset
            store_patterns(weights, coded, rate, decay, bound)
        e = stop
    for p in range(next_probe, len(probe_times)):
        probe(weights, patterns, count, params, probe_rng,
              (probe_recall[p], probe_overlap[p], probe_familiarity[p]))


@njit
def probe(weights, patterns, count, params, rng, outs):
    """Test every item without learning: recall of the presented ones (others 0, overlap NaN),
    familiarity of all."""
    coding, dynamics, scores = params
    offset, norm, learning_rate = coding[1], coding[2], coding[3]
    n_cues = dynamics[6]
    recall_threshold = scores[0]
    recall_out, overlap_out, familiarity_out = outs
    presented = np.flatnonzero(count > 0)
    cue_overlaps = np.empty((len(presented), n_cues))
    cue_sweeps = np.empty((len(presented), n_cues), np.int64)
    recall_items(weights, patterns, presented, coding, dynamics, rng, cue_overlaps, cue_sweeps)
    recall_out[:] = 0.0
    overlap_out[:] = np.nan
    for r in range(len(presented)):
        recall_out[presented[r]] = score_cues(cue_overlaps[r], recall_threshold)
        overlap_out[presented[r]] = cue_overlaps[r].mean()
    familiarities(weights, patterns, np.arange(patterns.shape[0]), offset, norm, learning_rate,
                  familiarity_out)
