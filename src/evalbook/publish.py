"""Publishing a run's outputs atomically: build everything in a staging folder, then swap.

The year folder that readers see is either the previous complete run or the new complete
run, never a mixture. A failed run removes its staging folder and leaves the previous outputs
exactly as they were. A crash between the two renames of the swap is repaired at the next run.
A run that was killed or interrupted leaves its staging folder for ``--resume`` to take the
reports it finished from; any later run that does not resume removes it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from evalbook.errors import InputError, Problem


def _same_file(handle, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


class RunLock:
    """One run at a time per output year folder: an ``flock`` on ``.<year>.lock`` beside it.

    The kernel releases the lock when its holder exits, however it exits (SIGKILL included), so a
    crashed run never blocks the next one; a live one makes the second refuse with who holds it.
    A clean exit removes the file (while still holding it); a crashed holder leaves it, harmlessly.
    """

    def __init__(self, target: Path):
        self.path = Path(target).parent / f".{Path(target).name}.lock"
        self._handle = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            handle = open(self.path, "a+", encoding="utf-8")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                handle.close()
                raise InputError(Problem(str(self.path.parent / self.path.name[1:-5]),
                                         f"另一个 evalbook run 正在写入这个输出文件夹（{holder}）；请等它结束后再运行",
                                         f"another evalbook run is writing this output folder ({holder}); wait for it to finish",
                                         column="--out")) from None
            if _same_file(handle, self.path):
                break
            handle.close()  # the holder removed this file as it finished: lock the new one instead
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, {datetime.now().isoformat(timespec='seconds')}")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._handle is not None:
            # removed while still held, so a waiting run that opened this file sees it is stale and retries
            self.path.unlink(missing_ok=True)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class Staging:
    """A fresh folder beside ``target``; ``publish()`` swaps it into place, ``discard()`` removes it."""

    def __init__(self, target: Path, keep_leftovers: bool = False):
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        recover(self.target, drop_leftovers=not keep_leftovers)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.staging-", dir=self.target.parent))
        (self.path / ".pid").write_text(str(os.getpid()))

    def leftovers(self) -> list[Path]:
        """Staging folders of runs that died or were interrupted, newest first."""
        found = [p for p in self.target.parent.glob(f".{self.target.name}.staging-*")
                 if p.is_dir() and p != self.path and not _in_use(p)]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    def publish(self) -> None:
        (self.path / ".pid").unlink(missing_ok=True)
        old = self.target.parent / f".{self.target.name}.previous-{os.getpid()}"
        if self.target.exists():
            os.replace(self.target, old)
        os.replace(self.path, self.target)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
        for leftover in self.leftovers():
            shutil.rmtree(leftover, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def abandon(self) -> None:
        """Leave the staging folder for ``--resume`` (Ctrl-C): unmark it as in use."""
        (self.path / ".pid").unlink(missing_ok=True)

    def carry_over(self, names: list[str]) -> None:
        """Copy these entries of the published folder into the staging one (kept as they were)."""
        for name in names:
            source = self.target / name
            if source.is_dir():
                shutil.copytree(source, self.path / name, copy_function=shutil.copy2)


def recover(target: Path, drop_leftovers: bool = True) -> None:
    """Undo a swap cut short: restore ``.NAME.previous-*`` when ``NAME`` is missing; drop stale staging."""
    previous = sorted(target.parent.glob(f".{target.name}.previous-*"))
    if previous and not target.exists():
        os.replace(previous[-1], target)
        previous = previous[:-1]
    stale = list(target.parent.glob(f".{target.name}.staging-*")) if drop_leftovers else []
    for leftover in previous + stale:
        if leftover.is_dir() and not _in_use(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    """A staging folder of a live process (pid in its marker) is left alone."""
    marker = folder / ".pid"
    if not marker.exists():
        return False
    try:
        os.kill(int(marker.read_text()), 0)
        return True
    except (ValueError, ProcessLookupError, PermissionError):
        return False
