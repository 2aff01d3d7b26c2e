"""The rules as implemented, in Markdown, generated from a scheme's rubric file (``evalbook rubric``).

Each scheme renders its own rules (``Scheme.rules_markdown``, with the helpers here); every number in
the text comes from the rubric, so the published rules cannot drift from what the scoring uses.
``docs/rules/<scheme>.md`` (under the scheme's ``HOME``) is this output; ``evalbook rubric SCHEME --check``
(and a test) keep it current. Choices the source does not make are marked **[policy]** with their value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from evalbook.core import paths
from evalbook.core.exact import plain
from evalbook.core.rubric import Rubric
from evalbook.core.scenarios import scenarios

POLICY = "**[policy]**"


def docs_path(scheme: str) -> Path:
    """Where the rules doc of ``scheme`` is kept: ``docs/rules/<scheme>.md`` under the scheme's ``HOME``."""
    from evalbook.core.registry import get_scheme

    return get_scheme(scheme).HOME / "docs" / "rules" / f"{scheme}.md"


def md(text) -> str:
    """Rubric text inside Markdown: pipes and line breaks would break a table row."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def header(d: Mapping, path_label: str) -> list[str]:
    return [f"# {md(d['title'])} — 评分规则 Rules as implemented", "",
            f"> 本文件由 `evalbook rubric {d['scheme']}` 从 `{path_label}` 生成，请勿手改；改规则请改评分规则文件后重新生成。",
            f"> Generated from `{path_label}` by `evalbook rubric {d['scheme']}`; do not edit by hand.", "",
            f"- 方案 scheme: `{d['scheme']}`，版本 version: `{md(d['version'])}`",
            f"- 依据 source: {md(d['source'])}",
            f"- {POLICY} 标记原文未作规定、由评估方选择的口径（当前取值如下，报告“评分口径”一节同样列出）。"
            " Marks a choice the source does not make, with its current value.", ""]


def amount(value) -> str:
    return plain(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def rank_order(order: list, labels: Mapping[str, str]) -> str:
    """The ranking keys in the words the scheme's reports use, each with its rubric key."""
    return " → ".join(f"{labels.get(k, k)} `{k}`" for k in order)


def scenarios_markdown(rubric: Rubric) -> list[str]:
    """The rubric's other readings (``scenarios``): each scenario's name, label and the keys it changes."""
    listed = scenarios(rubric)[1:]
    if not listed:
        return []
    out = ["## 奖项稳定性分析 Other readings of the rules (`scenarios`)", "",
           "每次运行另按下列读法用同一批已校验数据重新评分，写入 sensitivity.csv（scenario 列为名称），年度页列出奖项或合格"
           "与否随读法而变的单位；正式结果始终按上文的默认口径。 Each run also scores the year under each reading below "
           "(sensitivity.csv); the official result is always the default reading.", "",
           "| 名称 scenario | 读法 | 改动的键 |", "|---|---|---|"]
    for s in listed:
        keys = "；".join(f"`{path}`: {str(v).lower() if isinstance(v, bool) else md(v)}" for path, v in s.overrides)
        out.append(f"| `{s.name}` | {md(s.label)} | {keys} |")
    return [*out, ""]


def label(path: Path) -> str:
    """The rubric's path as the doc names it: relative to the repository, or just its name."""
    path = Path(path).resolve()
    return path.relative_to(paths.REPO.resolve()).as_posix() if path.is_relative_to(paths.REPO.resolve()) else path.name


def policy_markdown(rubric: Rubric, lines: list[tuple[str, str]], path: Path) -> str:
    """A scheme's rules doc when it writes none of its own: the header and its 评分口径 as a table."""
    out = header(rubric.data, label(path))
    out += ["## 评分口径 Policy", "", "| 项目 | 口径 |", "|---|---|", *[f"| {md(k)} | {md(v)} |" for k, v in lines], ""]
    return "\n".join(out)


def rubric_markdown(scheme: str, rubric_path: Path | None = None) -> str:
    """The Markdown rules of ``scheme`` (a name in the registry) from its rubric file: the scheme's own
    document (``Scheme.rules_markdown``), else its 评分口径 as a table."""
    from evalbook.core.registry import get_scheme

    found = get_scheme(scheme)
    path = Path(rubric_path or found.rubric_path())
    text = found.rules_markdown(path)
    if text is None:
        rubric = found.load_rubric(path)
        text = policy_markdown(rubric, found.policy_lines(rubric), path)
    return text


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder: never half-written, and with the
    mode the umask gives (``publish.replace_files``)."""
    from evalbook.core.files import replace_files

    path = Path(path)
    replace_files(path.parent, {path.name: text})
