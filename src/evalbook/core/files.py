"""Publishing a run's outputs atomically: build everything in a staging folder, then swap.

The year folder that readers see is either the previous complete run or the new complete
run, never a mixture. A failed run removes its staging folder and leaves the previous outputs
exactly as they were. A crash between the two renames of the swap is repaired at the next run.
A run that was killed or interrupted leaves its staging folder for ``--resume`` to take the
reports it finished from; any later run that does not resume removes it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from evalbook.core.errors import InputError, Problem


def _same_file(handle, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.lstat(path))
    except FileNotFoundError:
        return False


def current_umask() -> int:
    """The process's umask: from /proc on Linux (no change to it), else by setting it and setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def plain_mode(path: str | Path) -> None:
    """Give a file made by ``mkstemp`` (0600) the mode a plain ``open`` would (0644 under umask 022)."""
    os.chmod(path, 0o666 & ~current_umask())


def follow_umask(folder: Path, mask: int | None = None) -> None:
    """Give ``folder`` and everything under it the modes a plain mkdir/open would (0755/0644 under umask 022):
    ``mkdtemp``/``mkstemp`` make 0700/0600, and copies keep their source's mode. Symlinks are left alone."""
    mask = current_umask() if mask is None else mask
    folder = Path(folder)
    os.chmod(folder, 0o777 & ~mask)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o777 & ~mask)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o666 & ~mask)


def _open_lock(path: Path):
    """Open (create) the lock file without following a symlink placed at its path: a symlink is refused."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise InputError(Problem(str(path), "锁文件的位置上是一个符号链接，拒绝通过它写入；请删除它后再运行",
                                 "the lock file's path is a symbolic link, which is never followed; remove it and run again",
                                 column="--out", value=os.readlink(path))) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(Problem(str(path), "锁文件的位置上不是普通文件；请删除它后再运行",
                                 "the lock file's path is not a regular file; remove it and run again", column="--out"))
    return os.fdopen(fd, "a+", encoding="utf-8")


class YearBusy(InputError):
    """The output year is locked by another run (still the one user-error type: an ``InputError``)."""


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
            handle = _open_lock(self.path)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                handle.close()
                raise YearBusy(Problem(str(self.path.parent / self.path.name[1:-5]),
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
        self.umask = current_umask()
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.staging-", dir=self.target.parent))
        (self.path / ".pid").write_text(str(os.getpid()))

    def leftovers(self) -> list[Path]:
        """Staging folders of runs that died or were interrupted, newest first."""
        found = [p for p in self.target.parent.glob(f".{self.target.name}.staging-*")
                 if p.is_dir() and p != self.path and not _in_use(p)]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    def publish(self) -> None:
        (self.path / ".pid").unlink(missing_ok=True)
        follow_umask(self.path, self.umask)
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


def replace_files(folder: Path, texts: Mapping[str, str]) -> None:
    """Write every file to a temporary file in ``folder`` first, then move them all into place.

    A failure while writing leaves every current file as it was; only the final renames touch them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temporaries: dict[str, str] = {}
    try:
        for name, text in texts.items():
            target = folder / name  # a name may be in a sub-folder (``submissions/addresses.csv``)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temporaries[name] = temporary
            plain_mode(temporary)  # the umask's mode, not mkstemp's 0600
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
        for name, temporary in temporaries.items():
            os.replace(temporary, folder / name)
    finally:
        for temporary in temporaries.values():
            if os.path.exists(temporary):
                os.unlink(temporary)
