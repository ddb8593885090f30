"""A minimal text progress bar for the command line (no extra dependency)."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """``bar = ProgressBar(total, "training 2Z"); bar.update(k, note); bar.close()``."""

    def __init__(self, total: int, label: str, stream=None, width: int = 30):
        self.total, self.label, self.width = max(int(total), 1), label, width
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self._last_draw = 0.0

    def update(self, done: int, note: str = "") -> None:
        now = time.perf_counter()
        if done < self.total and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        filled = int(self.width * min(done, self.total) / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = now - self.started
        self.stream.write(
            f"\r{self.label} [{bar}] {done}/{self.total} {elapsed:5.1f}s {note}\033[K"
        )
        self.stream.flush()

    def close(self, note: str = "") -> None:
        self._last_draw = 0.0
        self.update(self.total, note)
        self.stream.write("\n")
        self.stream.flush()
