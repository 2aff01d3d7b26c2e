"""Inline SVG charts: long labels are cut to fit (full text kept as a tooltip), legends never overlap,
and every label is escaped."""

from __future__ import annotations

import re

from evalbook.output import charts

LONG = "由医疗机构主要负责人担任领导小组组长而且名称非常长的指标"


def test_a_short_label_is_drawn_whole_and_a_long_one_cut_with_its_full_text_as_a_tooltip():
    svg = charts.bars([("文登区人民医院", 80.0, False), (LONG, 70.0, True)], maximum=100, title="总成绩")
    assert ">文登区人民医院</text>" in svg
    cut = re.search(r"<title>" + LONG + r"</title>([^<]*)…</text>", svg)
    assert cut and LONG.startswith(cut.group(1)) and 0 < len(cut.group(1)) < len(LONG)
    assert charts._width(cut.group(1) + "…", 12) <= 170 - 10  # fits the label column


def test_the_legend_keys_do_not_overlap_whatever_the_institution_is_called():
    for first in ("甲院", "文登区中医院", "<script>alert(1)</script>丙卫生院" * 3):
        svg = charts.paired_bars([("项目", 3, 4, 5)], title="t", first=first, second="二组 基层医疗机构平均")
        keys = [float(x) for x in re.findall(r'<rect x="([0-9.]+)" y="24"', svg)]
        first_text_end = keys[0] + 14 + min(charts._width(first, 11), 180)
        assert keys[1] >= first_text_end + 10, first
        assert "<script>" not in svg and ("&lt;script&gt;" in svg) == ("<script>" in first)
