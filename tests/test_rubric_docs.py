"""``evalbook rubric``: the rules as implemented, generated from the rubric file (docs/rules/<scheme>.md).

The committed docs must equal what the rubric gives (like ``evalbook suites --check``), and every
number in them must come from the rubric: change an amount in a copy of the rubric and the doc changes.
Expected texts below are written from the rubric's values by hand, not copied from the output.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import pytest
import yaml

from evalbook.cli.commands import main
from evalbook.core.errors import InputError
from evalbook.output.rubric_docs import docs_path, rubric_markdown, write_atomic

REPO = Path(__file__).resolve().parents[1]
SCHEMES = ("wendeng-featured", "naiman-specialty")


def changed_copy(tmp_path: Path, scheme: str, change) -> Path:
    data = yaml.safe_load((REPO / "rubrics" / f"{scheme}.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    change(data)
    path = tmp_path / f"{scheme}.yaml"
    path.write_text(yaml.dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("scheme", SCHEMES)
def test_committed_rules_docs_are_current(scheme, capsys):
    assert docs_path(scheme) == REPO / "docs" / "rules" / f"{scheme}.md"
    assert docs_path(scheme).read_text(encoding="utf-8") == rubric_markdown(scheme), \
        f"run `evalbook rubric {scheme} --out docs/rules/{scheme}.md` and commit docs/"
    assert main(["rubric", scheme, "--check"]) == 0


def test_check_fails_on_a_stale_doc_and_out_writes_the_current_one(tmp_path, capsys):
    stale = tmp_path / "rules.md"
    stale.write_text("# old rules\n", encoding="utf-8")
    assert main(["rubric", "wendeng-featured", "--check", "--out", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["rubric", "wendeng-featured", "--out", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == rubric_markdown("wendeng-featured")
    assert main(["rubric", "wendeng-featured", "--check", "--out", str(stale)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["rules.md"]  # no temporary file left behind


def test_printed_without_out(capsys):
    assert main(["rubric", "naiman-specialty"]) == 0
    assert capsys.readouterr().out == rubric_markdown("naiman-specialty")


def test_unknown_scheme_is_a_clear_error(capsys):
    with pytest.raises(SystemExit) as stop:  # a wrong command line: exit 2, as for every command
        main(["rubric", "no-such-scheme"])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "no-such-scheme" in said and "unknown scheme" in said


def test_wendeng_doc_carries_the_rubric_numbers():
    text = rubric_markdown("wendeng-featured")
    # maxima 5+5+5+5 + 6+6+6+6 + 8 + 5+5 + 10+10 + 8+5+5 = 100
    assert "合计 100 分" in text
    assert "主要负责人未担任组长扣2分" in text and "未有院内公文公示扣1分" in text  # item 1 params
    assert "区级0.5分、市级1分、省级1.5分、国家级2分，最高8分" in text  # item 9
    assert "特等奖10分、一等奖7分、二等奖5分、三等奖3分、优秀奖1分" in text  # item 12
    assert "总成绩 = 0.7 × 附件3得分 + 0.3 × 专家得分" in text
    assert "另扣 5 分；**[policy]** 扣在 `total`" in text
    assert "| 一组 区直医院 | 一等奖 | 1 | 20 |" in text and "| 二组 基层医疗机构 | 三等奖 | 3 | 4 |" in text
    assert "| 二组 基层医疗机构 | 特等奖 | 1 | 5 |" in text
    assert "≥ 10 万元得 1 分；> 20 万元得 2 分；> 40 万元得 3 分；> 100 万元得 4 分；> 200 万元得 5 分" in text
    assert "不低于 60 分者获优秀奖" in text
    assert "组内依次按 总成绩 `total` → 附件3得分 `rubric_score` → 专家得分 `expert_score` 从高到低" in text
    assert "| 合计 | 100 |" in text  # expert dimensions 20+20+15+15+15+15 = 100
    # the [policy] choices the rubric marks: item 2, 4, 9, 12, 14, bands, step, unscored, ranking, counts, excellence
    assert text.count("**[policy]**") >= 11
    for number in range(1, 17):
        assert f"\n| {number} | " in text


def test_wendeng_doc_follows_a_changed_rubric(tmp_path):
    def change(d):
        d["unit_awards"]["district"][0]["prize_wan"] = 37
        d["items"][1]["params"]["leader_not_head"] = 1.5
        d["items"][1]["max"] = 6  # maxima now sum to 101
        d["items"][12]["params"]["penalty_applies_to"] = "rubric"
        d["items"][9]["params"]["order"] = "deduct_then_cap"
        d["weights"] = {"rubric": 0.6, "expert": 0.4}
        d["ranking"]["order"] = ["total", "expert_score"]

    text = rubric_markdown("wendeng-featured", changed_copy(tmp_path, "wendeng-featured", change))
    assert "| 一组 区直医院 | 一等奖 | 1 | 37 |" in text and "| 一组 区直医院 | 一等奖 | 1 | 20 |" not in text
    assert "主要负责人未担任组长扣1.5分" in text
    assert "合计 101 分" in text and "成立领导小组得6分" in text
    assert "扣在 `rubric`：附件3得分，加权前" in text
    assert "先扣宣传形式分，再封顶" in text
    assert "总成绩 = 0.6 × 附件3得分 + 0.4 × 专家得分" in text
    assert "组内依次按 总成绩 `total` → 专家得分 `expert_score` 从高到低" in text
    assert "Generated from `wendeng-featured.yaml`" in text  # a rubric outside the repository: its name only


def test_naiman_doc_carries_the_rubric_and_catalog_numbers():
    text = rubric_markdown("naiman-specialty")
    assert "总分 = 0.7 × 客观数据得分 + 0.3 × 现场核查得分" in text
    assert "总分不低于 60 分" in text
    assert "超过填报值的 5%（recheck_tolerance 0.05）" in text  # 0.05 × 100 = 5, exactly
    assert "| 质量与安全 | 45 |" in text and "| 合计 | 100 |" in text  # 20+45+20+15 = 100
    assert "合格且未被标记“数据不实”" in text
    assert "`2024H1`" in text
    assert "按 总分 `total` 从高到低" in text
    catalog_lines = (REPO / "rubrics" / "naiman-specialty-catalog.csv").read_text(encoding="utf-8").splitlines()[1:]
    ids = [line.split(",")[1] for line in catalog_lines]
    for indicator in ids:
        assert f"\n| {indicator} | " in text
    rows = {line.split(",")[0] for line in catalog_lines}
    assert f"调查表共 {len(rows)} 行，{len(ids)} 个指标编号" in text
    lower = sum(1 for line in catalog_lines if line.split(",")[9] == "lower")
    assert f"| 负向 lower（越低越好） | {lower} |" in text


def test_naiman_doc_follows_a_changed_rubric(tmp_path):
    def change(d):
        d["pass_mark"] = 65
        d["recheck_tolerance"] = 0.07  # 7 %, not 7.000000000000001 %
        d["category_weights"]["质量与安全"] = 50  # 20+50+20+15 = 105
        d["recommend_excludes_flagged"] = False

    text = rubric_markdown("naiman-specialty", changed_copy(tmp_path, "naiman-specialty", change))
    assert "总分不低于 65 分" in text and "不低于 60 分" not in text
    assert "超过填报值的 7%（recheck_tolerance 0.07）" in text
    assert "| 质量与安全 | 50 |" in text and "| 合计 | 105 |" in text
    assert "（不论是否标记“数据不实”）" in text


def test_rubric_text_cannot_break_the_markdown_tables(tmp_path):
    def change(d):
        d["items"][3]["title"] = "会议 | 伪造列\n| 99 | x |"

    text = rubric_markdown("wendeng-featured", changed_copy(tmp_path, "wendeng-featured", change))
    row = next(line for line in text.splitlines() if line.startswith("| 3 | "))
    assert "会议 \\| 伪造列 \\| 99 \\| x \\|" in row
    assert "\n| 99 |" not in text


def test_a_broken_rubric_is_an_input_error_and_nothing_is_written(tmp_path):
    path = changed_copy(tmp_path, "naiman-specialty", lambda d: d.pop("pass_mark"))
    with pytest.raises(InputError):
        rubric_markdown("naiman-specialty", path)


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "rules.md"
    target.write_text("old\n", encoding="utf-8")

    def boom(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("evalbook.core.files.os.replace", boom)
    with pytest.raises(OSError):
        write_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rules.md"]


def test_write_atomic_gives_the_mode_the_umask_gives(tmp_path):
    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "rules.md", "x\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "rules.md").stat().st_mode & 0o777 == 0o644  # 0o666 & ~0o022, not mkstemp's 0o600


def test_nothing_in_the_repository_refers_to_files_outside_it():
    outside = ("shared" + "/", "RUBR" + "ICS.md", "/work" + "/")  # spelt in pieces so this file does not match
    files = [REPO / "README.md", REPO / "Makefile", *(p for folder in ("docs", "src", "tests", "scripts", "notebooks")
                                                     for p in (REPO / folder).rglob("*")
                                                     if p.is_file() and p.suffix in (".md", ".py", ".ipynb", ".txt", ".yaml"))]
    found = [(p.relative_to(REPO).as_posix(), s) for p in files for s in outside if s in p.read_text(encoding="utf-8")]
    assert found == []


def test_the_guides_name_only_real_commands_and_files():
    from evalbook.cli.commands import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)
    for guide in ("evaluator-guide.md", "auditor-guide.md", "architecture.md"):
        text = (REPO / "docs" / guide).read_text(encoding="utf-8")
        blocks = "\n".join(text.split("```")[1::2])  # the fenced code blocks
        used = set(re.findall(r"`evalbook ([a-z]+)", text)) | set(re.findall(r"^evalbook ([a-z]+)", blocks, re.M))
        assert used <= commands, (guide, used - commands)
        for module in re.findall(r"`([a-z_]+\.py)`", text):
            assert list((REPO / "src" / "evalbook").rglob(module)), (guide, module)
        for path in re.findall(r"`((?:docs|rubrics|notebooks)/[\w./-]+\.(?:md|yaml|csv|ipynb))`", text):
            assert (REPO / path).exists(), (guide, path)
