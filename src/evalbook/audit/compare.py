"""Comparing what was published with what was made again: tables, text, result fields, workbooks."""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

from evalbook.audit.findings import DIFFERS, TAMPERED, Finding


def compare_table(fresh: Path, published: Path, name: str, finding: Finding) -> None:
    if not published.is_file():
        finding.worse(TAMPERED, f"{name}: 缺失 missing")
        return
    if name.endswith(".xlsx"):  # it carries a creation time: compare what its cells hold
        difference = _workbook_difference(published, fresh)
        if difference:
            finding.worse(DIFFERS, f"{name}: 重新评分的结果不同 rescoring gives different cells{difference}")
    elif fresh.read_bytes() != published.read_bytes():
        detail = _csv_difference(fresh, published) if name.endswith(".csv") else ""
        finding.worse(DIFFERS, f"{name}: 重新评分的结果不同 rescoring gives different numbers{detail}")


def text_difference(published: str, fresh: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(published, fresh, strict=False)) if a != b),
              min(len(published), len(fresh)))
    start = max(0, at - 24)
    return f"（发布 published {published[start:at + 24]!r} → 重新生成 rendered {fresh[start:at + 24]!r}）"


def differences(old, new, where: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += differences(old.get(key), new.get(key), f"{where}.{key}" if where else key)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in differences(a, b, f"{where}[{i}]")]
    return [] if old == new else [f"{where}: 发布值 published {old!r} → 重算 recomputed {new!r}"]


def _csv_difference(new: Path, old: Path) -> str:
    import csv

    with open(old, encoding="utf-8", errors="replace", newline="") as a, open(new, encoding="utf-8", newline="") as b:
        rows_old, rows_new = list(csv.reader(a)), list(csv.reader(b))
    header = rows_old[0] if rows_old else []
    for n, (x, y) in enumerate(zip(rows_old, rows_new, strict=False)):
        for column, (u, v) in enumerate(zip(x, y, strict=False)):
            if u != v:
                name = header[column] if column < len(header) else column
                return f"（第{n + 1}行 row {n + 1}，列 {name}：发布 {u!r} → 重算 {v!r}）"
    return f"（行数 rows {len(rows_old)} → {len(rows_new)}）"


def _workbook_difference(published: Path, fresh: Path) -> str | None:
    """The first cell whose value or number format differs, as ``（sheet!A1：发布 … → 重算 …）``."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        old = load_workbook(published, read_only=True)
    except Exception as exc:  # noqa: BLE001 - a forged file that is no workbook at all
        return f"（无法读取 cannot be read: {type(exc).__name__}）"
    new = load_workbook(fresh, read_only=True)
    try:
        if old.sheetnames != new.sheetnames:
            return f"（工作表 sheets {old.sheetnames} → {new.sheetnames}）"
        for sheet in new.sheetnames:
            for r, (a, b) in enumerate(zip_longest(old[sheet].iter_rows(), new[sheet].iter_rows(), fillvalue=()), 1):
                for c, (u, v) in enumerate(zip_longest(a, b, fillvalue=None), 1):
                    shown = [(getattr(x, "value", None), getattr(x, "number_format", "General")) for x in (u, v)]
                    if shown[0] != shown[1]:
                        return (f"（{sheet}!{get_column_letter(c)}{r}：发布 published {shown[0][0]!r} "
                                f"[{shown[0][1]}] → 重算 recomputed {shown[1][0]!r} [{shown[1][1]}]）")
    finally:
        old.close()
        new.close()
    return None
