"""Indicator catalog of the naiman-specialty scheme (rubrics/naiman-specialty-catalog.csv).

Expected values come from the rules (docs/rules/naiman-specialty.md, "指标目录 Indicator catalog":
69 survey rows) and from the survey table "重点专科基本情况调查表" of 奈卫健字〔2024〕84号, copied
verbatim into tests/fixtures/naiman-survey-table.txt (序号, 一级指标, 二级指标, 三级指标).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

CATALOG_PATH = Path(__file__).parents[1] / "rubrics" / "naiman-specialty-catalog.csv"
SEED_PATH = Path(__file__).parent / "fixtures" / "naiman-survey-table.txt"

COLUMNS = ["row", "id", "level1", "level2", "level3", "part", "value_label", "kind", "unit", "direction",
           "category", "required"]

with CATALOG_PATH.open(encoding="utf-8", newline="") as _fh:
    _reader = csv.DictReader(_fh)
    HEADER = _reader.fieldnames
    LINES = list(_reader)
BY_ID = {line["id"]: line for line in LINES}
IDS_BY_ROW: dict[int, list[str]] = defaultdict(list)
for _line in LINES:
    IDS_BY_ROW[int(_line["row"])].append(_line["id"])


def ids_where(column: str, value: str) -> set[str]:
    return {line["id"] for line in LINES if line[column] == value}


# The catalog's rule: compound rows, row's own id first, then its suffixed parts.
COMPOUND = {
    4: ["1.1.4", "1.1.4.share"],
    5: ["1.2.1", "1.2.1.detail"],
    28: ["2.3.2", "2.3.2.detail"],
    36: ["2.4.1", "2.4.1.detail"],
    38: ["2.5.1", "2.5.1.detail"],
    56: ["3.4.3", "3.4.3.funding"],
    63: ["3.7.1", "3.7.1.region"],
    64: ["3.7.2", "3.7.2.detail"],
    65: ["3.7.3", "3.7.3.detail"],
}
DETAIL_IDS = {"1.2.1.detail", "2.3.2.detail", "2.4.1.detail", "2.5.1.detail", "3.7.2.detail", "3.7.3.detail"}

# Value kinds (docs/rules/naiman-specialty.md); every other id is a count.
PERCENT = {"1.1.4.share", "2.2.2", "2.3.6", "2.3.7", "2.3.8", "2.3.9", "2.5.2", "2.5.3", "2.6.1", "2.6.2", "2.6.3",
           "2.7.2", "2.7.3", "3.3.1", "3.3.2", "3.6.1", "3.6.2", "4.1.1", "4.1.2", "4.1.3"}
INDEX = {"2.3.1"}
NUMBER = {"2.7.1"}
AMOUNT = {"3.4.3.funding", "3.4.4", "3.4.5"}
AREA = {"1.1.1"}
RANK = {"3.7.1", "3.7.1.region"}

# Directions ([policy], docs/rules/naiman-specialty.md); everything else higher-better.
LOWER = {"2.3.6", "2.3.7", "2.3.8", "2.3.9", "2.5.2", "2.5.3", "2.6.1", "2.6.2", "2.7.1", "2.7.2", "2.7.3", "4.1.4",
         "3.7.1", "3.7.1.region"}
NEUTRAL = {"1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.4.share", "1.6.1", "1.6.2", "1.6.3", "1.6.4"} | DETAIL_IDS

# Six level-3 cells copied by hand from the survey table (row → text, verbatim).
LEVEL3_SPOT = {
    1: "1.1.1科室业务用房面积",
    17: "1.6.1 ≦30岁",
    26: "多学科诊疗团队数",
    27: "2.3.1 CMI",
    44: "2.7.1抗菌药物使用强度（DDDs)",
    50: "3.2.1自治区特级专家、自治区突出贡献专家、新世纪“321 人才”工程、自治区草原英才数量",
}


def test_file_encoding_and_header():
    raw = CATALOG_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\r" not in raw, "\\n line endings only"
    assert raw.endswith(b"\n")
    assert HEADER == COLUMNS
    assert all(None not in line and all(v is not None for v in line.values()) for line in LINES), "ragged line"


def test_69_distinct_rows_and_unique_ids():
    assert sorted(IDS_BY_ROW) == list(range(1, 70))
    ids = [line["id"] for line in LINES]
    assert len(ids) == len(set(ids))
    assert len(LINES) == 69 + sum(len(v) - 1 for v in COMPOUND.values()) == 78
    # lines are in source order
    assert [int(line["row"]) for line in LINES] == sorted(int(line["row"]) for line in LINES)


def test_quirks():
    assert IDS_BY_ROW[23] == ["2.1.5"]
    assert BY_ID["2.1.5"]["level3"] == "2.1.5下转患者人次数"
    assert "2.1.3" not in BY_ID and "2.1.4" not in BY_ID
    assert IDS_BY_ROW[26] == ["2.2.3"]
    assert BY_ID["2.2.3"]["level3"] == "多学科诊疗团队数"


def test_compound_rows():
    for row, ids in COMPOUND.items():
        assert IDS_BY_ROW[row] == ids, row
        own = ids[0]
        levels = {(BY_ID[i]["level1"], BY_ID[i]["level2"], BY_ID[i]["level3"]) for i in ids}
        assert len(levels) == 1, f"row {row}: every line repeats the row's level texts"
        assert BY_ID[own]["part"] == ""
        for i in ids[1:]:
            assert i == f"{own}.{BY_ID[i]['part']}"
    for row, ids in IDS_BY_ROW.items():
        if row not in COMPOUND:
            assert len(ids) == 1 and BY_ID[ids[0]]["part"] == "", row
    assert {line["part"] for line in LINES} == {"", "share", "detail", "funding", "region"}
    assert ids_where("part", "detail") == DETAIL_IDS
    assert BY_ID["3.7.1"]["value_label"] == "复旦大学医院专科排行榜名次"
    assert BY_ID["3.7.1.region"]["value_label"] == "自治区学科评价排名"
    assert BY_ID["3.4.3.funding"]["unit"] == "万元"


def test_ids_agree_with_level_codes():
    for line in LINES:
        own = line["id"].split(".")
        own = ".".join(own[:3])
        if line["id"] != "2.2.3":
            assert re.match(r"\d+(\.\d+)*", line["level3"]).group(0) == own, line["id"]
        assert line["level2"].startswith(".".join(own.split(".")[:2])), line["id"]
        assert line["level1"].startswith(own.split(".")[0] + "."), line["id"]
        assert line["level3"] == line["level3"].strip() and line["level3"]
        if line["part"] == "":
            assert line["id"] == own


def test_kinds():
    assert ids_where("kind", "percent") == PERCENT
    assert ids_where("kind", "index") == INDEX
    assert ids_where("kind", "number") == NUMBER
    assert ids_where("kind", "amount") == AMOUNT
    assert ids_where("kind", "area") == AREA
    assert ids_where("kind", "rank") == RANK
    assert ids_where("kind", "text") == DETAIL_IDS
    assert ids_where("kind", "count") == set(BY_ID) - PERCENT - INDEX - NUMBER - AMOUNT - AREA - RANK - DETAIL_IDS
    units = {"percent": {"%"}, "amount": {"万元"}, "area": {"m²"}, "rank": {"名"}, "text": {""}, "index": {""},
             "number": {"DDDs/百人天"}}
    for line in LINES:
        if line["kind"] in units:
            assert line["unit"] in units[line["kind"]], line["id"]
        else:
            assert line["unit"], line["id"]


def test_directions():
    assert ids_where("direction", "lower") == LOWER
    assert ids_where("direction", "neutral") == NEUTRAL
    assert ids_where("direction", "higher") == set(BY_ID) - LOWER - NEUTRAL


def test_categories():
    assert {line["category"] for line in LINES} == {"基本情况", "质量与安全", "人才队伍", "服务满意"}
    for line in LINES:
        assert line["level1"] == f"{line['id'].split('.')[0]}.{line['category']}", line["id"]


def test_required():
    for line in LINES:
        expected = "0" if line["kind"] == "text" or line["id"] in RANK else "1"
        assert line["required"] == expected, line["id"]
    assert ids_where("required", "0") == DETAIL_IDS | RANK


def test_level3_spot_check_verbatim():
    for row, text in LEVEL3_SPOT.items():
        assert {BY_ID[i]["level3"] for i in IDS_BY_ROW[row]} == {text}, row
    seed_cells = {ln.strip() for ln in SEED_PATH.read_text(encoding="utf-8").splitlines()}
    for text in LEVEL3_SPOT.values():
        assert text in seed_cells, f"not a cell of the survey table: {text!r}"


def test_every_catalog_row_is_a_row_of_the_survey_table():
    lines = SEED_PATH.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and "奈卫健字〔2024〕84号" in lines[0]  # says what it is
    cells = [ln.strip() for ln in lines if not ln.startswith("#")]
    assert [c for c in cells if re.fullmatch(r"\d+", c)] == [str(n) for n in range(1, 70)]  # 序号 1…69
    for line in LINES:
        assert line["level3"] in cells and line["level2"] in cells, line["id"]
