"""What an evaluation scheme is: the ``Scheme`` base class every scheme (built in or a plugin) subclasses.

A scheme declares its input contract (``FILES`` and the other UPPER_CASE class attributes), reads its
rubric, scores a validated year and names its output tables; this class writes the shared tail once:
the suites assembled from the column declarations, the report units, the result files (CSV tables and
``results.xlsx``: ``evalbook.output.tables.write_results``) and the default hooks. Schemes are found
through the entry-point group ``evalbook.schemes`` (``evalbook.core.registry``); ``HOME`` is the folder
that holds the scheme's ``rubrics/``, ``notebooks/`` and ``expectations/`` (the evalbook repository
for the built-in schemes, the plugin's own package folder for an installed one).

This module is the core's: it imports nothing above it. What the shared tail writes is written by the
floors above (``evalbook.output.tables.write_results``, ``evalbook.output.rubric_docs``) from what a
scheme gives here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pandas as pd

from evalbook.core import paths
from evalbook.core.columns import Column
from evalbook.core.errors import Problem
from evalbook.core.exact import exact
from evalbook.core.rubric import Rubric

Sheet = tuple[str, Sequence[str], Iterable[Sequence]]  # a results.xlsx sheet: name, headers, rows
# Scheme.bulletin_tables: a table of the 通报, its title, headers and rows of cell text
BulletinTable = tuple[str, Sequence[str], Sequence[Sequence[str]]]
# Scheme.expert_scores: one row per expert score, in the input order of ``EXPERT_FILE`` (committee/panels.py)
PANEL_SCORE_COLUMNS = ["row", "code", "unit", "subject", "expert", "score", "recused"]
# Scheme.decisions: one row per decided thing (a report unit, or e.g. a project awarded apart)
DECISION_COLUMNS = ["level", "unit", "code", "name", "subject", "group", "total", "rank", "award", "prize_wan", "passed"]
# Scheme.item_scores: one row per report unit and scored item (the committee's items gained and lost)
ITEM_SCORE_COLUMNS = ["unit", "item", "label", "score", "max"]


class _Repository:
    """``Scheme.HOME`` unless a scheme sets its own: the evalbook repository (``paths.REPO``), read when asked."""

    def __get__(self, instance, owner) -> Path:
        return paths.REPO


class Scheme(ABC):
    """An evaluation scheme. Subclass it, fill in the declarations and the abstract methods, and
    declare an instance under the entry-point group ``evalbook.schemes`` (see docs/architecture.md)."""

    # --------------------------------------------------------------- declarations
    NAME: ClassVar[str]  # the scheme's name on the command line and its folder name everywhere
    TITLE: ClassVar[str]  # its Chinese title (pages, workbooks)
    FILES: ClassVar[dict[str, list[Column]]]  # input file → its columns (drives suites, reading, templates)
    FILE_LABELS: ClassVar[dict[str, str]]  # input file (or derived table) → its Chinese label
    REQUIRED_FILES: ClassVar[tuple[str, ...]]  # files a year cannot do without
    ROOT_FILES: ClassVar[tuple[str, ...]] = ("institutions.csv",)  # kept once per scheme, not per year
    OPTIONAL_COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {}  # columns a file may leave out
    # Suite parameters that are lists read from a file (its expectations are left out when the file is unreadable)
    LIST_SOURCES: ClassVar[dict[str, str]] = {"known_codes": "institutions.csv"}
    FLAT_FALLBACK: ClassVar[bool] = False  # per-year files may also sit directly in the scheme's folder
    UNIT_NOTEBOOK: ClassVar[str] = "institution"  # notebooks/<NAME>/<UNIT_NOTEBOOK>.ipynb: one per report
    # and notebooks/<NAME>/cohort.ipynb: the year's front page (index.html), run once per year
    # The columns of the scores' unit table that key a report, and the notebook parameter each becomes;
    # a report's folder is the key values joined by "-" (RMYY, NMRM-重症医学科).
    REPORT_KEY: ClassVar[tuple[tuple[str, str], ...]] = (("code", "institution"),)
    REPORT_TABLES: ClassVar[tuple[str, ...]] = ("scores.csv",)  # published tables a report shows (run/stale.py)
    MOVES: ClassVar[tuple] = ()  # (table, key columns, {column: (zh, en)}): whose change --only names
    # (table, key columns, (columns a correction lists)): what changes.csv compares between two publications
    # (round/changes.py); empty: the tables and columns of MOVES
    CHANGES: ClassVar[tuple] = ()
    # The scores' cohort-wide tables (attributes of what ``score`` returns: ranks, awards, group sizes need every
    # unit) that a report notebook of a batch run takes from the run's snapshot while it scores only its own rows
    # (evalbook.notebook.snapshot). Empty: its notebooks open the whole year. Only for a scheme whose scoring of
    # one institution's rows gives that institution's own values (items, traces) as the cohort's scoring does.
    SNAPSHOT: ClassVar[tuple[str, ...]] = ()
    WARM: ClassVar[tuple[str, ...]] = ()  # modules a forked kernel imports before it forks (engine/kernel_forks.py)
    TEMPLATES: ClassVar[str | None] = None  # the module of its Excel templates (evalbook template / ingest)
    EXPERT_FILE: ClassVar[str | None] = None  # the input file of the experts' scores; None: no expert panel
    HOME: ClassVar[Path] = _Repository()  # holds rubrics/, notebooks/, expectations/ (and docs/rules/, data/)

    # --------------------------------------------------------------- what a scheme must give
    @abstractmethod
    def load_rubric(self, path: Path) -> Rubric:
        """Read and strictly check the rubric file; ``InputError`` when a key is unknown or missing."""

    @abstractmethod
    def policy_lines(self, rubric: Rubric) -> list[tuple[str, str]]:
        """The 评分口径: every [policy] choice of the rubric, as (项目, 口径) lines in Chinese."""

    @abstractmethod
    def score(self, intake) -> Any:
        """Score a validated year (``Intake``): an object whose ``units`` frame has a row per scored unit."""

    @abstractmethod
    def output_tables(self, scores) -> dict[str, pd.DataFrame]:
        """The year's CSV tables (the CLI contract): file name → frame, written in this order."""

    @abstractmethod
    def result_sheets(self, intake, scores) -> list[Sheet]:
        """The scheme's own sheets of results.xlsx (Chinese headers), before 校验警告 and 评分口径."""

    # --------------------------------------------------------------- where its files live
    def rubric_path(self) -> Path:
        return self.HOME / "rubrics" / f"{self.NAME}.yaml"

    def suites_dir(self) -> Path:
        return self.HOME / "expectations" / self.NAME

    def notebook_path(self, name: str) -> Path:
        return self.HOME / "notebooks" / self.NAME / f"{name}.ipynb"

    def code_folder(self) -> Path:
        """The folder of the scheme's own code: the package its class is defined in. For a plugin, every file
        there is part of the code fingerprint (``evalbook.run.reuse``), as evalbook's own files are."""
        import sys

        return Path(sys.modules[type(self).__module__].__file__).parent

    # --------------------------------------------------------------- inputs (defaults: nothing extra)
    def extra_expectations(self, file: str) -> list[dict]:
        """Expectations of ``file`` beyond its columns' own (rules across columns or rows)."""
        return []

    def extra_suites(self) -> dict[str, list[dict]]:
        """Suites of derived tables (``derive_tables``), by table name; their labels are in ``FILE_LABELS``."""
        return {}

    def suites(self) -> dict[str, dict]:
        """The suites of this scheme as kept in ``expectations/<NAME>/``: per file, every column's text
        rules, then its typed rules, then ``extra_expectations``; then the derived tables' suites."""
        out: dict[str, list[dict]] = {}
        for file, columns in self.FILES.items():
            out[file] = ([x for c in columns for x in c.text_expectations()]
                         + [x for c in columns for x in c.typed_expectations()]
                         + self.extra_expectations(file))
        out.update(self.extra_suites())
        return {name.removesuffix(".csv"): {"name": f"{self.NAME}.{name.removesuffix('.csv')}", "expectations": entries,
                                            "meta": {"file": name, "label": self.FILE_LABELS[name]}}
                for name, entries in out.items()}

    def suite_parameters(self, rubric: Rubric, year: int, known_codes: list[str],
                         typed: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
        """The values the suites' ``$PARAMETER`` entries take for this year."""
        return {"known_codes": known_codes}

    def derive_text(self, file: str, text: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
        """Helper columns the text stage needs (e.g. each row's value kind)."""
        return text

    def derive(self, file: str, typed: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
        """Columns computed before the typed stage, so that suites can check rules across rows."""
        return typed

    def derive_tables(self, intake) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, str]]:
        """Tables built across rows (name → (text, typed, label)), validated by ``extra_suites``."""
        return {}

    def row_context(self, file: str, text: pd.DataFrame, row) -> str | None:
        """What a row is about, for messages (None: its line number says enough)."""
        return None

    def cross_checks(self, typed: Mapping[str, pd.DataFrame], rubric: Rubric, year: int) -> list[Problem]:
        """Rules across files that no single suite can see."""
        return []

    def plausibility(self, intake) -> list[Problem]:
        """Values that pass every rule but are hard to believe (a jump from last year, figures that contradict each
        other), each a ``Problem`` of severity ``"implausible"``: shown wherever problems are, never stopping a run.
        Called by the intake once validation found no error. A file of another year is read through
        ``intake.other_year(file, year)`` (so it is recorded, archived and verified with the inputs)."""
        return []

    # --------------------------------------------------------------- outputs
    def result_tables(self, scores) -> dict[str, pd.DataFrame]:
        """The tables of result.json (a notebook's machine-readable result)."""
        return {"units": scores.units}

    def decisions(self, scores) -> pd.DataFrame:
        """What the committee decides, one row per decided thing, in ``DECISION_COLUMNS``: ``level`` "unit" for
        each report unit (its row of sensitivity.csv), other levels (e.g. "project") for things awarded apart;
        ``unit`` its report folder, ``subject`` what a level below the unit is (a project; "" for units), or what
        a unit is within its institution (a specialty); ``group`` the title of the group it is ranked in ("": one);
        ``total`` and ``rank`` exact; ``award`` ("" none), ``prize_wan`` (None where the scheme gives no
        prizes), ``passed`` (None where there is no pass line). The committee's tools (stability under other
        readings, leave-one-expert-out) compare these rows between two scorings. Default: the unit table's
        ``total`` and ``rank`` columns, no award, prize or pass."""
        units = scores.units
        return pd.DataFrame({"level": "unit", "unit": [self.report_folder(r) for r in units.to_dict("records")],
                             "code": units["code"], "name": units.get("name", units["code"]), "subject": "", "group": "",
                             "total": units.get("total"), "rank": units.get("rank"), "award": "",
                             "prize_wan": None, "passed": None}, columns=DECISION_COLUMNS)

    def item_scores(self, scores) -> pd.DataFrame:
        """Each report unit's score on each item of the rubric, in ``ITEM_SCORE_COLUMNS``: ``unit`` its report
        folder, ``item`` a stable key, ``label`` the item's Chinese title, ``score`` and ``max`` exact. What a unit
        gained and lost against last year is read from these (``evalbook.committee.trends``). Default: none (a
        scheme without items shows no item movement)."""
        return pd.DataFrame(columns=ITEM_SCORE_COLUMNS)

    def expert_scores(self, intake) -> pd.DataFrame | None:
        """Each expert's score of a subject on the 0–100 scale, one row per row of ``EXPERT_FILE`` in input order,
        in ``PANEL_SCORE_COLUMNS``: ``row`` its line, ``code`` the institution, ``unit`` the report folder it counts
        for, ``subject`` what was scored (a project, a specialty), ``expert`` as typed, ``score`` exact, ``recused``
        (the expert belongs to the institution scored: 应回避). None (the default): the scheme has no expert panel."""
        return None

    def panel_policy(self, rubric: Rubric) -> tuple[bool, Any]:
        """(recused scores left out of the subject's mean?, points from the panel's mean that flag a score), from the
        rubric's ``panel`` mapping: ``recusal`` (exclude / keep) and ``far_points``."""
        panel = rubric.data["panel"]
        return panel["recusal"] == "exclude", exact(panel["far_points"])

    def cohort_tables(self, scores) -> dict[str, pd.DataFrame]:
        """The cohort-wide tables of ``scores`` that the run's snapshot keeps (``SNAPSHOT``)."""
        return {name: getattr(scores, name) for name in self.SNAPSHOT}

    def with_cohort(self, scores, tables: Mapping[str, pd.DataFrame]):
        """``scores`` of one institution's rows with the cohort's tables in place of its own."""
        import dataclasses

        return dataclasses.replace(scores, **tables)

    def report_units(self, intake, scores) -> list[tuple[str, str, dict]]:
        """One report per row of the scores' unit table: (folder, institution code, notebook parameters)."""
        columns = [column for column, _ in self.REPORT_KEY]
        return [("-".join(str(v) for v in values), str(values[0]),
                 {parameter: value for (_, parameter), value in zip(self.REPORT_KEY, values, strict=True)})
                for values in zip(*(scores.units[c] for c in columns), strict=True)]

    def change_fields(self) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
        """(table, key columns, compared columns) of every published value a 更正说明 lists (``CHANGES``, else
        the tables and columns of ``MOVES``)."""
        if self.CHANGES:
            return tuple((table, tuple(key), tuple(columns)) for table, key, columns in self.CHANGES)
        return tuple((table, tuple(key), tuple(columns)) for table, key, columns in self.MOVES)

    def report_folder(self, row: Mapping[str, Any]) -> str:
        """The report folder of a unit's row (of a table read back as text)."""
        return "-".join(str(row[column]) for column, _ in self.REPORT_KEY)

    def report_facts(self, tables: Mapping[str, list[dict]]) -> dict[str, dict]:
        """Per report folder, the cells of the published tables its report shows (run/stale.py): by default
        its own row of the first ``REPORT_TABLES`` table and how many units it is ranked among."""
        rows = tables[self.REPORT_TABLES[0]]
        return {self.report_folder(r): {"unit": r, "ranked": len(rows)} for r in rows}

    def bulletin_tables(self, tables: Mapping[str, list[dict]]) -> list[BulletinTable]:
        """The scheme's part of the year's 通报 (``evalbook pdf --bulletin``): (title, headers, rows) tables of its
        rankings and awards, from the published tables (``REPORT_TABLES``, rows read back as text), every cell text.
        Default: the first ``REPORT_TABLES`` table as it is."""
        name = self.REPORT_TABLES[0]
        rows = tables[name]
        headers = list(rows[0]) if rows else []
        return [(self.FILE_LABELS.get(name, name), headers, [[row[h] for h in headers] for row in rows])]

    # --------------------------------------------------------------- documents, demo data, workbooks
    def rules_markdown(self, rubric_path: Path | None = None) -> str | None:
        """The rules as implemented, in Markdown (``evalbook rubric``), from the rubric at ``rubric_path``
        (default: the scheme's own); None: the generic document, the 评分口径 as a table
        (``evalbook.output.rubric_docs``)."""
        return None

    def synth_recipe(self) -> Any:
        """How ``evalbook synth`` grows this scheme's demo data (``evalbook.inputs.synth.Recipe``); None: it cannot."""
        return None

    def templates(self) -> ModuleType | None:
        """The module of the scheme's Excel templates (``TEMPLATES``), or None when it has none. It gives
        ``OWNERS`` (file → who fills it), ``ROW_KEYS``, ``layout(year)``, ``committee_layout(year, units)``,
        ``identities(data_dir, year)``, ``workbook_name(identity)`` and ``layout_for`` (a function of the year's
        layout and an identity when workbooks differ by whose they are, else None); see ``evalbook.excel``."""
        from importlib import import_module

        return import_module(self.TEMPLATES) if self.TEMPLATES else None

    def __repr__(self) -> str:
        return f"<scheme {self.NAME}>"
