"""Publishing a run's outputs atomically: build everything in a staging folder, then swap.

The year folder that readers see is either the previous complete run or the new complete
run, never a mixture. A failed run removes its staging folder and leaves the previous outputs
exactly as they were. A crash between the two renames of the swap is repaired at the next run.
A run that was killed or interrupted leaves its staging folder for ``--resume`` to take the
reports it finished from; any later run that does not resume removes it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


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
