"""Timing and a one-line progress bar (tqdm is not a project dependency, and need not be)."""

import contextlib
import sys
import time

BAR_WIDTH = 30
# Redraw at most this often: a million updates a second would cost more than the work itself.
REDRAW_SECONDS = 0.2


class Progress:
    """A carriage-return progress line on stderr; off a terminal, only the final line is printed."""

    def __init__(self, label: str, total: int):
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.started = time.perf_counter()
        self.drawn_at = 0.0
        self.live = sys.stderr.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if self.live and now - self.drawn_at >= REDRAW_SECONDS:
            self.drawn_at = now
            self._draw(end="")

    def close(self) -> None:
        self._draw(end="\n")

    def _draw(self, end: str) -> None:
        share = min(self.done / self.total, 1.0)
        filled = round(share * BAR_WIDTH)
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        line = (
            f"\r  {self.label:<10} [{bar}] {share:4.0%} {self.done:>11,}/{self.total:,}"
            f"  {elapsed:6.1f} s  {rate:>9,.0f}/s"
        )
        sys.stderr.write(line + end)
        sys.stderr.flush()


class Phases:
    """Named wall-clock timings, printed as each phase ends and kept for the manifest."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()

    @contextlib.contextmanager
    def __call__(self, name: str):
        print(f"{name} …", flush=True)
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        self.seconds[name] = round(elapsed, 2)
        print(f"{name}: {elapsed:.1f} s", flush=True)

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self.started, 2)
