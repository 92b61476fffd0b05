"""What the toolkit tells its user while it works: logging, progress bars, first-call notes.

- ``logging``: what the library does (a sweep starts, resumes, finishes; a kernel is
  compiled). Loggers are named ``cogmemsim.<module>``; nothing is shown unless the
  application configures logging, e.g. ``logging.basicConfig(level=logging.INFO)``.
- ``warnings``: what the user should know about their results (raised where it arises).
- progress bars (:func:`progress_bar`): tqdm bars on long loops, shown on a terminal or
  in Jupyter and off elsewhere unless asked for.
- :func:`announce_first_call`: the first call of a jitted entry point in a process
  compiles its kernels, or loads them from the on-disk cache; it is said once, through
  logging and, on a terminal, on stderr, so a long silent first call is explained.
"""
import logging
import sys

from tqdm.auto import tqdm

_announced = set()


def get_logger(name):
    """The toolkit's logger for module ``name`` (under ``cogmemsim``).

    Parameters
    ----------
    name : str
        The module's ``__name__``.

    Returns
    -------
    logging.Logger
        ``logging.getLogger("cogmemsim." + name)``.
    """
    return logging.getLogger(f"cogmemsim.{name}")


def interactive():
    """Whether stderr is a terminal, where progress and notes are shown by default.

    Returns
    -------
    bool
    """
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress_bar(total, desc, progress=None, unit="run"):
    """A tqdm progress bar, or a disabled one.

    Parameters
    ----------
    total : int
        Number of steps.
    desc : str
        Label shown before the bar.
    progress : bool, optional
        Show it; default: when stderr is a terminal.
    unit : str
        What one step is.

    Returns
    -------
    tqdm.tqdm
        Use as a context manager; call ``update(n)``.
    """
    enabled = interactive() if progress is None else bool(progress)
    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, file=sys.stderr)


def announce_first_call(name, what="its jitted kernels"):
    """Say, once per process, that the first call of ``name`` compiles or loads kernels.

    Logged at INFO on ``cogmemsim.jit``; also written to stderr when it is a terminal.

    Parameters
    ----------
    name : str
        The entry point (e.g. ``"simulate_schedule"``) or model class name.
    what : str
        What is compiled.

    Returns
    -------
    bool
        True the first time for ``name`` (the note was given), False after.
    """
    if name in _announced:
        return False
    _announced.add(name)
    message = (f"{name}: the first call in this process compiles {what} (or loads them "
               f"from the on-disk cache); that can take some seconds")
    get_logger("jit").info(message)
    if interactive():
        print(message, file=sys.stderr, flush=True)
    return True
