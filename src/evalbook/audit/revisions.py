"""What ``verify`` checks of a year's revisions and sign-off (see ``round/revisions.py``, ``round/signatures.py``).

- ``history/``: exactly the earlier revisions the year's manifest names under ``revision.history``
  (1 … N-1), each ``history/<k>/manifest.json`` with the recorded sha256; anything else there, or a missing or
  changed one, is *tampered*. ``verify`` then proves each ``history/<k>/`` as the publication it was.
- ``changes.csv``/``changes.html``: made again from this publication and ``history/<N-1>/`` (a first
  publication: its page only) and compared byte for byte.
- ``signatures.json``: each signature listed; one on another manifest than this publication's (signed, then
  republished by hand or altered) is *tampered*, and so is a malformed file or a ``signatures.html`` that
  does not say what ``signatures.json`` holds. A signed publication whose files no longer match its manifest
  fails as any publication does.

Returns (status, detail) pairs and notes; ``verify`` applies them to the year's finding (statuses are
``verify``'s own words: ``tampered``, ``differs``).
"""

from __future__ import annotations

from pathlib import Path

from evalbook.core.errors import InputError
from evalbook.core.registry import SCHEMES, get_scheme
from evalbook.inputs.reading import sha256_file
from evalbook.round import changes, signatures
from evalbook.round.revisions import REVISION, history
from evalbook.run.listing import HISTORY, MANIFEST, SIGNATURES_HTML

TAMPERED, DIFFERS = "tampered", "differs"


def root_of(year_dir: Path) -> Path:
    """The year folder whose ``history/`` holds the revisions: the folder itself, or for ``history/<k>/`` the
    year folder above it."""
    year_dir = Path(year_dir)
    if year_dir.parent.name == HISTORY and (year_dir.parent.parent / MANIFEST).is_file():
        return year_dir.parent.parent
    return year_dir


def earlier(year_dir: Path) -> list[tuple[int, Path]]:
    """The earlier revisions ``verify`` proves with a year (none for a revision in history itself)."""
    return history(year_dir) if root_of(year_dir) == Path(year_dir) else []


def check(year_dir: Path, record: dict) -> tuple[list[tuple[str, str]], list[str]]:
    year_dir = Path(year_dir)
    problems: list[tuple[str, str]] = []
    notes: list[str] = []
    revision = record.get(REVISION)
    root = root_of(year_dir)
    if isinstance(revision, dict):
        _check_history(year_dir, root, revision, problems)
        _check_changes(year_dir, root, record, revision, problems)
    elif (year_dir / HISTORY).exists() and root == year_dir:
        problems.append((TAMPERED, f"{HISTORY}/: 清单未记录任何历史版本 the manifest records no earlier revision"))
    _check_signatures(year_dir, record, problems, notes)
    return problems, notes


def _check_history(year_dir: Path, root: Path, revision: dict, problems: list) -> None:
    number, recorded = revision.get("number"), revision.get("history")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 100_000 \
            or not isinstance(recorded, dict):
        problems.append((TAMPERED, f"{MANIFEST} {REVISION}: 格式不对 malformed {revision!r}"))
        return
    wanted = {str(k) for k in range(1, number)}
    if set(recorded) != wanted:
        problems.append((TAMPERED, f"{MANIFEST} {REVISION}.history: 应为第 1–{number - 1} 版 should name revisions "
                                   f"1–{number - 1}: {sorted(recorded)!r}"))
    if root == year_dir:
        folder = year_dir / HISTORY
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            problems.append((TAMPERED, f"{HISTORY}: 不是文件夹或是符号链接 not a folder, or a symbolic link"))
            return
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        for name in present:
            if name not in wanted:
                problems.append((TAMPERED, f"{HISTORY}/{name}: 不是本年度记录的历史版本 not an earlier revision the "
                                           "manifest records"))
    for k in sorted(wanted, key=int):
        manifest = root / HISTORY / k / MANIFEST
        if (root / HISTORY / k).is_symlink():
            problems.append((TAMPERED, f"{HISTORY}/{k}: 是符号链接 is a symbolic link"))
        elif not manifest.is_file():
            problems.append((TAMPERED, f"{HISTORY}/{k}/{MANIFEST}: 缺失 missing"))
        elif sha256_file(manifest) != recorded.get(k):
            problems.append((TAMPERED, f"{HISTORY}/{k}/{MANIFEST}: sha256 与本版清单记录的不符 does not match the "
                                       "sha256 this publication's manifest records"))


def _check_changes(year_dir: Path, root: Path, record: dict, revision: dict, problems: list) -> None:
    number = revision.get("number")
    if not isinstance(number, int) or record.get("scheme") not in SCHEMES:
        return
    scheme = get_scheme(record["scheme"])
    previous = root / HISTORY / str(number - 1) if number > 1 else None
    if previous is not None and not (previous / MANIFEST).is_file():
        return  # named by _check_history
    against = None if previous is None else f"第 {number - 1} 版 revision {number - 1}"
    try:
        texts = changes.make(scheme, record.get("year"), previous, year_dir, changes.recorded_inputs(record), number, against)
    except (OSError, ValueError, KeyError) as exc:
        problems.append((DIFFERS, f"{changes.CHANGES_CSV}: 无法重新生成 cannot be made again ({type(exc).__name__})"))
        return
    for name, text in texts.items():
        path = year_dir / name
        if not path.is_file():
            problems.append((TAMPERED, f"{name}: 缺失 missing"))
        elif path.read_bytes() != text.encode("utf-8"):
            problems.append((DIFFERS, f"{name}: 与由两次发布重新生成的不同 differs from the one made again from the two "
                                      "publications"))


def _check_signatures(year_dir: Path, record: dict, problems: list, notes: list) -> None:
    try:
        entries = signatures.read(year_dir)
    except InputError:
        problems.append((TAMPERED, f"{signatures.SIGNATURES_JSON}: 无法读取或格式不对 cannot be read or malformed"))
        return
    current = sha256_file(year_dir / MANIFEST)
    for e in entries:
        notes.append(f"签署 signed: {e['name']}（{e['role']}）{e['time']}"
                     f"{' · ' + e['note'] if e['note'] else ''} · manifest.json sha256 {e['manifest_sha256'][:16]}…")
        if e["manifest_sha256"] != current:
            problems.append((TAMPERED, f"{signatures.SIGNATURES_JSON}: {e['name']}（{e['role']}，{e['time']}）"
                                       "签署的清单不是本版的 "
                                       "signed another manifest than this publication's: 签署 signed "
                                       f"{e['manifest_sha256'][:16]}… → 现在 now {current[:16]}…"))
    page = year_dir / SIGNATURES_HTML
    if REVISION in record or entries or page.exists():
        if not page.is_file():
            problems.append((TAMPERED, f"{SIGNATURES_HTML}: 缺失 missing"))
        elif page.read_bytes() != signatures.page_of(year_dir, entries).encode("utf-8"):
            problems.append((TAMPERED, f"{SIGNATURES_HTML}: 与 {signatures.SIGNATURES_JSON} 不符 does not show what "
                                       f"{signatures.SIGNATURES_JSON} holds"))
