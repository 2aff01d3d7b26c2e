"""A folder of filled workbooks: which files are read, and whether each is one of a listed unit, handed in once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from evalbook.core.errors import InputError, Problem
from evalbook.excel.layout import COMMITTEE, Identity, Layout
from evalbook.excel.submission import Submission, read_workbook

SPREADSHEETS_NOT_XLSX = (".xls", ".xlsm", ".xlsb", ".et", ".ods", ".csv")


def workbooks_in(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The ``*.xlsx`` of ``folder`` (Excel's ``~$`` lock files skipped); other spreadsheets are a warning.

    Raises ``InputError`` when the folder does not exist or holds no workbook.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Problem(str(folder), "找不到工作簿文件夹", "folder of workbooks not found"))
    paths, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            paths.append(path)
        elif suffix in SPREADSHEETS_NOT_XLSX:
            problems.append(Problem(path.name, "不是 .xlsx 工作簿，已忽略：请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”",
                                    "not an .xlsx workbook, ignored: save it from Excel as 'Excel Workbook (*.xlsx)'",
                                    severity="warning"))
    if not paths:
        raise InputError(Problem(str(folder), "文件夹中没有 .xlsx 工作簿", "the folder holds no .xlsx workbook",
                                 severity="error"))
    return paths, problems


def read_submissions(paths: Iterable[Path], layout: Layout, known: Mapping[str, str],
                     listed: Mapping[tuple[str, ...], Identity] | None = None,
                     layout_for: Callable[[Identity], Layout | None] | None = None,
                     committee: Layout | None = None) -> tuple[list[Submission], list[Problem]]:
    """Read every workbook; a code not in ``known`` (code → name) or handed in twice is an error.

    With ``listed`` (identity key → identity) the whole identity must be listed, e.g. the institution's
    specialty; ``layout_for`` and ``committee`` as for ``read_workbook``. A committee workbook's units
    must all be listed, and no unit may be covered by two committee workbooks.
    """
    submissions: list[Submission] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, ...], Path] = {}
    covered: dict[tuple[str, ...], Path] = {}  # unit → the committee workbook covering it
    source = layout.identity_file
    for path in paths:
        submission, found = read_workbook(path, layout, layout_for, committee)
        problems.extend(found)
        if submission is None:
            continue
        if submission.owner == COMMITTEE:
            wrong = _committee_units_problems(submission, known, listed, covered, source)
            problems.extend(wrong)
            if not wrong:
                covered.update(dict.fromkeys(submission.units, path))
                submissions.append(submission)
            continue
        where, code, key = submission.code_cell, submission.identity.code, submission.identity.key()
        if code not in known:
            problems.append(Problem(path.name, f"机构代码 {code} 不在机构名单（{source}）中",
                                    f"institution code {code} is not listed in {source}", row=where, column="code", value=code))
        elif listed is not None and layout.identity_columns and key not in listed:
            label, column = layout.identity_columns[0]  # the code is listed: its specialty (say) is not
            value = submission.identity.extra[0][1]
            problems.append(Problem(path.name, f"{label}“{value}”不在机构 {code} 的名单（{source}）中",
                                    f"{column} '{value}' is not listed for institution {code} in {source}",
                                    row=submission.identity_cells.get(label, where), column=column, value=value))
        elif key in seen:
            other = seen[key].name
            if layout.identity_columns:
                label, column = layout.identity_columns[-1]
                rule = (f"与 {other} 是同一机构同一{label}的工作簿：每个{label}只交一份",
                        f"same institution and {column} as {other}: one workbook per {column}")
            else:
                rule = (f"与 {other} 是同一机构的工作簿：每个机构只交一份",
                        f"same institution as {other}: one workbook per institution")
            problems.append(Problem(path.name, *rule, row=where, column="code", value=code))
        else:
            seen[key] = path
            submissions.append(submission)
    return submissions, problems


def _committee_units_problems(submission: Submission, known: Mapping[str, str],
                              listed: Mapping[tuple[str, ...], Identity] | None,
                              covered: Mapping[tuple[str, ...], Path], source: str) -> list[Problem]:
    """A committee workbook's 考评范围 against the lists: every unit known, none in another committee workbook."""
    name, problems = submission.path.name, []
    for unit, where in submission.units.items():
        shown = "-".join(unit)
        if unit[0] not in known or (listed is not None and len(unit) > 1 and unit not in listed):
            problems.append(Problem(name, f"{shown} 不在名单（{source}）中", f"{shown} is not listed in {source}",
                                    row=where, column="code", value=shown))
        elif unit in covered:
            other = covered[unit].name
            problems.append(Problem(name, f"{shown} 也在 {other} 的考评范围中：每个单位的考评组数据只能来自一个工作簿",
                                    f"{shown} is also covered by {other}: one committee workbook per unit",
                                    row=where, column="code", value=shown))
    return problems
