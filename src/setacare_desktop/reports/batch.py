"""Many printouts in one go (a day's liaison sheets): rendered in order, spread over worker
processes when that pays.

A worker is a fresh process (``forkserver`` on POSIX, ``spawn`` on Windows: never a fork of a
process that runs Qt threads). Each registers the font and prepares the styles once, then renders
its share; the documents come back in the order of ``items``. Starting a worker costs about half
a second (imports, parsing the font), so a batch is spread only when each worker gets at least
``MIN_PER_WORKER`` documents and the machine has more than one idle CPU (on a machine whose cores
are busy, more processes only share the same time: measured on the shared 2-core build machine,
1,000 sheets took 81 s in one process and 90 s in two); otherwise it renders in this process,
which has the font already.

A worker re-imports the ``__main__`` module of the process (``spawn``/``forkserver``): a script
that calls this must guard its own start with ``if __name__ == "__main__":`` (the app's
``__main__`` does); a frozen bundle renders in its own process.

The render function must be importable by name (a module-level function such as
``render_liaison_sheet``) and the items picklable (the reports' frozen dataclasses are).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from setacare_desktop.reports.common import Styles, register_font

T = TypeVar("T")
#: Fewer documents than this per worker and a process costs more than it saves.
MIN_PER_WORKER = 40


def _prepare() -> None:
    register_font()
    Styles()


def _render_chunk(render: Callable[[T], bytes], items: Sequence[T]) -> list[bytes]:
    return [render(item) for item in items]


def worker_count(total: int, workers: int | None = None) -> int:
    """How many processes a batch of ``total`` documents is spread over (1: this one): ``workers``
    if given, else the idle CPUs; each with at least ``MIN_PER_WORKER`` documents."""
    available = workers if workers is not None else idle_cpus()
    return max(1, min(available, total // MIN_PER_WORKER))


def idle_cpus() -> int:
    """The CPUs not already busy (load average, where the system has one): on a machine whose
    cores are taken, more processes only share the same time."""
    cpus = os.cpu_count() or 1
    try:
        busy = int(os.getloadavg()[0])
    except (AttributeError, OSError):  # Windows has no load average
        busy = 0
    return max(1, cpus - busy)


def render_many(render: Callable[[T], bytes], items: Sequence[T], *,
                workers: int | None = None) -> list[bytes]:
    """``render(item)`` for each item, in order; over several processes when it pays
    (``workers``: their number at most; default: the idle CPUs)."""
    count = worker_count(len(items), workers)
    if count <= 1 or getattr(sys, "frozen", False):
        # A frozen bundle would start a worker by running the application again: render here.
        _prepare()
        return _render_chunk(render, items)
    # Chunks a few times smaller than a worker's share even out unequal documents.
    size = max(1, -(-len(items) // (count * 4)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    method = "spawn" if sys.platform == "win32" else "forkserver"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(count, mp_context=context, initializer=_prepare) as pool:
        parts = pool.map(_render_chunk, [render] * len(chunks), chunks)
        return [pdf for part in parts for pdf in part]
