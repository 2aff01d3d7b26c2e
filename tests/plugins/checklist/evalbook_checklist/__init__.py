"""Scheme ``checklist``: 院感防控十项检查, an evalbook scheme installed as a plugin (the worked example of
docs/architecture.md, "Adding a scheme"). Ten yes/no items, each worth its points in the rubric; a pass line."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from evalbook.core.columns import Column, expectation
from evalbook.core.exact import exact
from evalbook.core.ranking import competition_rank
from evalbook.core.rubric import Rubric, RubricChecker, read_rubric
from evalbook.core.scheme import Scheme

ITEMS = [f"item_{n:02d}" for n in range(1, 11)]


class Checklist(Scheme):
    NAME, TITLE = "checklist", "院感防控十项检查"
    FILES = {"institutions.csv": [Column("code", "code", "机构代码"), Column("name", "text", "机构名称")],
             "checks.csv": [Column("code", "code", "机构代码"),
                            *[Column(item, "bool", f"第{n}项") for n, item in enumerate(ITEMS, start=1)]]}
    FILE_LABELS = {"institutions.csv": "机构名单", "checks.csv": "十项检查结果"}
    REQUIRED_FILES = ("institutions.csv", "checks.csv")
    TEMPLATES = "evalbook_checklist.templates"
    HOME = Path(__file__).parent  # rubrics/, notebooks/ and expectations/ travel with the package

    def extra_expectations(self, file: str) -> list[dict]:
        unique = expectation("expect_column_values_to_be_unique", {"column": "code"}, "typed", "机构代码不能重复",
                             "code must be unique")
        listed = expectation("expect_column_values_to_be_in_set", {"column": "code", "value_set": {"$PARAMETER": "known_codes"}},
                             "typed", "机构代码应在机构名单（institutions.csv）中", "code must be listed in institutions.csv")
        return [unique, listed] if file == "checks.csv" else [unique]

    def load_rubric(self, path: Path) -> Rubric:
        rubric = read_rubric(path)
        check = RubricChecker(rubric)
        if check.keys(rubric.data, "rubric", {"scheme", "version", "title", "source", "pass_mark", "items"}):
            check.choice(rubric["scheme"], "scheme", (self.NAME,))
            check.number(rubric["pass_mark"], "pass_mark")
            if check.keys(rubric["items"], "items", set(ITEMS)):
                for item in ITEMS:
                    if check.keys(rubric["items"][item], f"items.{item}", {"title", "points"}):
                        check.number(rubric["items"][item]["points"], f"items.{item}.points")
        check.raise_if_any()
        return rubric

    def policy_lines(self, rubric: Rubric) -> list[tuple[str, str]]:
        return [("评分规则版本", f"{rubric['title']} {rubric['version']}"),
                ("合格线", f"总分不低于{rubric['pass_mark']:g}分"),
                *[(f"第{n}项 {rubric['items'][i]['title']}", f"达到得{rubric['items'][i]['points']:g}分，否则0分")
                  for n, i in enumerate(ITEMS, start=1)]]

    def score(self, intake) -> SimpleNamespace:
        """Total = Σ points of the items met; pass at ≥ pass_mark; ranked by total (ties share a rank)."""
        rubric = intake.rubric
        units = intake.frame("institutions.csv").merge(intake.frame("checks.csv"), on="code")
        units["total"] = [sum((exact(rubric["items"][i]["points"]) for i in ITEMS if row[i]), exact(0))
                          for row in units.to_dict("records")]
        units["passed"] = units["total"] >= exact(rubric["pass_mark"])
        units["rank"] = competition_rank(units, ["total"])
        return SimpleNamespace(units=units[["code", "name", *ITEMS, "total", "passed", "rank"]])

    def output_tables(self, scores) -> dict[str, pd.DataFrame]:
        return {"scores.csv": scores.units}

    def result_sheets(self, intake, scores) -> list:
        return [("排名", ["名次", "机构代码", "机构名称", "总分", "是否合格"],
                 [(r.rank, r.code, r.name, r.total, "合格" if r.passed else "不合格")
                  for r in scores.units.sort_values("rank").itertuples()])]


SCHEME = Checklist()
