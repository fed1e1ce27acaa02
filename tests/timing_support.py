"""How CPU time grows with the input, measured on a shared, busy machine: for the linear-time tests.

A busy machine adds time to a run, never removes it, so the least of a few runs is the measurement
least disturbed. The small input is cheap to run again; the large one is run once, and only a
ratio that looks too large pays for more runs of both before it is believed.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def cpu_seconds(run: Callable[[], object], runs: int) -> float:
    """The least CPU time of ``runs`` calls of ``run`` (this process's time: waiting for a core is
    not counted), with the cycle collector paused: its passes over the heap are not ours (and no
    ``gc.collect()`` first: in a process that has loaded the model and the suite, each costs more
    than the runs it would tidy up for)."""
    was_enabled = gc.isenabled()
    best = float("inf")
    gc.disable()
    try:
        for _ in range(runs):
            started = time.process_time()
            run()
            best = min(best, time.process_time() - started)
    finally:
        if was_enabled:
            gc.enable()
    return best


def growth(small: Callable[[], object], large: Callable[[], object], bound: float,
           patience: float = 10.0) -> tuple[float, float]:
    """The CPU seconds of ``small()`` and of ``large()``: the small run three times around one large
    run; with a ratio at or past ``bound``, more rounds of both (at least three, then on while the
    ratio stays past the bound, for up to ``patience`` seconds, pausing between rounds so a burst of
    load on the other core can pass). The least run of each counts.

    Why the patience: in CI the other test worker can keep the shared caches busy for seconds, and
    one such stretch once lifted a linear scan's ratio to 6.2 (it measures ~4.0 +- 0.4 alone). More
    rounds cannot hide a quadratic cost: its every large run is ~16x the small one."""
    small_s = cpu_seconds(small, 1)
    large_s = cpu_seconds(large, 1)
    small_s = min(small_s, cpu_seconds(small, 2))
    deadline = time.monotonic() + patience
    rounds = 0
    while large_s / small_s >= bound and (rounds < 3 or time.monotonic() < deadline):
        if rounds >= 3:
            time.sleep(0.25)
        small_s = min(small_s, cpu_seconds(small, 1))
        large_s = min(large_s, cpu_seconds(large, 1))
        rounds += 1
    return small_s, large_s
