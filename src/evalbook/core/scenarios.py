"""Other readings of a rubric: the scenarios the committee's stability analysis re-scores a year under.

A rubric may list, under ``scenarios``, named alternatives to its own [policy] choices, each as a set of
overrides of keys the rubric already has (a dotted path → the other value):

    scenarios:
      - name: penalty_on_rubric                     # ASCII: the `scenario` column of sensitivity.csv
        label: 放弃比武扣分扣在附件3得分（加权前）      # what the pages show
        set: {items.12.params.penalty_applies_to: rubric}

A scenario only overrides: a path that is not in the rubric, or a value of another kind (a number for a
word), is an error, as is a variant the scheme's own strict check refuses (``check_variants``). So every
alternative is a rubric the scheme would accept, and the analysis is rules as data like the rest.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evalbook.core.errors import InputError, Problem
from evalbook.core.rubric import Rubric, RubricChecker

KEY = "scenarios"
DEFAULT = "default"  # the rubric as it is: always the first scenario
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class Scenario:
    """One reading of the rules: its name (sensitivity.csv), label (pages), overrides and the rubric it gives."""

    name: str
    label: str
    overrides: tuple[tuple[str, Any], ...]
    rubric: Rubric


def _step(node: Any, part: str) -> tuple[bool, Any]:
    """(found, key) of one path part in ``node``: a mapping's key (a number-looking part also matches a number
    key, as the items 1–16 are), or a list's index."""
    if isinstance(node, dict):
        if part in node:
            return True, part
        if part.isdigit() and int(part) in node:
            return True, int(part)
    elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return True, int(part)
    return False, None


def _locate(data: dict, path: str) -> tuple[Any, Any] | None:
    """The container and key ``path`` names in ``data``; None when the path is not in it."""
    node, key = None, None
    current: Any = data
    for part in path.split("."):
        found, key = _step(current, part)
        if not found:
            return None
        node, current = current, current[key]
    return node, key


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def check_scenarios(check: RubricChecker, data: dict) -> None:
    """The ``scenarios`` list's own form: names, labels and overrides of existing keys with values of their kind.
    (Whether each variant is a rubric the scheme accepts is ``check_variants``' part.)"""
    entries = data.get(KEY)
    if not isinstance(entries, list):
        check.fail(KEY, "应为列表（可为空列表）", "must be a list (it may be empty)", entries)
        return
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"{KEY}[{i}]"
        if not check.keys(entry, where, {"name", "label", "set"}):
            continue
        name = entry["name"]
        if not (isinstance(name, str) and NAME.fullmatch(name)) or name == DEFAULT:
            check.fail(f"{where}.name", f"应为小写英文字母开头、由小写字母、数字和 _ 组成（不超过40字符），且不能是 {DEFAULT}",
                       f"must start with a lowercase letter, use a-z, 0-9 and _ (at most 40), and not be {DEFAULT!r}", name)
        elif name in seen:
            check.fail(f"{where}.name", "情景名称重复", "a scenario name appears twice", name)
        seen.add(name if isinstance(name, str) else "")
        if not (isinstance(entry["label"], str) and entry["label"].strip()):
            check.fail(f"{where}.label", "应为非空的中文说明", "must be a non-empty description", entry["label"])
        overrides = entry["set"]
        if not (isinstance(overrides, dict) and overrides):
            check.fail(f"{where}.set", "应为非空的“键路径: 取值”", "must be a non-empty mapping of key path → value", overrides)
            continue
        for path, value in overrides.items():
            spot = _locate(data, str(path)) if str(path).split(".")[0] != KEY else None
            if spot is None:
                check.fail(f"{where}.set.{path}", "评分规则中没有这个键路径（情景只能改已有的键）",
                           "the rubric has no such key path (a scenario only changes keys the rubric has)")
                continue
            node, key = spot
            if _kind(node[key]) != _kind(value) or isinstance(value, (dict, list)):
                check.fail(f"{where}.set.{path}", f"取值类型应与规则中原值相同（{node[key]!r}）",
                           f"must be a value of the same kind as the rubric's ({node[key]!r})", value)


def variant(rubric: Rubric, name: str, overrides: dict) -> Rubric:
    """The rubric with ``overrides`` applied (a copy; no scenarios of its own). Its sha256 names the base rubric
    and the scenario, so a variant is never taken for the rubric file itself."""
    data = copy.deepcopy({k: v for k, v in rubric.data.items() if k != KEY})
    for path, value in overrides.items():
        node, key = _locate(data, str(path))
        node[key] = value
    return Rubric(path=rubric.path, sha256=f"{rubric.sha256}+{name}", data=data)


def scenarios(rubric: Rubric) -> list[Scenario]:
    """The default reading, then each scenario the rubric lists (already checked when the rubric was loaded)."""
    base = Scenario(DEFAULT, "评分规则默认口径", (), rubric)
    return [base, *(Scenario(e["name"], e["label"], tuple((str(p), v) for p, v in e["set"].items()),
                             variant(rubric, e["name"], e["set"]))
                    for e in rubric.data.get(KEY) or [])]


def check_variants(rubric: Rubric, check: Callable[[Rubric], Any]) -> None:
    """Every scenario's rubric through the scheme's own strict ``check``; their problems are named by scenario."""
    problems: list[Problem] = []
    for scenario in scenarios(rubric)[1:]:
        try:
            check(scenario.rubric)
        except InputError as exc:
            problems += [Problem(p.file, f"情景 {scenario.name} 改动后：{p.rule_zh}",
                                 f"under scenario {scenario.name}: {p.rule_en}",
                                 row=f"{KEY}（{scenario.name}）→ {p.row}", column=p.column, value=p.value)
                         for p in exc.problems]
    if problems:
        raise InputError(problems)


def policy_line(rubric: Rubric) -> list[tuple[str, str]]:
    """The 评分口径 line that names the scenarios (none when the rubric lists none)."""
    listed = scenarios(rubric)[1:]
    if not listed:
        return []
    return [("奖项稳定性分析", "另按以下口径用同一数据重新评分，与正式结果比较，不改变正式结果："
             + "；".join(f"{s.label}（{s.name}）" for s in listed))]
