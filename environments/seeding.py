"""Seeds: one root :class:`numpy.random.SeedSequence`, children per component.

Everything random in the toolkit takes ``seed`` as an int, a
:class:`~numpy.random.SeedSequence`, a :class:`~numpy.random.Generator` or
``None`` (fresh OS entropy). The entropy is recorded in the outputs so a run
can be repeated exactly.
"""
import numpy as np


def seed_sequence(seed):
    """Return a SeedSequence for ``seed`` (int, SeedSequence, Generator or None)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        # A Generator carries its own stream; derive a sequence from its next
        # draws so the caller's generator advances and the run stays seeded.
        return np.random.SeedSequence(seed.integers(0, 2**63, size=4).tolist())
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(
            "seed must be an int >= 0, a numpy SeedSequence or Generator, or None, "
            f"got {seed!r}"
        )
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.SeedSequence(int(seed))


def generator(seed_seq):
    """The toolkit's bit generator (PCG64) for a SeedSequence."""
    return np.random.Generator(np.random.PCG64(seed_seq))


def seed_attrs(seed_seq, prefix="seed"):
    """Attrs that let a run be repeated: entropy (as text: it can exceed 64 bits) and spawn key."""
    attrs = {f"{prefix}_entropy": str(seed_seq.entropy)}
    if seed_seq.spawn_key:
        attrs[f"{prefix}_spawn_key"] = ",".join(str(k) for k in seed_seq.spawn_key)
    return attrs


def child(seed_seq, *key):
    """Child ``key`` of ``seed_seq`` (spawn key extended by ``key``), the same however
    many children were spawned before: adding children never changes the others."""
    return np.random.SeedSequence(seed_seq.entropy, spawn_key=seed_seq.spawn_key + key,
                                  pool_size=seed_seq.pool_size)
