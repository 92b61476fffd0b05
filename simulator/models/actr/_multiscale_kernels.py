"""Multiscale ACT-R base level: the power-law decay kernel as a sum of exponential traces.

``t**-d = (1/Gamma(d)) * integral s**(d-1) exp(-s t) ds`` (the Laplace transform
of the power kernel) summed by the trapezoid rule on the log grid of rates
``r_j = 2**(j - 48)`` per second, ``j = 0 .. MS_TRACES - 1``: a presentation adds
weight ``w_j = ln 2 * 2**(d*(j - 48)) / Gamma(d)`` to trace j, and trace j decays
as ``exp(-r_j * age)``. Trace 0 also carries the weights of every slower rate
(their geometric sum). The rule converges geometrically in the grid step
(aliasing error ~ 2 |Gamma(d + 2*pi*i/ln 2)| / Gamma(d): measured over ages
0.05 s .. 1e9 s, |A - exact| is 1e-6 at d = 0.1 and 0.5, 7.4e-6 at 0.9 and
below 1e-5 up to d = 1; the spacing model's decays above 1 fare worse: 3.4e-5
at 1.5, 4e-4 at 3). The fast end is cut where even the 0.05 s floor age has
decayed (2**9 * 0.05 s = 25.6 e-folds), so ages below ~0.02 s are not
represented (``ACTR`` rejects a smaller ``age_floor`` with multiscale).

An item's traces are one row, referenced to its last presentation, followed by the
number of presentations at that instant and the offsets (from that instant) and decays
of its ``MS_RECENT`` latest presentations: a read within the age floor of the last
presentation counts each of those still within the floor at the floor, exactly as the
sum does, whatever its decay (exact while at most ``MS_RECENT`` presentations of the
item fall within the floor of the read). Aging them
by ``age`` needs every factor ``exp(-r_j * age)``, found without an exp per
trace: a degree-4 Taylor polynomial while ``r_j * age < MS_TAYLOR`` (exact to
``MS_TAYLOR**5 / 120 * exp(MS_TAYLOR) < 8.5e-9`` relative), then one ``exp`` and successive
squares (each rate is twice the last) over ``MS_WINDOW`` traces, beyond which
``r_j * age > 64`` and the factor is 0. Every loop over the traces has a fixed
length, so it vectorizes and never mispredicts its exit.
"""
import math

import numpy as np

from environments.jit import njit

MS_TRACES = 58
MS_RATE_OFFSET = 48     # trace j has rate 2**(j - MS_RATE_OFFSET) per second
MS_TAYLOR = 0.0625      # exp(-y) by its Taylor polynomial for y below this
MS_WINDOW = 10          # then exp and squares: y up to 2**10 * MS_TAYLOR = 64
MS_FACTORS = MS_TRACES + MS_WINDOW  # decay factors; the window may run past the last trace
MS_SCRATCH = MS_FACTORS + MS_TRACES  # then one presentation's weights (reads within the floor)
MS_MIN_AGE_FLOOR = 0.02  # s: the fastest trace (512/s) has decayed 10 e-folds; below, error grows
MS_COEFFICIENTS = 2 * MS_TRACES     # the weights, then the rates
MS_RECENT = 8           # latest presentations remembered for reads within the age floor
COUNT = MS_TRACES       # row layout: the traces, then how many presentations share the last instant,
RECENT = MS_TRACES + 1  # how many latest presentations are remembered,
ENTRIES = MS_TRACES + 2  # and their (offset before the last instant, decay) pairs
MS_ROW = ENTRIES + 2 * MS_RECENT


@njit(inline="always")
def multiscale_weights(decay, out):
    """Trace weights ``w_j`` of a presentation with decay ``d`` into ``out[:MS_TRACES]``.

    ``w_j = ln 2 * 2**(d*(j - 48)) / Gamma(d)``; trace 0 adds the geometric sum
    of the weights of every slower rate of the infinite grid, ``w_0 / (1 - 2**-d)``.
    From the fastest trace down, its weight taken in logs: for any decay (the
    spacing model's exceed 1000 after many massed presentations) the largest
    weight stays below ``exp(520)`` and the others underflow to 0 rather than
    overflow; ``1 - 2**-d`` by ``expm1`` stays accurate as ``d`` goes to 0.
    """
    ln2 = math.log(2.0)
    top = MS_TRACES - 1
    w = math.exp(math.log(ln2) - math.lgamma(decay) + decay * (top - MS_RATE_OFFSET) * ln2)
    ratio = 2.0 ** -decay
    for j in range(top, 0, -1):
        out[j] = w
        w *= ratio
    out[0] = w / -math.expm1(-decay * ln2)


@njit
def multiscale_coefficients(decay):
    """The weights (:func:`multiscale_weights`) then the rates ``r_j`` of the traces."""
    out = np.empty(MS_COEFFICIENTS)
    multiscale_weights(decay, out)
    for j in range(MS_TRACES):
        out[MS_TRACES + j] = 2.0 ** (j - MS_RATE_OFFSET)
    return out


@njit(inline="always")
def decay_polynomial(y):
    """``exp(-y)`` by its degree-4 Taylor polynomial (for y below MS_TAYLOR)."""
    return 1.0 - y * (1.0 - y * (0.5 - y * (1.0 / 6.0 - y * (1.0 / 24.0))))


# The functions on the run loop's per-event path are inlined by LLVM (forceinline), not at
# the numba IR level: IR-inlined, this fixed-length loop did not vectorize; called, the
# calls kept atomic reference counting of their array arguments per event (~18 ns).
@njit(error_model="numpy", forceinline=True)
def taylor_factors(coefficients, age, factors, below):
    """Taylor factors of the traces with ``r_j * age < below``, 0 for the rest."""
    for j in range(MS_TRACES):
        y = coefficients[MS_TRACES + j] * age
        factors[j] = decay_polynomial(y) if y < below else 0.0


@njit(inline="always")
def taylor_end(age):
    """The first trace with ``r_j * age >= MS_TAYLOR`` (``MS_TRACES`` if none).

    With ``MS_TAYLOR / age = m * 2**e`` (frexp, m in [0.5, 1)), trace ``48 + e``
    has ``r * age = MS_TAYLOR / m``, in (MS_TAYLOR, 2 MS_TAYLOR], and the one
    below at most MS_TAYLOR (up to the rounding of the quotient, harmless).
    """
    if not age > 1e-280:  # no decay (and MS_TAYLOR / age would overflow)
        return MS_TRACES
    return min(max(MS_RATE_OFFSET + math.frexp(MS_TAYLOR / age)[1], 0), MS_TRACES)


@njit(forceinline=True)
def decay_factors(coefficients, age, factors):
    """``factors[j] = exp(-r_j * age)`` for every trace (0 once below 1e-27).

    ``factors`` holds ``MS_SCRATCH`` values: the exp-and-squares window may run
    ``MS_WINDOW`` past the last trace.
    """
    lo = taylor_end(age)
    # the rates are powers of 2, so r_j * age < r_lo * age exactly for j < lo; with no
    # trace past the Taylor range the window falls in the scratch's padding (exp(-inf) = 0)
    first = coefficients[MS_TRACES + lo] * age if lo < MS_TRACES else np.inf
    factor = math.exp(-first)
    taylor_factors(coefficients, age, factors, first)
    for j in range(lo, lo + MS_WINDOW):
        factors[j] = factor
        factor *= factor  # the next rate is twice this one


# Vectorized by reassociating the sum (its terms are finite: no flag assumes away inf/NaN).
# A fixed summation order (eight partial sums, no flag) gave a read the same bits with and
# without the update, but cost ~15 ns per event; reassociated, the two may differ in the
# last bit (a relative 1e-16).
@njit(fastmath={"reassoc"}, error_model="numpy", forceinline=True)
def decay_traces(row, factors, weights, update):
    """``sum_j row[j] * factors[j]``; with ``update``, then ``row[j] = row[j] * factors[j] + w_j``.

    One pass over the traces (``update`` is a constant where LLVM inlines it).
    """
    total = 0.0
    for j in range(MS_TRACES):
        decayed = row[j] * factors[j]
        total += decayed
        if update:
            row[j] = decayed + weights[j]
    return total


@njit
def multiscale_strength(row, age, age_floor, coefficients, factors, same_decay):
    """The item's strength ``age`` s (its true age) after its last presentation.

    Every presentation counts at ``max(its age, age_floor)``. At or past the floor
    that is the traces aged by ``age`` (every presentation is at least that old).
    Within the floor, the traces aged by ``age`` count every presentation at its
    true age; each remembered presentation (``row[ENTRIES:]``) whose age ``x`` is
    below the floor then adds ``K(floor) - K(x)``, ``K(x) = sum_j w_j exp(-r_j x)``
    with its own weights (the coefficients' with one decay for all, ``same_decay``;
    else from its decay). Leaves the decay factors of ``age`` in ``factors`` when
    ``age >= age_floor`` (``factors`` holds ``MS_SCRATCH`` values).
    """
    decay_factors(coefficients, age, factors)
    total = decay_traces(row, factors, coefficients, False)
    if age >= age_floor:
        return total
    weights = factors[MS_FACTORS:]
    if same_decay:
        weights[:] = coefficients[:MS_TRACES]
    for k in range(int(row[RECENT])):
        x = age + row[ENTRIES + 2 * k]
        if x >= age_floor:
            continue
        if not same_decay:
            multiscale_weights(row[ENTRIES + 2 * k + 1], weights)
        decay_factors(coefficients, age_floor, factors)
        at_floor = decay_traces(weights, factors, weights, False)
        decay_factors(coefficients, x, factors)
        total += at_floor - decay_traces(weights, factors, weights, False)
    return total


@njit(inline="always")
def remember(row, age, decay):
    """Age the remembered presentations by ``age`` and add this one (offset 0, ``decay``);
    beyond ``MS_RECENT`` the oldest is forgotten."""
    n = int(row[RECENT])
    for k in range(n):
        row[ENTRIES + 2 * k] += age
    if n == MS_RECENT:
        for k in range(2 * (n - 1)):
            row[ENTRIES + k] = row[ENTRIES + k + 2]
        n -= 1
    row[ENTRIES + 2 * n] = 0.0
    row[ENTRIES + 2 * n + 1] = decay
    row[RECENT] = n + 1


@njit
def multiscale_first(row, coefficients, decay):
    """An item's first presentation (decay ``decay``): each trace holds its weight."""
    row[:MS_TRACES] = coefficients[:MS_TRACES]
    row[COUNT] = 1.0
    row[RECENT] = 0.0
    remember(row, 0.0, decay)


@njit
def multiscale_present(row, age, coefficients, factors, fresh, decay):
    """A presentation ``age`` s after the item's last one, with decay ``decay``.

    Every trace decays, then gains this presentation's weight. ``fresh``:
    :func:`multiscale_strength` has just filled ``factors`` for this ``age``.
    """
    if not fresh:
        decay_factors(coefficients, age, factors)
    decay_traces(row, factors, coefficients, True)
    row[COUNT] = row[COUNT] + 1.0 if age == 0.0 else 1.0
    remember(row, age, decay)
