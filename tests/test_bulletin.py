"""The year's 通报 (``evalbook pdf OUT/SCHEME/YEAR --bulletin``): one PDF for the committee, from the published files.

The wendeng demo year is published once for the module (institution HJ renamed to a ``<script>``), printed unsigned,
signed, printed again; the PDF's text is read back (``pdf_text``: no PDF package is installed) and held against
the published CSVs, prize totals summed by hand, the signature and the page numbers. Refusals go through the CLI.
Chromium is required (as in test_browser): without it these tests fail and say to run ``make browser``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from csv_rows import read_rows
from evalbook.audit.findings import DIFFERS, IDENTICAL, Finding
from evalbook.audit.printing import Printer, unlisted_file
from evalbook.core.exact import plain, shown
from evalbook.core.registry import get_scheme
from evalbook.output.browser import CHROMIUM
from evalbook.output.bulletin import NOT_ANALYSED, NOT_SIGNED, UNCHANGED, Bulletin, bulletin_html
from evalbook.round.bulletin import BULLETIN_PDF, read_bulletin, stability
from pdf_text import Pdf

REPO = Path(__file__).resolve().parents[1]
SCHEME = "wendeng-featured"
HOSTILE = "<script>alert(1)</script>侯家镇卫生院"   # HJ's name in this module's copy of the demo data
SIGNER, ROLE = "<b>王</b>科长", "医政科科长"
SENSITIVITY = ["scenario,code,name,total,rank,award,prize_wan,passed"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalbook", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=900)


def flat(text: str) -> str:
    """The text without line breaks and spaces: a table row is its cells' texts in a row, however they wrap."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser` "
                    "(as root: apt-get install -y chromium fonts-noto-cjk). 未安装 Chromium：请运行 make browser。")
    root = tmp_path_factory.mktemp("bulletin")
    data = root / "data"
    shutil.copytree(REPO / "data" / SCHEME, data / SCHEME)
    names = (data / SCHEME / "institutions.csv")
    names.write_text(names.read_text(encoding="utf-8").replace("HJ,侯家镇卫生院,", f"HJ,{HOSTILE},"), encoding="utf-8")
    done = cli("run", SCHEME, "--year", "2023", "--data", str(data), "--out", str(root / "out"))
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "out" / SCHEME / "2023"


@pytest.fixture(scope="module")
def printed(published) -> dict[str, list[str]]:
    """The 通报 unsigned, then signed: each PDF's text per page (the signed one stays in the year folder)."""
    texts = {}
    done = cli("pdf", str(published), "--bulletin")
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.copy(published / BULLETIN_PDF, published.parent / "unsigned.pdf")
    texts["unsigned"] = Pdf(published / BULLETIN_PDF).text()
    done = cli("sign", str(published), "--by", SIGNER, "--role", ROLE, "--note", "同意发布")
    assert done.returncode == 0, done.stderr
    done = cli("pdf", str(published), "--bulletin")
    assert done.returncode == 0, done.stdout + done.stderr
    texts["signed"] = Pdf(published / BULLETIN_PDF).text()
    return texts


# another reading of the rules (a realistic sensitivity.csv of the demo year): under 第4项上限10分 DSP drops from
# 二等奖 to 三等奖, HJ from 三等奖 to none and WDY rises to 三等奖; under 放弃比武不扣分 nothing changes
MOVED = {"DSP": ("三等奖", "4.0"), "HJ": ("", "0.0"), "WDY": ("三等奖", "4.0")}


def sensitivity_rows(scores: list[dict]) -> list[str]:
    rows = []
    for scenario in ("default", "第4项上限10分", "放弃比武不扣分"):
        for r in scores:
            award, prize = MOVED.get(r["code"], (r["award"], r["prize_wan"])) if scenario == "第4项上限10分" else \
                (r["award"], r["prize_wan"])
            name = '"' + r["name"].replace('"', '""') + '"'
            rows.append(f"{scenario},{r['code']},{name},{r['total']},{r['group_rank']},{award},{prize},")
    return rows


@pytest.fixture(scope="module")
def stable(published, printed, tmp_path_factory) -> tuple[Path, list[str]]:
    """A copy of the publication with a sensitivity.csv on its manifest, signed again (the copy's manifest is
    another, so the first signature no longer counts), printed: (year folder, the PDF's text per page)."""
    year = tmp_path_factory.mktemp("stable") / SCHEME / "2023"
    shutil.copytree(published, year)
    write_sensitivity(year / "sensitivity.csv", sensitivity_rows(read_rows(published / "scores.csv")))
    record = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    record["outputs"]["sensitivity.csv"] = hashlib.sha256((year / "sensitivity.csv").read_bytes()).hexdigest()
    (year / "manifest.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    done = cli("sign", str(year), "--by", "赵六", "--role", "考评委员会主任")
    assert done.returncode == 0, done.stderr
    done = cli("pdf", str(year), "--bulletin")
    assert done.returncode == 0, done.stdout + done.stderr
    return year, Pdf(year / BULLETIN_PDF).text()


def test_the_stability_summary_and_signatures_on_another_manifest(stable):
    text = flat("".join(stable[1]))
    assert flat("第4项上限10分、放弃比武不扣分") in text and flat(UNCHANGED) not in text
    assert flat("DSP大水泊中心卫生院二等奖第4项上限10分：三等奖") in text
    assert flat(f"HJ{HOSTILE}三等奖第4项上限10分：无奖项") in text
    assert flat("WDY文登营镇卫生院无奖项第4项上限10分：三等奖") in text
    assert "放弃比武不扣分：" not in text and flat("GC高村中心卫生院二等奖第4项") not in text   # unchanged units not listed
    assert flat("赵六考评委员会主任") in text and "本版有效签署1个" in text
    assert flat(f"{SIGNER}{ROLE}") in text and "非本版清单，不计入" in text


def test_every_award_is_listed_with_its_prize(published, printed):
    text = flat("".join(printed["signed"]))
    units = [r for r in read_rows(published / "scores.csv") if r["award"]]
    projects = [r for r in read_rows(published / "project_scores.csv") if r["award"]]
    assert len(units) == 9 and len(projects) == 30  # 3 + 6 unit awards; 14 + 16 project awards (see the totals)
    for r in units:  # the unit awards table: award, rank, code, name, total, prize (20.0 printed as 20)
        row = flat(f"{r['award']}{r['group_rank']}{r['code']}{r['name']}{shown(r['total'])}{plain(r['prize_wan'])}")
        assert row in text, row
    for r in projects:
        row = flat(f"{r['award']}{r['group_rank']}{r['code']}{r['name']}{r['project']}{shown(r['project_score'])}"
                   f"{plain(r['prize_wan'])}")
        assert row in text, row
    assert flat("1WDZG文登整骨医院90.590.5090.5一等奖20") in text   # the district ranking's first row


def test_prize_totals_are_the_hand_summed_ones(printed):
    # unit prizes, district: WDZG 20 + KQYY 10 + FYBJ 5 = 35 (3 awards); primary: SC 10 + GC 8 + DSP 8 + GJ 4 + HJ 4
    # + TFSQ 4 = 38 (6 awards). Project prizes, district: 特等 8 + 一等 6 + 二等 2×4 + 三等 3×2 + 优秀 7×1 = 35
    # (14 awards); primary: 特等 5 + 一等 4 + 二等 2×3 + 三等 3×2 + 优秀 9×1 = 30 (16 awards).
    # Per group 35 + 35 = 70 and 38 + 30 = 68; overall units 73, projects 65, all 138.
    text = flat("".join(printed["signed"]))
    assert "奖金合计" in text
    assert flat("一组区直医院 3 35 14 35 70") in text
    assert flat("二组基层医疗机构 6 38 16 30 68") in text
    assert flat("合计 9 73 30 65 138") in text


def test_title_source_policy_and_page_numbers(published, printed):
    pages = printed["signed"]
    assert len(pages) > 1
    text = flat("".join(pages))
    assert flat("2023年度文登区特色医疗工作综合考评结果通报") in flat(pages[0])
    assert "威文卫发〔2023〕5号" in text                       # the rubric's source, from the 评分口径 sheet
    assert flat("第 1 版") in text
    record = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert record["times"]["finished_utc"] in text
    assert "单位奖名额（二组）" in text and "一等奖1名（10万元）" in text   # a line of the 评分口径
    for n, page in enumerate(pages, start=1):  # every page carries 第 N 页 共 M 页
        assert flat(f"第 {n} 页 共 {len(pages)} 页") in flat(page), n
    if "sensitivity.csv" not in record["outputs"]:
        assert flat(NOT_ANALYSED) in text   # no sensitivity.csv in this publication


def test_signature_and_hostile_names(printed):
    unsigned, signed = flat("".join(printed["unsigned"])), flat("".join(printed["signed"]))
    assert flat(NOT_SIGNED) in unsigned and SIGNER not in unsigned
    assert flat(NOT_SIGNED) not in signed
    assert flat(f"{SIGNER}{ROLE}") in signed and "同意发布" in signed and "本版有效签署1个" in signed
    # the hostile name is printed as text: escaped, never run (the print refuses a page that opens a dialog)
    assert flat("5TFSQ天福社区卫生服务中心") in signed
    assert flat(f"4HJ{HOSTILE}73") in signed


def test_the_pdf_is_sound(published, printed):
    pdf = Pdf(published / BULLETIN_PDF)
    assert pdf.bytes.startswith(b"%PDF-") and len(pdf.pages()) == len(printed["signed"]) > 1
    assert pdf.font_families() == {"Noto Sans CJK SC"}        # the CJK font drew everything, embedded
    fonts = [body for body in pdf.objects.values() if b"/Type /Font\n" in body]
    assert fonts and all(b"/Subtype /Type3" in f or b"/FontFile" in f or b"/DescendantFonts" in f for f in fonts)
    assert re.search(r"[\u4e00-\u9fff]{4}", "".join(printed["signed"]))
    assert b"http" not in pdf.bytes.split(b"/Creator")[0]   # no link out of the document


def test_verify_accepts_the_bulletin_and_catches_a_stale_one(published, printed, tmp_path):
    # stale: the unsigned copy no longer says what the publication holds (it has been signed since)
    stale = Finding("年度")
    unlisted_file(stale, published.parent, "unsigned.pdf", set())
    assert stale.status != IDENTICAL                                  # an unknown file is tampered …
    finding = Finding("年度")
    shutil.copy(published / BULLETIN_PDF, tmp_path / "signed.pdf")
    shutil.copy(published.parent / "unsigned.pdf", published / BULLETIN_PDF)
    try:
        unlisted_file(finding, published, BULLETIN_PDF, set(), year=True)   # … the 通报 is proven by printing again
        printer = Printer(tmp_path)
        try:
            printer.check(finding)
        finally:
            printer.close()
    finally:
        shutil.copy(tmp_path / "signed.pdf", published / BULLETIN_PDF)
    assert finding.status == DIFFERS and "evalbook pdf --bulletin" in " ".join(finding.details)
    inside = Finding("RMYY")
    unlisted_file(inside, published / "RMYY", BULLETIN_PDF, set(), prefix="RMYY/")   # only in the year folder itself
    assert inside.status != IDENTICAL and not inside.printed

    done = cli("verify", str(published))                              # the signed 通报 is current: all verified
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert BULLETIN_PDF not in done.stdout


def test_refusals(published, printed, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = cli("pdf", str(empty), "--bulletin")
    assert done.returncode == 1 and "这里没有 evalbook 的发布结果" in done.stderr + done.stdout
    assert "not a published evalbook year" in done.stderr + done.stdout
    for wrong in (published / "RMYY", published / "RMYY" / "report.html"):   # a report folder, a page: usage
        done = cli("pdf", str(wrong), "--bulletin")
        assert done.returncode == 2 and "--bulletin" in done.stderr and "OUT/SCHEME/YEAR" in done.stderr
    copy = tmp_path / "out" / "2023"
    shutil.copytree(published, copy)
    old = copy / "history" / "1"   # an earlier revision: read-only
    shutil.copytree(copy, old, ignore=shutil.ignore_patterns("history", "inputs", "[A-Z]*"))
    done = cli("pdf", str(old), "--bulletin")
    assert done.returncode == 1 and "历史版本只读" in done.stderr + done.stdout and "read-only" in done.stderr + done.stdout
    before = (copy / BULLETIN_PDF).read_bytes()
    (copy / "sensitivity.csv").write_text(SENSITIVITY[0] + "\n", encoding="utf-8")   # edited: not what was published
    done = cli("pdf", str(copy), "--bulletin")
    assert done.returncode == 1 and "文件与清单不符，拒绝打印通报" in done.stderr + done.stdout
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))   # a publication without the analysis
    del manifest["outputs"]["sensitivity.csv"]
    (copy / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    done = cli("pdf", str(copy), "--bulletin")   # ... and a stray sensitivity.csv beside it: on no manifest
    assert done.returncode == 1 and "不在本次发布的清单中" in done.stderr + done.stdout
    (copy / "sensitivity.csv").unlink()
    before = (copy / BULLETIN_PDF).read_bytes()
    (copy / "scores.csv").write_text((copy / "scores.csv").read_text(encoding="utf-8").replace("90.5", "99.5"),
                                     encoding="utf-8")
    done = cli("pdf", str(copy), "--bulletin")
    out = done.stderr + done.stdout
    assert done.returncode == 1 and "文件与清单不符，拒绝打印通报" in out and "does not match its manifest" in out
    assert "scores.csv" in out and (copy / BULLETIN_PDF).read_bytes() == before   # the old 通报 untouched


# --- the parts, without a browser ------------------------------------------------------------------------


def write_sensitivity(path: Path, rows: list[str]) -> None:
    path.write_text("\n".join([*SENSITIVITY, *rows]) + "\n", encoding="utf-8")


def test_stability_lists_what_another_reading_changes(tmp_path):
    # three readings of the wendeng year: under "第4项上限10分" GC and DSP (tied 二等奖) split, DSP drops to 三等奖
    # and HJ to none; under "放弃比武不扣分" nothing changes
    write_sensitivity(tmp_path / "sensitivity.csv", [
        "default,GC,高村中心卫生院,77.46,2,二等奖,8.0,", "default,DSP,大水泊中心卫生院,77.1125,3,二等奖,8.0,",
        f"default,HJ,{HOSTILE},75.14,4,三等奖,4.0,", "default,WDY,文登营镇卫生院,61.175,7,,0.0,",
        "第4项上限10分,GC,高村中心卫生院,77.96,2,二等奖,8.0,", "第4项上限10分,DSP,大水泊中心卫生院,76.1125,4,三等奖,4.0,",
        f"第4项上限10分,HJ,{HOSTILE},73.14,7,,0.0,", "第4项上限10分,WDY,文登营镇卫生院,63.175,6,三等奖,4.0,",
        "放弃比武不扣分,GC,高村中心卫生院,77.46,2,二等奖,8.0,", "放弃比武不扣分,DSP,大水泊中心卫生院,77.1125,3,二等奖,8.0,",
        f"放弃比武不扣分,HJ,{HOSTILE},75.14,4,三等奖,4.0,", "放弃比武不扣分,WDY,文登营镇卫生院,61.175,7,,0.0,"])
    scenarios, changed = stability(tmp_path / "sensitivity.csv")
    assert scenarios == ["第4项上限10分", "放弃比武不扣分"]
    assert changed == [("DSP", "大水泊中心卫生院", "二等奖", "第4项上限10分：三等奖"),
                       ("HJ", HOSTILE, "三等奖", "第4项上限10分：无奖项"),
                       ("WDY", "文登营镇卫生院", "无奖项", "第4项上限10分：三等奖")]
    write_sensitivity(tmp_path / "same.csv", ["default,GC,高村中心卫生院,77.46,2,二等奖,8.0,",
                                              "其他,GC,高村中心卫生院,78.46,1,二等奖,8.0,"])
    assert stability(tmp_path / "same.csv") == (["其他"], [])   # a total or rank that moves is not a changed award


def test_the_page_says_when_nothing_changes(stable, tmp_path):
    year = tmp_path / "year"
    shutil.copytree(stable[0], year, ignore=shutil.ignore_patterns("inputs", "[A-Z]*"))
    write_sensitivity(year / "sensitivity.csv", ["default,GC,高村中心卫生院,77.46,2,二等奖,8.0,",
                                                 "其他,GC,高村中心卫生院,77.46,2,二等奖,8.0,"])
    html = bulletin_html(read_bulletin(year))
    assert UNCHANGED in html and NOT_ANALYSED not in html and "其他" in html


def test_stability_of_passes_and_recommendations(tmp_path):
    # naiman: award 推荐 or empty, no prize, passed 1/0; NMFY 产科 passes by default and fails when the line is 75
    write_sensitivity(tmp_path / "s.csv", [
        "default,NMMY,奈曼旗示例蒙医医院（示例）,85.886,1,推荐,,1", "default,NMFY,奈曼旗示例妇幼保健院（示例）,74.8,5,推荐,,1",
        "合格线75分,NMMY,奈曼旗示例蒙医医院（示例）,85.886,1,推荐,,1", "合格线75分,NMFY,奈曼旗示例妇幼保健院（示例）,74.8,5,,,0"])
    assert stability(tmp_path / "s.csv") == (["合格线75分"], [("NMFY", "奈曼旗示例妇幼保健院（示例）", "合格、推荐",
                                                                  "合格线75分：不合格")])
    write_sensitivity(tmp_path / "same.csv", ["default,NMMY,蒙医医院,85.886,1,推荐,,1", "其他,NMMY,蒙医医院,80,1,推荐,,1"])
    assert stability(tmp_path / "same.csv") == (["其他"], [])          # a total that moves is not a changed decision
    assert stability(tmp_path / "absent.csv") == (None, [])


@pytest.mark.parametrize("rows, says", [
    (["scenario,code,name,total,rank,award,prize_wan"], "表头应为"),                      # a column missing
    ([*SENSITIVITY, "其他,NMMY,蒙医医院,80,1,推荐,,1"], "缺少 default 口径"),            # no default rows
])
def test_a_malformed_sensitivity_file_is_a_problem(tmp_path, rows, says):
    from evalbook.core.errors import InputError

    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        stability(tmp_path / "s.csv")
    assert says in str(raised.value) and "s.csv" in str(raised.value)


def test_a_signature_on_another_manifest_does_not_count(published, printed, tmp_path):
    year = tmp_path / "year"
    shutil.copytree(published, year, ignore=shutil.ignore_patterns("inputs", "[A-Z]*"))
    entries = json.loads((year / "signatures.json").read_text(encoding="utf-8"))
    entries.append({**entries[0], "name": "李四", "manifest_sha256": "0" * 64})
    (year / "signatures.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    html = bulletin_html(read_bulletin(year))
    assert "李四" in html and "非本版清单，不计入" in html and "本版有效签署 1 个" in html
    assert "&lt;b&gt;王&lt;/b&gt;科长" in html and "<b>王</b>" not in html


def test_every_text_is_escaped():
    evil = "<img src=x onerror=alert(1)>"
    html = bulletin_html(Bulletin(title=f"2023年度{evil}", about=[(evil, evil)], tables=[(evil, [evil], [[evil]]),
                                                                                        (evil, [evil], [])],
                                  policy=[(evil, evil)], scenarios=[evil], changed=[(evil, evil, evil, evil)],
                                  signatures=[({"name": evil, "role": evil, "time": evil, "note": evil,
                                                "manifest_sha256": evil}, True)]))
    assert "<img" not in html and html.count("&lt;img src=x onerror=alert(1)&gt;") >= 12
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")  # self-contained, no script


def test_naiman_tables(tmp_path):
    # three specialties: 1 passes and is recommended, 1 passes only, 1 fails (total 58.995 → shown 59, still below 60)
    rows = [{"code": "A", "name": "甲医院", "specialty": "骨伤科", "objective_score": "80", "onsite_score": "90",
             "total": "83.0", "passed": "1", "rank": "1", "recommended": "1"},
            {"code": "B", "name": "乙医院", "specialty": "产科", "objective_score": "60.005", "onsite_score": "70",
             "total": "63.0035", "passed": "1", "rank": "2", "recommended": "0"},
            {"code": "C", "name": "丙医院", "specialty": "儿科", "objective_score": "50", "onsite_score": "80",
             "total": "58.995", "passed": "0", "rank": "3", "recommended": "0"}]
    tables = {title: body for title, _, body in get_scheme("naiman-specialty").bulletin_tables({"scores.csv": rows})}
    assert tables["专科排名"][2] == ["3", "C", "丙医院", "儿科", "50", "80", "59", "不合格", "—"]
    assert [r[1] for r in tables["推荐为旗级临床重点专科"]] == ["A"]
    assert [r[1] for r in tables["不合格专科"]] == ["C"]
    assert tables["合格与推荐汇总"] == [["3", "2", "1", "1"]]


def test_the_default_hook_shows_the_first_report_table():
    from evalbook.core.scheme import Scheme

    class Plain(Scheme):
        NAME, TITLE, FILES, FILE_LABELS, REQUIRED_FILES = "plain", "示例", {}, {}, ()
        load_rubric = policy_lines = score = output_tables = result_sheets = None

    rows = [{"code": "A", "total": "1.5"}, {"code": "B", "total": "2"}]
    assert Plain().bulletin_tables({"scores.csv": rows}) == [("scores.csv", ["code", "total"], [["A", "1.5"], ["B", "2"]])]
    assert Plain().bulletin_tables({"scores.csv": []}) == [("scores.csv", [], [])]


def test_naiman_bulletin_from_its_published_year(tmp_path):
    """The other built-in scheme end to end: one ranking of specialties with 合格 and 推荐, no prize money."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser`. 未安装 Chromium：请运行 make browser。")
    done = cli("run", "naiman-specialty", "--year", "2025", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    year = tmp_path / "naiman-specialty" / "2025"
    done = cli("pdf", str(year), "--bulletin")
    assert done.returncode == 0, done.stdout + done.stderr
    pages = Pdf(year / BULLETIN_PDF).text()
    text = flat("".join(pages))
    assert flat("2025年度奈曼旗临床重点专科建设评估结果通报") in flat(pages[0]) and "奈卫健字〔2024〕84号" in text
    rows = read_rows(year / "scores.csv")
    for r in rows:   # every specialty: rank, code, name, specialty, scores shown to 2 decimals, 合格/不合格, 推荐/—
        row = flat(f"{r['rank']}{r['code']}{r['name']}{r['specialty']}{shown(r['objective_score'])}"
                   f"{shown(r['onsite_score'])}{shown(r['total'])}{'合格' if r['passed'] == '1' else '不合格'}"
                   f"{'推荐' if r['recommended'] == '1' else '—'}")
        assert row in text, row
    passed, recommended = sum(r["passed"] == "1" for r in rows), sum(r["recommended"] == "1" for r in rows)
    assert flat(f"参评专科合格不合格推荐{len(rows)}{passed}{len(rows) - passed}{recommended}") in text
    assert "奖金" not in text and flat(NOT_SIGNED) in text
    assert flat(f"第 1 页 共 {len(pages)} 页") in flat(pages[0])
