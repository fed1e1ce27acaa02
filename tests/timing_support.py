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


def growth(small: Callable[[], object], large: Callable[[], object], bound: float) -> tuple[float, float]:
    """The CPU seconds of ``small()`` and of ``large()``: the small run three times around one large
    run; with a ratio at or past ``bound``, three more rounds of both. The least run of each counts."""
    small_s = cpu_seconds(small, 1)
    large_s = cpu_seconds(large, 1)
    small_s = min(small_s, cpu_seconds(small, 2))
    if large_s / small_s >= bound:
        for _ in range(3):
            small_s = min(small_s, cpu_seconds(small, 1))
            large_s = min(large_s, cpu_seconds(large, 1))
    return small_s, large_s
