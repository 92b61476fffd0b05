"""HLOP kernels: Hebbian subspace learning and orthogonal projection of layer updates.

Hebbian learning based orthogonal projection (HLOP; Xiao, Meng, Zhang, He & Lin,
ICLR 2024). Each layer ``l`` has lateral weights ``M_l`` (rows = subspace neurons)
over its *augmented* input ``u = [x, 1]`` (the constant 1 carries the bias, so a
layer's weights and bias are one matrix ``[W | b]`` and the projection protects
both). The rows learn the principal subspace of the inputs by the
Hebbian/anti-Hebbian subspace rule (Oja 1989's subspace network)

    ``y = M u``,  ``dM = eta y (u - M^T y)^T``,

of which the rows converge to an orthonormal basis of the top principal subspace
of ``E[u u^T]``. When a task ends its rows are frozen (orthonormalised by
Gram-Schmidt, which the converged rows nearly are, so the projection is exact) and a
new block of rows starts for the next task: the new rows reconstruct with the
frozen ones (``M^T y`` over all rows), so they learn the principal subspace of
what the frozen rows leave unexplained. Updates of later tasks use inputs projected
on the orthogonal complement of the frozen rows ``U``:
``dW = delta (u - U^T U u)^T = (delta u^T)(I - U^T U)``, i.e. the layer's gradient
``G`` (``[dW | db]``) becomes ``G - (G U^T) U``; an old input ``u`` in the span of
``U`` then gives ``dW u = 0``, so the layer's outputs for it do not move.

Records: ``bases = (M1, M2)`` (rows x (n_features + 1), rows x (hidden + 1));
``rows = [frozen1, stop1, frozen2, stop2]`` (int64: rows ``0 .. frozen - 1`` are
frozen, ``frozen .. stop - 1`` learn the current task's subspace).
"""
import numpy as np

from environments.jit import njit


@njit
def hebbian_update(basis, inputs, start, stop, rate, iterations):
    """``iterations`` steps of the subspace rule on rows ``start .. stop - 1`` of ``basis``.

    ``y = basis[:stop] u`` for every row of ``inputs`` (already augmented);
    ``basis[start:stop] += eta / B sum_b y_b[start:stop] (u_b - basis[:stop]^T y_b)^T``
    with ``eta = rate / mean_b |u_b|^2`` (a step normalised by the input power, so
    one ``rate`` suits layers of any scale; converges for ``rate`` well below 1).
    Rows before ``start`` take part in the reconstruction but stay fixed.
    """
    n, d = inputs.shape
    if stop <= start or n == 0:
        return
    power = 0.0
    for b in range(n):
        for f in range(d):
            power += inputs[b, f] * inputs[b, f]
    power /= n
    if power <= 0.0:
        return
    eta = rate / (power * n)
    active = basis[:stop]
    for _ in range(iterations):
        y = np.dot(inputs, active.T)            # (n, stop)
        residual = inputs - np.dot(y, active)   # (n, d)
        learning = np.ascontiguousarray(y[:, start:stop].T)
        change = np.dot(learning, residual)
        for r in range(stop - start):
            for f in range(d):
                basis[start + r, f] += eta * change[r, f]


@njit
def project_out(gradient, basis, frozen):
    """``G <- G - (G U^T) U`` for ``U = basis[:frozen]`` (rows orthonormal), in place."""
    if frozen == 0:
        return
    u = basis[:frozen]
    coefficients = np.dot(gradient, u.T)
    gradient -= np.dot(coefficients, u)


@njit
def freeze_rows(basis, frozen, stop, tolerance):
    """Orthonormalise rows ``frozen .. stop - 1`` against the frozen rows and each other
    (modified Gram-Schmidt) and freeze them; rows whose residual norm falls below
    ``tolerance`` (already spanned) are dropped. Returns the new number of frozen rows."""
    kept = frozen
    d = basis.shape[1]
    row = np.empty(d)
    for r in range(frozen, stop):
        row[:] = basis[r]
        for q in range(kept):
            dot = 0.0
            for f in range(d):
                dot += row[f] * basis[q, f]
            for f in range(d):
                row[f] -= dot * basis[q, f]
        norm = np.sqrt(np.sum(row * row))
        if norm > tolerance:
            basis[kept] = row / norm
            kept += 1
    for r in range(kept, stop):
        basis[r] = 0.0
    return kept


@njit
def start_block(basis, initial, frozen, block):
    """Rows ``frozen .. stop - 1`` (``stop = min(frozen + block, rows)``) set to their
    initial values ``initial``; returns ``stop``."""
    stop = min(frozen + block, basis.shape[0])
    for r in range(frozen, stop):
        basis[r] = initial[r]
    return stop


@njit
def new_task(bases, initials, rows, block):
    """At a task switch: freeze each layer's current rows and start the next task's block."""
    for layer in range(2):
        basis = bases[0] if layer == 0 else bases[1]
        initial = initials[0] if layer == 0 else initials[1]
        frozen = freeze_rows(basis, rows[2 * layer], rows[2 * layer + 1], 1e-6)
        rows[2 * layer] = frozen
        rows[2 * layer + 1] = start_block(basis, initial, frozen, block)


@njit
def augmented(inputs, out):
    """``out = [inputs, 1]`` row by row."""
    n, d = inputs.shape
    for b in range(n):
        for f in range(d):
            out[b, f] = inputs[b, f]
        out[b, d] = 1.0
