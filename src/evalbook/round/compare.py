"""``evalbook diff OLD_YEAR_DIR NEW_YEAR_DIR [--out DIR]``: what changed between any two publications.

The same ``changes.csv`` and ``changes.html`` a republication writes (``changes``), for any two published year
folders of one scheme (a year and its ``history/<N>/``, two revisions in history, two years). Without ``--out``
it prints ``changes.csv`` to standard output and a one-line summary to standard error, and writes nothing;
with ``--out DIR`` it writes ``DIR/changes.csv`` and ``DIR/changes.html`` (both replaced together), and
refuses a ``DIR`` inside a published year (a file there would be on no manifest). Exit 0 whether or not
anything changed (the rows say); 1 when either folder is not a publication or the schemes differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evalbook.core.errors import InputError, Problem
from evalbook.core.files import replace_files
from evalbook.core.registry import SCHEMES, get_scheme
from evalbook.round import changes
from evalbook.round.revisions import number_of


def _publication(path: Path, which: str) -> dict:
    record = changes.read_record(path)
    if "run" not in record or not isinstance(record.get("scheme"), str):
        raise InputError(Problem(str(path), "这里没有 evalbook 的发布结果（应为 OUT/方案/年度 或其中的 history/N）",
                                 "not a published evalbook year (OUT/SCHEME/YEAR or a history/N in one)",
                                 column=which, value=str(path)))
    if record["scheme"] not in SCHEMES:
        raise InputError(Problem(str(path), "未知的考评方案", "unknown scheme", column=which, value=record["scheme"]))
    return record


def _inside_publication(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if "run" in changes.read_record(candidate):
            return candidate
    return None


def diff(old: Path, new: Path, out: Path | None = None, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    old, new = Path(old).resolve(), Path(new).resolve()
    old_record, new_record = _publication(old, "OLD_YEAR_DIR"), _publication(new, "NEW_YEAR_DIR")
    if old_record["scheme"] != new_record["scheme"]:
        raise InputError(Problem(str(new), "两次发布属于不同的考评方案，无法比较", "the publications are of different schemes",
                                 column="NEW_YEAR_DIR", value=f"{old_record['scheme']} ≠ {new_record['scheme']}"))
    scheme = get_scheme(new_record["scheme"])
    against = f"第 {number_of(old)} 版 revision {number_of(old)}"  # as the republication's own page says it
    if old_record.get("year") != new_record.get("year"):
        against = f"{old_record.get('year')} {against}"
    texts = changes.make(scheme, new_record.get("year"), old, new, changes.recorded_inputs(new_record), number_of(new),
                         against)
    rows = texts[changes.CHANGES_CSV].count("\n") - 1
    if out is None:
        stdout.write(texts[changes.CHANGES_CSV])
        stdout.flush()
        print(f"{rows} 个数值不同 values differ: {old} → {new}", file=stderr)
        return 0
    out = Path(out).resolve()
    inside = _inside_publication(out)
    if inside is not None:
        raise InputError(Problem(str(out), "不能写入已发布的年度文件夹（那里的文件都在清单上）",
                                 "never writes inside a published year folder (its files are all on its manifest)",
                                 column="--out", value=str(inside)))
    replace_files(out, texts)
    print(f"{rows} 个数值不同 values differ: {out / changes.CHANGES_CSV}, {out / changes.CHANGES_HTML}", file=stderr)
    return 0
