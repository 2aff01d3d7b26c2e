"""与上一年度比较 (``committee.trends``, ``committee.trend_sections``): a crafted two-year folder, computed by hand.

The cohort is test_cli_e2e's five institutions (2023, hand-computed there): district D1 95.5 (1st), D2 91.65 (2nd);
primary P3 92.8 (1st, 一等奖; rubric 94: item 5 lost, expert 90), P1 88 (2nd, 二等奖), P2 82 (3rd, 二等奖).
Its 2022 here is the same data, except for P3: item 1 lost as well (leading_group, leader_is_head, group_document
all 0 → item 1 = 0: rubric 94 − 5 = 89) and its one expert at half marks (expert 50):
P3 2022 total = 0.7 × 89 + 0.3 × 50 = 62.3 + 15 = 77.3, below P1 88 and P2 82, so 3rd (二等奖, as P2 in 2023).
So P3 moves 3rd → 1st (+2 places), 77.3 → 92.8 (+15.5), 二等奖 → 一等奖, and gains item 1 by 5 points (0 → 5),
losing none; P1 1st → 2nd (−1), P2 2nd → 3rd (−1), each with the same total; D1, D2 unchanged.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from csv_rows import edit_rows, read_rows
from evalbook.audit.verify import DIFFERS, IDENTICAL, TAMPERED, verify
from evalbook.committee import trends
from evalbook.committee.tables import write_year_tables
from evalbook.committee.trend_sections import unit_trend_section, year_trend_section
from evalbook.core.errors import InputError
from evalbook.core.registry import get_scheme
from evalbook.inputs.reading import sha256_file
from evalbook.notebook.year import open_year
from evalbook.output.plaintext import text_of
from evalbook.run.batch import RunOptions, run_year, validate_year
from evalbook.run.stale import facts_digests
from test_cli_e2e import SCHEME, build_cohort, dims

YEAR, LAST = 2023, 2022
ITEM_1 = ("leading_group", "leader_is_head", "group_document")


def two_years(data: Path) -> Path:
    """test_cli_e2e's 2023 and a 2022 where P3 is 3rd (see the module doc)."""
    build_cohort(data)
    base = data / SCHEME
    (base / str(LAST)).mkdir()
    for name in ("facts.csv", "judgments.csv", "expert_scores.csv"):  # 2022 needs no project statistics or ledger
        shutil.copy(base / str(YEAR) / name, base / str(LAST) / name)
    edit_rows(base / str(LAST) / "facts.csv", {"code": "P3"}, dict.fromkeys(ITEM_1, "0"))
    edit_rows(base / str(LAST) / "expert_scores.csv", {"code": "P3"},
              dict(zip(["advantage", "work", "economic", "social", "difficulty", "risk"], map(str, dims(0.5)), strict=True)))
    return data


@pytest.fixture
def data(tmp_path) -> Path:
    return two_years(tmp_path / "data")


def tables(data: Path, folder: Path):
    scheme = get_scheme(SCHEME)
    intake = validate_year(SCHEME, YEAR, data)
    assert not intake.errors
    folder.mkdir(parents=True, exist_ok=True)
    written = write_year_tables(scheme, intake, scheme.score(intake), folder)
    return intake, written, {r["unit"]: r for r in read_rows(folder / trends.TRENDS)}, read_rows(folder / trends.TREND_ITEMS)


def test_the_table_shows_p3_moving_from_third_to_first_and_the_item_it_gained(data, tmp_path):
    intake, written, units, items = tables(data, tmp_path / "out")
    assert trends.TRENDS in written and trends.TREND_ITEMS in written
    p3 = units["P3"]
    assert (p3["status"], p3["last_rank"], p3["rank"], p3["rank_change"]) == ("both", "3", "1", "2")
    assert (p3["last_total"], p3["total"], p3["total_change"]) == ("77.3", "92.8", "15.5")
    assert (p3["last_award"], p3["award"], p3["items_gained"], p3["items_lost"]) == ("二等奖", "一等奖", "1", "0")
    assert (units["P1"]["rank_change"], units["P2"]["rank_change"]) == ("-1", "-1")
    assert (units["P1"]["total_change"], units["P2"]["total_change"]) == ("0.0", "0.0")  # 88 − 88, 82 − 82
    assert (units["D1"]["rank_change"], units["D2"]["total_change"], units["D2"]["items_gained"]) == ("0", "0.0", "0")
    # only P3's item 1 changed: 0 → 5
    assert [(i["unit"], i["item"], i["last_score"], i["score"], i["change"], i["max"]) for i in items] == [
        ("P3", "item_01", "0.0", "5.0", "5.0", "5.0")]
    assert items[0]["label"].startswith("第1项 ")
    # last year's files are inputs of the run, and what was found is in the validation record with the tables' hashes
    assert {f"{LAST}/facts.csv", f"{LAST}/expert_scores.csv", f"{LAST}/judgments.csv"} <= set(intake.input_hashes())
    made = intake.validation_record()["made"][trends.KEY]
    assert (made["status"], made["last_year"], made["errors"]) == (trends.COMPARED, LAST, 0)
    assert made["files"] == {name: sha256_file(tmp_path / "out" / name) for name in (trends.TRENDS, trends.TREND_ITEMS)}


def test_the_pages_show_the_move_and_the_item(data):
    book = open_year(SCHEME, YEAR, data)  # alone: compares itself
    page = text_of(year_trend_section(book))
    assert "上一年度按本年度评分规则重算" in page
    line = next(x for x in page.splitlines() if x.lstrip().startswith("P3"))
    for shown in ("第3名", "第1名", "↑2", "77.3", "92.8", "+15.5", "二等奖 → 一等奖", "↑1 ↓0"):
        assert shown in line, (shown, line)
    assert "↓1" in next(x for x in page.splitlines() if x.lstrip().startswith("P1"))
    html = unit_trend_section(book, "", "P3")
    report = text_of(html)
    # the chart: one bar, P3's item 1 gained (+5), the largest change, so the full half-width (150 px) in green
    assert html.count("<rect ") == 1 and 'width="150.0"' in html and 'fill="#1e7b45"' in html
    assert "第3名 → 第1名（↑2）" in report and "77.3 → 92.8（+15.5）" in report and "二等奖 → 一等奖" in report
    assert "得分上升的项目" in report and "得分下降的项目" not in report
    item = [x for x in report.splitlines() if "第1项" in x][-1]  # the table's row (after the chart's label)
    assert item.split()[-3:] == ["0", "5", "+5"]
    d1 = text_of(unit_trend_section(book, "", "D1"))
    assert "第1名 → 第1名（持平）" in d1 and "各项得分与上一年度相同" in d1


def test_hostile_names_are_escaped_on_the_year_page(data):
    book = open_year(SCHEME, YEAR, data)
    html = year_trend_section(book)
    assert "<b>丙</b>" not in html and "&lt;b&gt;丙&lt;/b&gt;" in html  # P1's name as typed
    rows = read_rows(data / SCHEME / "institutions.csv")
    assert any(r["name"].startswith("=") for r in rows)


def test_no_last_year_no_trend_and_no_error(tmp_path):
    data = tmp_path / "data"
    build_cohort(data)
    intake, _, units, items = tables(data, tmp_path / "out")
    assert units == {} and items == []
    assert (tmp_path / "out" / trends.TRENDS).read_text(encoding="utf-8") == ",".join(trends.TREND_COLUMNS) + "\n"
    assert intake.validation_record()["made"][trends.KEY]["status"] == trends.NO_LAST_YEAR
    assert not any(label.startswith(f"{LAST}/") for label in intake.input_hashes())
    book = open_year(SCHEME, YEAR, data)
    for page in (year_trend_section(book), unit_trend_section(book, "", "P3")):
        assert "数据文件夹中没有上一年度（2022年）的数据，不作比较。" in text_of(page)


def test_an_invalid_last_year_is_not_shown_and_says_so(data, tmp_path):
    # 2022's D1 item-1 fact "2": not a 0/1 flag; the year is then not compared (one error)
    edit_rows(data / SCHEME / str(LAST) / "facts.csv", {"code": "D1"}, {"leading_group": "2"})
    intake, _, units, items = tables(data, tmp_path / "out")
    made = intake.validation_record()["made"][trends.KEY]
    assert made["status"] == trends.INVALID and made["errors"] >= 1
    assert units == {} and items == []
    assert f"{LAST}/facts.csv" in intake.input_hashes()  # what was read to find it invalid is recorded too
    book = open_year(SCHEME, YEAR, data)
    for page in (year_trend_section(book), unit_trend_section(book, "", "P3")):
        text = text_of(page)
        assert "上一年度（2022年）的数据未通过校验" in text and "不显示与上一年度的比较" in text
        assert "第3名" not in text and "Traceback" not in text


def test_a_batch_notebook_takes_the_tables_only_when_they_are_the_recorded_ones(data, tmp_path):
    out = tmp_path / "out"
    intake, _, _, _ = tables(data, out)
    (out / "validation.json").write_text(json.dumps(intake.validation_record(), ensure_ascii=False), encoding="utf-8")
    book = open_year(SCHEME, YEAR, data, out / "validation.json")
    assert book.intake.made == intake.made
    assert "↑2" in text_of(year_trend_section(book, str(out / "validation.json")))
    text = (out / trends.TRENDS).read_text(encoding="utf-8")
    (out / trends.TRENDS).write_text(text.replace("92.8,15.5", "99.8,22.5"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        trends.load(book, out / "validation.json")
    assert "与校验记录不符" in str(caught.value.problems[0].rule_zh)


def test_a_change_of_last_year_makes_the_moved_units_reports_stale(data, tmp_path):
    scheme = get_scheme(SCHEME)

    def digests(folder: Path) -> dict:
        intake = validate_year(SCHEME, YEAR, data)
        scores = scheme.score(intake)
        folder.mkdir()
        write_year_tables(scheme, intake, scores, folder)
        return facts_digests(scheme, intake, folder, scheme.report_units(intake, scores))

    before = digests(tmp_path / "a")
    # P1's 2022 expert at 30 % (expert 30): 0.7 × 100 + 0.3 × 30 = 79; 2022 then ranks P2 82 1st (一等奖), P1 79 2nd,
    # P3 77.3 3rd (二等奖, as before): P1's row (last total 88 → 79, last rank 1 → 2) and P2's (last rank 2 → 1) change
    edit_rows(data / SCHEME / str(LAST) / "expert_scores.csv", {"code": "P1"},
              dict(zip(["advantage", "work", "economic", "social", "difficulty", "risk"], map(str, dims(0.3)), strict=True)))
    after = digests(tmp_path / "b")
    changed = sorted(unit for unit in before if before[unit] != after[unit])
    assert changed == ["P1", "P2"]  # D1, D2 and P3 show the same trend rows (P3: still 3rd → 1st, 二等奖 → 一等奖)


def test_a_scheme_without_items_shows_no_item_movement():
    naiman = get_scheme("naiman-specialty")
    assert list(naiman.item_scores(None).columns) == ["unit", "item", "label", "score", "max"]
    assert naiman.item_scores(None).empty


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("trend")
    data = two_years(root / "data")
    report = run_year(SCHEME, YEAR, data, root / "out", intake=validate_year(SCHEME, YEAR, data), log=lambda _: None,
                      options=RunOptions(bar=False))
    assert not report.failures
    return root / "out" / SCHEME / str(YEAR)


def test_a_published_year_shows_the_trend_and_verify_reproduces_it(published, tmp_path):
    year = tmp_path / SCHEME / str(YEAR)
    shutil.copytree(published, year)
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    labels = {entry["file"] for entry in manifest["inputs"]}
    assert {f"{LAST}/facts.csv", f"{LAST}/expert_scores.csv"} <= labels
    assert all(f"inputs/{e['sha256']}" in manifest["outputs"] for e in manifest["inputs"])  # archived
    assert "trends.csv" in manifest["outputs"] and "trend_items.csv" in manifest["outputs"]
    page = text_of((year / "P3" / "report.html").read_text(encoding="utf-8"))
    assert "第3名 → 第1名（↑2）" in page and "77.3 → 92.8（+15.5）" in page
    assert "上一年度按本年度评分规则重算" in text_of((year / "index.html").read_text(encoding="utf-8"))
    findings = verify(year)
    assert all(f.status == IDENTICAL for f in findings), [(f.unit, f.status, f.details) for f in findings]


def test_verify_catches_an_edited_trends_csv(published, tmp_path):
    year = tmp_path / SCHEME / str(YEAR)
    shutil.copytree(published, year)
    path = year / trends.TRENDS
    text = path.read_text(encoding="utf-8")
    assert "77.3,92.8,15.5" in text
    path.write_text(text.replace("77.3,92.8,15.5", "72.3,92.8,20.5"), encoding="utf-8")
    findings = {f.unit: f for f in verify(year)}
    assert findings["年度结果 year"].status == TAMPERED  # its hash is not the manifest's
    # with the hash rewritten in the manifest too, the table made again from the archived inputs differs
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"][trends.TRENDS] = sha256_file(path)
    (year / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    findings = {f.unit: f for f in verify(year)}
    year_finding = findings["年度结果 year"]
    assert year_finding.status in (DIFFERS, TAMPERED) and any("trends.csv" in d for d in year_finding.details)


class _Decided:
    """A scheme reduced to its decisions: ``scores`` is a list of (unit, total, rank, award)."""

    def decisions(self, scores):
        import pandas as pd

        return pd.DataFrame([{"level": "unit", "unit": u, "code": u, "name": f"单位{u}", "subject": "", "total": t,
                              "rank": r, "award": a, "prize_wan": None, "passed": None} for u, t, r, a in scores])


def test_new_and_gone_units_and_a_shared_rank():
    from fractions import Fraction

    last = [("A", "80", 2, ""), ("B", "90", 1, "一等奖"), ("C", "80", 2, "")]  # A and C tied 2nd
    now = [("A", Fraction(211, 3), 1, "一等奖"), ("C", "79.5", 2, ""), ("D", "60", 3, "")]
    rows = {r["unit"]: r for r in trends._units(_Decided(), now, last).to_dict("records")}
    assert [r for r in rows] == ["A", "C", "D", "B"]  # this year's order, then the units gone
    a = rows["A"]  # 211/3 − 80 = (211 − 240)/3 = −29/3, exact; rank 2 → 1 (+1)
    assert (a["total_change"], a["rank_change"], a["last_award"], a["award"]) == (Fraction(-29, 3), 1, "", "一等奖")
    assert (rows["C"]["total_change"], rows["C"]["rank_change"]) == (Fraction(-1, 2), 0)  # 79.5 − 80; 2nd both years
    d, b = rows["D"], rows["B"]
    import pandas as pd

    assert (d["status"], d["last_total"], d["total_change"], d["award"]) == ("new", None, None, "")
    assert (b["status"], b["total"], b["last_award"]) == ("gone", None, "一等奖")
    assert pd.isna(d["last_award"]) and pd.isna(d["last_rank"]) and pd.isna(b["award"]) and pd.isna(b["rank_change"])
    # in the CSV: empty cells
    line = trends.csv_text(trends._units(_Decided(), now, last)[trends.TREND_COLUMNS[:-2]]).splitlines()[4]
    assert line == "B,单位B,,B,gone,90.0,,,1,,,一等奖,"  # a whole score written as 90.0, as in scores.csv
