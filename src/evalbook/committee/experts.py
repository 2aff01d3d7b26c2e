"""The commission's expert registry (专家库, an optional root file ``experts.csv``) and recusal (回避).

A scheme that scores by expert panels declares the registry among its ``ROOT_FILES`` with ``REGISTRY_COLUMNS``,
adds ``registry_rules`` to its suite and calls ``registry_problems`` from its ``cross_checks``. An expert who
scores a subject of their own institution should have recused (应回避): ``recused_rows`` marks those scores, and
the rubric's ``panel.recusal`` decides whether they count (``exclude``: left out of the subject's mean; ``keep``:
counted and only flagged).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from evalbook.core.columns import Column, expectation, identity_key
from evalbook.core.errors import Problem

REGISTRY_FILE = "experts.csv"
REGISTRY_LABEL = "专家库（评审专家名单）"
REGISTRY_COLUMNS = [Column("expert", "text", "专家编号"), Column("name", "text", "姓名"),
                    Column("institution", "code", "所在机构代码"), Column("title", "text", "职务", required=False)]
RECUSAL_CHOICES = ("exclude", "keep")
RECUSED = "应回避"


def registry_rules() -> list[dict]:
    """The registry's rules beyond its columns': ids unique (compared as ``identity_key`` does), institution known."""
    return [
        expectation("expect_column_values_to_be_unique", {"column": "expert_key"}, "typed",
                    "专家编号不能重复（不区分大小写、全角半角和首尾空格）",
                    "expert ids must be unique (ignoring case, full/half width and spaces)", reported_as="expert"),
        expectation("expect_column_values_to_be_in_set",
                    {"column": "institution", "value_set": {"$PARAMETER": "known_codes"}}, "typed",
                    "专家所在机构代码应在机构名单（institutions.csv）中",
                    "the expert's institution must be a code listed in institutions.csv"),
    ]


def derive_registry(typed: pd.DataFrame) -> pd.DataFrame:
    """The registry with ``expert_key``, the id as compared (E05, e05 and Ｅ05 are one expert)."""
    return typed.assign(expert_key=typed["expert"].map(identity_key).astype(object))


def institutions_of(registry: pd.DataFrame | None) -> dict:
    """Expert (``identity_key``) → institution code, from the registry (empty when there is none)."""
    if registry is None or registry.empty:
        return {}
    return {identity_key(e): i for e, i in zip(registry["expert"], registry["institution"], strict=True)}


def recused_rows(codes: Iterable, experts: Iterable, registry: pd.DataFrame | None) -> list[bool]:
    """For each score (institution code scored, expert): does the expert belong to that institution (应回避)?"""
    home = institutions_of(registry)
    return [c is not None and home.get(identity_key(e)) == c for c, e in zip(codes, experts, strict=True)]


def registry_problems(registry: pd.DataFrame | None, scores: pd.DataFrame, label: str, subject: str,
                      exclude: bool) -> list[Problem]:
    """The scores of ``label`` (a frame with ``code``, ``subject`` and ``expert``, indexed by line) against the
    registry: an unregistered expert is an error (once per expert, at their first row); each score of an expert
    of the institution scored is a warning 应回避; under ``exclude``, a subject whose every score is recused is an
    error (it has no valid score: have it scored again). No registry: nothing to check."""
    if registry is None:
        return []
    home = institutions_of(registry)
    problems, seen = [], set()
    rows = scores.dropna(subset=["code", subject, "expert"])
    recused = recused_rows(rows["code"], rows["expert"], registry)
    for (line, code, expert), own in zip(zip(rows.index, rows["code"], rows["expert"], strict=True), recused, strict=True):
        key = identity_key(expert)
        if key not in home:
            if key not in seen:
                seen.add(key)
                count = sum(identity_key(e) == key for e in rows["expert"])
                problems.append(Problem(label, f"专家不在专家库（{REGISTRY_FILE}）中（共{count}行评分）",
                                        f"expert is not in the registry {REGISTRY_FILE} ({count} scores)",
                                        row=int(line), column="expert", value=expert))
        elif own:
            effect_zh = "按评分口径该评分不计入得分" if exclude else "按评分口径该评分仍计入得分，仅作标记"
            effect_en = "left out of the score by the rubric's policy" if exclude else "kept in the score, flagged only"
            problems.append(Problem(label, f"专家所在机构（{code}）即被评机构，{RECUSED}；{effect_zh}",
                                    f"the expert belongs to the institution scored ({code}) and should have recused "
                                    f"({RECUSED}); {effect_en}", row=int(line), column="expert", value=expert,
                                    severity="warning"))
    if exclude:
        marked = rows.assign(_recused=recused)
        for (_code, name), group in marked.groupby(["code", subject], sort=False):
            if group["_recused"].all():
                problems.append(Problem(label, f"该评分对象的全部评分都{RECUSED}，没有有效评分：请另请专家重新评分",
                                        "every score of this subject is by an expert who should have recused: it has "
                                        "no valid score; have it scored again", row=int(group.index[0]), column=subject,
                                        value=name))
    return problems
