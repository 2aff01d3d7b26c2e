"""Where a published year is, and whether its manifests are well formed (nothing in them is taken on trust)."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from evalbook.core.errors import InputError, Problem
from evalbook.run import archive
from evalbook.run.listing import MANIFEST


def locate(path: Path) -> tuple[Path, str | None]:
    """The year folder, and the one report folder asked for (None: the whole year)."""
    if _is_year(path):
        return path, None
    if path.is_dir() and _is_year(path.parent):
        return path.parent, path.name
    for year in (path, path.parent):
        if (year / "index.html").is_file() and (year / "validation.json").is_file() and not (year / MANIFEST).is_file():
            raise InputError(Problem(str(year / MANIFEST), "年度清单缺失：这个年度的结果无法核验",
                                     "the year's manifest is missing: nothing in this year can be verified",
                                     column="PATH", value=str(path)))
    raise InputError(Problem(str(path), "这里没有 evalbook 的发布结果（应为 OUT/方案/年度 或其中的报告文件夹）",
                             "not a published evalbook year (OUT/SCHEME/YEAR) or a report folder in one",
                             column="PATH", value=str(path)))


def _is_year(folder: Path) -> bool:
    try:
        return "run" in json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(Problem(str(folder / MANIFEST), "清单文件无法读取", "the manifest cannot be read",
                                 value=str(exc))) from None


def safe_name(name) -> bool:
    """A path inside the folder: relative, no ``..`` (a forged manifest must not lead verify elsewhere)."""
    if not isinstance(name, str) or not name or "\\" in name:
        return False
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts


def malformed(record) -> str | None:
    """What is missing or of the wrong kind in a manifest, or None."""
    try:
        assert isinstance(record, dict)
        assert isinstance(record["outputs"], dict) and all(safe_name(k) and isinstance(v, str)
                                                           for k, v in record["outputs"].items())
        assert all(isinstance(e["file"], str) and isinstance(e["path"], str) and isinstance(e["sha256"], str)
                   for e in [*record["inputs"], *(record.get(archive.DATA_FILES) or [])])
        assert all(isinstance(record["rubric"][k], str) for k in ("path", "sha256", "version"))
        notebook = record["notebooks"][0]
        assert isinstance(notebook["notebook"], str) and isinstance(notebook["sha256"], str)
        assert safe_name(notebook["executed"]) and "/" not in notebook["executed"]
        assert isinstance(notebook["parameters"], dict) and isinstance(notebook["parameters"]["data_dir"], str)
        assert isinstance(record["versions"], dict) and isinstance(record["scheme"], str)
        assert isinstance(record["year"], int)
    except (AssertionError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return f"{MANIFEST}: 内容不完整或格式不对 incomplete or malformed ({type(exc).__name__} {exc})"
    return None
