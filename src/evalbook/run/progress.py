"""The run's progress: counts, failures and time left, on a bar in a terminal or as lines in a log."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable


class Progress:
    """Counts finished reports; a tqdm bar on a terminal, one line per report otherwise.

    ``done(key, seconds, error)`` is called from any thread; ``resumed(n)`` counts reports
    carried over unchanged (they take no time and do not enter the time-left estimate).
    """

    def __init__(self, total: int, title: str, log: Callable[[str], None] = print, bar: bool | None = None):
        self.total, self.title, self.log = total, title, log
        self.ok = self.failed = self.skipped = 0
        self.started = time.perf_counter()
        self._lock = threading.Lock()
        use_bar = sys.stderr.isatty() if bar is None else bar
        self._bar = None
        if use_bar and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=title, unit="份", file=sys.stderr, dynamic_ncols=True,
                             bar_format="{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}")
            self._bar.set_postfix_str("失败 0")

    @property
    def finished(self) -> int:
        return self.ok + self.failed + self.skipped

    def resumed(self, n: int) -> None:
        if not n:
            return
        with self._lock:
            self.skipped += n
            if self._bar is not None:
                self._bar.update(n)
            else:
                self.log(f"[{self.finished}/{self.total}] 跳过{n}份未改变的报告 (--resume: {n} unchanged, kept)")

    def done(self, key: str, seconds: float, error: str | None = None) -> None:
        with self._lock:
            if error is None:
                self.ok += 1
            else:
                self.failed += 1
            if self._bar is not None:
                self._bar.set_postfix_str(f"失败 {self.failed}" + (f" ✗ {key}" if error else ""))
                self._bar.update(1)
                return
            mark = "✓" if error is None else f"✗ {error}"
            self.log(f"[{self.finished}/{self.total}] {key} {mark} {seconds:.1f}s{self._eta()}")

    def _eta(self) -> str:
        ran = self.ok + self.failed
        left = self.total - self.finished
        if not ran or not left:
            return ""
        per = (time.perf_counter() - self.started) / ran
        return f" · 失败 {self.failed} · 剩余约 {per * left:.0f}s (≈{per * left:.0f}s left)"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
