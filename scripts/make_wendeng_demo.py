"""示例数据 — synthetic demo data for the `wendeng-featured` scheme (特色医疗综合考评).

Every number, judgment, expert score, project statistic and ledger entry this script writes
is 示例数据: invented for demonstration and testing, NOT real evaluation results of any
institution.  Only the institution registry (data/wendeng-featured/institutions.csv, the 22
institutions of Annex 1 of the source) is real, and this script reads it without changing it.

Writes, for each year Y in (2022, 2023), under data/wendeng-featured/Y/:
  facts.csv, judgments.csv, expert_scores.csv, project_stats.csv, ledger.csv
(UTF-8 without BOM, "\\n" line endings, header row, no comment lines).

Deterministic: all randomness comes from random.Random instances with fixed seeds.
Standard library only.  Run:  python scripts/make_wendeng_demo.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20230305
YEARS = (2022, 2023)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "wendeng-featured"

# Fixed roles (same institution in both years).
ABSTAINER = "TFS"      # primary: contest_abstained=1, award none, 0 entries
NO_FUNDING = "HSSQ"    # primary: internal_funds_wan=0 and external_funds_wan=0
LATE_MISMATCH = "ZT"   # facts.late_submissions = (late ledger rows) - 1
HOSTILE = ("GC", 2023, "2023-06")  # (code, year, month) of the hostile-text ledger row
LATE_INSTITUTIONS = ("ZT", "JS", "BK", "WDY", "PFB")  # have some late ledger rows

# Quality tier of each institution (drives the synthetic facts).
TIERS = {
    "WDZG": "top", "FYBJ": "good", "RMYY": "good", "ZXYJH": "mid", "PFB": "mid", "KQYY": "good",
    "SC": "top", "GC": "good", "GJ": "mid", "DSP": "good", "WDY": "mid", "ZK": "mid",
    "ZT": "mid", "JS": "weak", "ZJC": "mid", "HJ": "good", "MS": "mid", "BK": "weak",
    "TFS": "weak", "TFSQ": "good", "LSSQ": "mid", "HSSQ": "weak",
}

# Featured projects (same names in both years).
PROJECTS = {
    "WDZG": ["中医正骨手法复位", "小夹板外固定技术", "骨伤中药熏洗疗法"],
    "FYBJ": ["小儿推拿", "产后康复中医调理"],
    "RMYY": ["胸痛中心规范化救治", "微创介入治疗", "中西医结合康复"],
    "ZXYJH": ["中医针刀疗法", "中西医结合肛肠治疗"],
    "PFB": ["中医药治疗银屑病", "皮肤病光疗技术"],
    "KQYY": ["种植牙技术", "儿童早期矫治"],
    "SC": ["中医针灸理疗", "慢病中医药管理"],
    "GC": ["中医康复理疗", "颈肩腰腿痛综合治疗"],
    "GJ": ["中医针灸理疗"],
    "DSP": ["中医推拿正骨", "慢病中医药管理"],
    "WDY": ["中医艾灸疗法"],
    "ZK": ["中药穴位贴敷", "中医针灸理疗"],
    "ZT": ["颈腰椎病中医综合治疗"],
    "JS": ["中医拔罐刮痧疗法"],
    "ZJC": ["慢病中医药管理"],
    "HJ": ["中医针灸理疗", "小儿推拿"],
    "MS": ["老年病中医康复"],
    "BK": ["风湿骨病中医治疗"],
    "TFS": ["中医针灸理疗"],
    "TFSQ": ["家庭医生中医药签约服务"],
    "LSSQ": ["中医体质辨识与调理"],
    "HSSQ": ["慢病中医药管理"],
}

FACT_COLUMNS = [
    "code", "leading_group", "leader_is_head", "group_document", "party_meeting_halves",
    "party_agenda_items", "group_meeting_quarters", "meetings_without_decisions", "work_plan",
    "ledger_with_targets", "trainees_3m", "expert_sessions", "sessions_non_senior", "mdt_group",
    "tech_lead", "publicity_forms", "staff_unaware", "media_forms", "reports_district",
    "reports_city", "reports_province", "reports_national", "internal_funds_wan",
    "external_funds_wan", "contest_abstained", "contest_best_award", "contest_entries",
    "superior_team_ranks", "superior_individual_ranks", "slack_findings", "mismatch_findings",
    "rectified_on_time", "late_submissions", "year_end_review",
]

# Explicit per-year overrides: weak spots and funding values on band edges.
OVERRIDES = {
    2022: {
        "JS": {"leading_group": 0, "trainees_3m": 1},
        "BK": {"work_plan": 0, "group_meeting_quarters": 0, "trainees_3m": 1},
        "HSSQ": {"year_end_review": 0},
        "KQYY": {"internal_funds_wan": 100.0},      # district 40–100 band upper edge → 3
        "FYBJ": {"external_funds_wan": 10.0},       # district first band lower edge → 1
        "GC": {"internal_funds_wan": 10.0},         # primary 10 → 1
        "SC": {"external_funds_wan": 20.0},         # primary 20 → 2
        "DSP": {"internal_funds_wan": 5.0},         # primary 5 → 1
        "ZXYJH": {"mdt_group": 0},
    },
    2023: {
        "JS": {"leading_group": 0, "trainees_3m": 1},
        "TFS": {"group_meeting_quarters": 0},
        "BK": {"work_plan": 0, "year_end_review": 0},
        "WDZG": {"external_funds_wan": 200.0},      # district 100–200 upper edge → 4
        "RMYY": {"internal_funds_wan": 40.0},       # district 20–40 upper edge → 2
        "ZK": {"internal_funds_wan": 50.0},         # primary 50 → 3
        "HJ": {"external_funds_wan": 100.0},        # primary 100 → 4
        "MS": {"internal_funds_wan": 5.0},          # primary 5 → 1
        "LSSQ": {"external_funds_wan": 20.0},       # primary 20 → 2
    },
}

DISTRICT_EDGES = [10.0, 20.0, 40.0, 100.0, 200.0]
PRIMARY_EDGES = [5.0, 10.0, 20.0, 50.0, 100.0]

EXPERTS = [f"E{i:02d}" for i in range(1, 13)]
DIMENSIONS = [("advantage", 20), ("work", 20), ("economic", 15), ("social", 15),
              ("difficulty", 15), ("risk", 15)]

EVALUATORS = ["张明远（示例）", "李秀华（示例）", "王建国（示例）", "赵丽娟（示例）",
              "刘志强（示例）", "陈晓梅（示例）"]
JUDGMENT_REASONS = {
    4: ["工作方案措施不具体，缺少时间节点", "工作方案目标不明确，未分解到科室",
        "方案内容照搬上级文件，缺少本单位特色", "方案未明确责任人和考核办法"],
    7: ["多学科协作小组分工不清，未开展联合诊疗", "协作小组会议记录不完整",
        "多学科协作流于形式，病例讨论记录缺失"],
    8: ["宣传未能持续开展，下半年无宣传记录", "院内宣传内容更新不及时",
        "宣传栏内容陈旧，未体现特色项目"],
    15: ["台账内容简单，未体现工作进度", "台账数据与实际工作量不符",
         "台账多月内容雷同，缺少问题分析"],
    16: ["年终总结未分析存在问题", "年终总结缺少数据支撑，下一步计划笼统",
         "年终总结未对照年度目标逐项评估"],
}

WORK_DONE = ["开展{p}门诊诊疗", "组织{p}业务培训", "邀请上级专家坐诊带教", "完善{p}诊疗规范",
             "开展{p}病例讨论", "深入村居开展义诊宣传", "整理{p}典型病例", "参加上级医院进修学习",
             "开展院内技术比武", "更新宣传栏和公众号内容", "随访{p}患者", "购置{p}相关设备"]
DIFFICULTIES = ["专业人员不足", "患者认知度不高", "设备条件有限", "业务用房紧张",
                "医保报销范围有限", "人员外出进修影响排班", "基层群众就诊意愿不强",
                "上级专家来院时间难以固定", "暂无明显困难"]
NEXT_STEPS = ["继续开展{p}服务", "加强人员培训", "扩大宣传覆盖面", "争取上级专家支持",
              "规范诊疗记录", "开展患者满意度调查", "申请专项资金", "优化服务流程",
              "总结经验形成规范"]

HOSTILE_WORK = '<script>alert("x")</script>开展义诊'
HOSTILE_NEXT = '=HYPERLINK("http://example.invalid","点击")'


def half(x: float) -> float:
    """Round to the nearest multiple of 0.5."""
    return round(x * 2) / 2


def money(x: float) -> str:
    return f"{round(x, 1):.1f}"


def bit(rng: random.Random, p: float) -> int:
    return 1 if rng.random() < p else 0


def read_institutions() -> list[dict]:
    with open(DATA / "institutions.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# ---------------------------------------------------------------- facts

def funds(rng: random.Random, group: str, tier: str) -> float:
    if group == "district":
        lo, hi = {"top": (150, 300), "good": (60, 220), "mid": (20, 120), "weak": (10, 45)}[tier]
        edges = DISTRICT_EDGES
    else:
        lo, hi = {"top": (50, 120), "good": (15, 80), "mid": (5, 40), "weak": (0.5, 12)}[tier]
        edges = PRIMARY_EDGES
    if rng.random() < 0.15:
        inside = [e for e in edges if lo <= e <= hi]
        if inside:
            return rng.choice(inside)
    return round(rng.uniform(lo, hi), 1)


def ranks(rng: random.Random, tier: str) -> str:
    p = {"top": 0.8, "good": 0.45, "mid": 0.2, "weak": 0.0}[tier]
    if rng.random() >= p:
        return ""
    n = rng.choice([1, 1, 2])
    best = {"top": 1, "good": 2, "mid": 3, "weak": 5}[tier]
    return ";".join(str(rng.randint(best, best + 3)) for _ in range(n))


def make_facts(rng: random.Random, code: str, group: str, tier: str) -> dict:
    T = tier
    f: dict = {"code": code}
    f["leading_group"] = bit(rng, {"top": 1, "good": 1, "mid": 0.9, "weak": 0.75}[T])
    f["leader_is_head"] = bit(rng, {"top": 1, "good": 0.85, "mid": 0.7, "weak": 0.6}[T])
    f["group_document"] = bit(rng, {"top": 1, "good": 0.9, "mid": 0.75, "weak": 0.6}[T])
    f["party_meeting_halves"] = {"top": 2, "good": rng.choice([2, 2, 1]),
                                 "mid": rng.choice([2, 1, 1]), "weak": rng.choice([0, 1, 1, 2])}[T]
    f["party_agenda_items"] = rng.randint(0, 2 - f["party_meeting_halves"]) if T != "top" else 0
    f["group_meeting_quarters"] = {"top": 4, "good": rng.choice([4, 4, 3]),
                                   "mid": rng.choice([4, 3, 3, 2]), "weak": rng.choice([2, 2, 3, 3])}[T]
    f["meetings_without_decisions"] = {"top": 0, "good": rng.randint(0, 1),
                                       "mid": rng.randint(0, 2), "weak": rng.randint(0, 2)}[T]
    f["work_plan"] = bit(rng, {"top": 1, "good": 1, "mid": 0.95, "weak": 0.8}[T])
    f["ledger_with_targets"] = bit(rng, {"top": 1, "good": 0.85, "mid": 0.6, "weak": 0.5}[T])
    f["trainees_3m"] = {"top": rng.randint(1, 3), "good": rng.choice([0, 1, 1, 2]),
                        "mid": rng.choice([0, 1, 1]), "weak": rng.choice([0, 1, 1])}[T]
    f["expert_sessions"] = {"top": rng.randint(4, 10), "good": rng.randint(3, 8),
                            "mid": rng.randint(1, 5), "weak": rng.randint(1, 3)}[T]
    f["sessions_non_senior"] = min(f["expert_sessions"], {"top": 0, "good": rng.randint(0, 1),
                                                          "mid": rng.randint(0, 2), "weak": rng.randint(0, 1)}[T])
    f["mdt_group"] = bit(rng, {"top": 1, "good": 1, "mid": 0.8, "weak": 0.6}[T])
    f["tech_lead"] = bit(rng, {"top": 1, "good": 0.85, "mid": 0.7, "weak": 0.5}[T])
    f["publicity_forms"] = {"top": rng.randint(3, 5), "good": rng.randint(2, 4),
                            "mid": rng.randint(1, 3), "weak": rng.randint(1, 3)}[T]
    f["staff_unaware"] = {"top": rng.randint(0, 1), "good": rng.randint(0, 2),
                          "mid": rng.randint(1, 4), "weak": rng.randint(2, 6)}[T]
    f["media_forms"] = {"top": rng.randint(2, 4), "good": rng.randint(1, 3),
                        "mid": rng.randint(1, 2), "weak": rng.randint(1, 2)}[T]
    f["reports_district"] = {"top": rng.randint(2, 5), "good": rng.randint(1, 4),
                             "mid": rng.randint(0, 3), "weak": rng.randint(1, 3)}[T]
    f["reports_city"] = {"top": rng.randint(1, 3), "good": rng.randint(0, 2),
                         "mid": rng.randint(0, 1), "weak": rng.choice([0, 0, 1])}[T]
    f["reports_province"] = {"top": rng.randint(1, 2), "good": rng.randint(0, 1),
                             "mid": rng.choice([0, 0, 1]), "weak": 0}[T]
    f["reports_national"] = {"top": rng.randint(0, 1), "good": rng.choice([0, 0, 0, 1]),
                             "mid": 0, "weak": 0}[T]
    f["internal_funds_wan"] = funds(rng, group, T)
    f["external_funds_wan"] = funds(rng, group, T) if (T != "weak" or rng.random() < 0.6) else 0.0
    f["contest_abstained"] = 0
    f["contest_best_award"] = rng.choice({"top": ["special", "first", "first"],
                                          "good": ["first", "second", "second", "third"],
                                          "mid": ["second", "third", "third", "excellence", "none"],
                                          "weak": ["second", "third", "third", "excellence"]}[T])
    f["contest_entries"] = {"top": rng.randint(2, 4), "good": rng.randint(1, 3),
                            "mid": rng.randint(1, 2), "weak": 1}[T]
    f["superior_team_ranks"] = ranks(rng, T)
    f["superior_individual_ranks"] = ranks(rng, T)
    f["slack_findings"] = {"top": rng.randint(0, 1), "good": rng.randint(0, 2),
                           "mid": rng.randint(1, 3), "weak": rng.randint(1, 3)}[T]
    f["mismatch_findings"] = {"top": 0, "good": rng.randint(0, 1),
                              "mid": rng.randint(0, 2), "weak": rng.randint(0, 2)}[T]
    f["rectified_on_time"] = rng.randint(0, f["slack_findings"] + f["mismatch_findings"]) \
        if T != "top" else f["slack_findings"]
    f["late_submissions"] = 0  # filled in from the ledger
    f["year_end_review"] = bit(rng, {"top": 1, "good": 1, "mid": 0.9, "weak": 0.8}[T])
    return f


def enforce(f: dict) -> None:
    """Make a facts row internally consistent."""
    if f["code"] == ABSTAINER:
        f.update(contest_abstained=1, contest_best_award="none", contest_entries=0)
    if f["code"] == NO_FUNDING:
        f.update(internal_funds_wan=0.0, external_funds_wan=0.0)
    elif f["internal_funds_wan"] == 0 and f["external_funds_wan"] == 0:
        f["internal_funds_wan"] = 1.5
    if not f["leading_group"]:
        f["leader_is_head"] = 0
        f["group_document"] = 0
    if not f["mdt_group"]:
        f["tech_lead"] = 0
    if not f["work_plan"]:
        f["ledger_with_targets"] = 0
    f["meetings_without_decisions"] = min(f["meetings_without_decisions"],
                                          2 * f["group_meeting_quarters"])
    f["sessions_non_senior"] = min(f["sessions_non_senior"], f["expert_sessions"])
    f["party_agenda_items"] = min(f["party_agenda_items"], 2 - f["party_meeting_halves"])


# ---------------------------------------------------------------- expert scores

def project_quality(code: str, project: str) -> float:
    """Stable base quality of a project in [0.42, 0.95]."""
    r = random.Random(f"{SEED}-quality-{code}-{project}")
    base = {"top": 0.85, "good": 0.75, "mid": 0.63, "weak": 0.5}[TIERS[code]]
    return min(0.95, max(0.42, base + r.uniform(-0.08, 0.08)))


def expert_rows(rng: random.Random, year: int, insts: list[dict]) -> list[list]:
    rows = []
    # One project per year is scored to a mean of exactly 60.0 (a boundary for 优秀奖).
    exact60 = {2022: ("ZJC", "慢病中医药管理"), 2023: ("MS", "老年病中医康复")}[year]
    for inst in insts:
        code = inst["code"]
        for project in PROJECTS[code]:
            q = project_quality(code, project) + rng.uniform(-0.04, 0.04) + (0.02 if year == 2023 else 0)
            experts = sorted(rng.sample(EXPERTS, rng.randint(2, 5)))
            if (code, project) == exact60:
                fixed = [[12, 12, 9, 9, 9, 9], [13, 11, 9.5, 8.5, 9, 9], [11, 12.5, 8.5, 9.5, 9, 9.5]]
                for e, vals in zip(experts, fixed, strict=True):  # each row sums to 60
                    rows.append([code, project, e, *(f"{v:.1f}" for v in vals)])
                continue
            for e in experts:
                bias = rng.uniform(-0.06, 0.06)
                vals = []
                for _, mx in DIMENSIONS:
                    v = half(mx * (q + bias + rng.uniform(-0.07, 0.07)))
                    vals.append(min(float(mx), max(0.0, v)))
                rows.append([code, project, e, *(f"{v:.1f}" for v in vals)])
    return rows


# ---------------------------------------------------------------- project stats

def project_series(code: str, group: str, project: str) -> dict[int, list]:
    """Annex 6 values for 2021–2023 (one stable series so overlapping years match)."""
    r = random.Random(f"{SEED}-stats-{code}-{project}")
    big = group == "district"
    staff = r.randint(8, 40) if big else r.randint(3, 12)
    workload = r.randint(3000, 30000) if big else r.randint(300, 6000)
    revenue = r.uniform(80, 900) if big else r.uniform(5, 120)
    training = r.randint(1, 4) if big else r.randint(0, 2)
    sessions = r.randint(4, 20) if big else r.randint(0, 8)
    invest = r.uniform(20, 150) if big else r.uniform(1, 40)
    out = {}
    for y in (2021, 2022, 2023):
        if y > 2021:
            g = r.uniform(0.85, 0.97) if r.random() < 0.15 else r.uniform(1.03, 1.25)
            staff = max(1, staff + (r.randint(0, 3) if g > 1 else -r.randint(0, 1)))
            workload = int(workload * g)
            revenue = revenue * g
            training = max(0, training + r.choice([-1, 0, 0, 1]))
            sessions = max(0, sessions + r.randint(-2, 3))
            invest = invest * r.uniform(0.8, 1.3)
        out[y] = [staff, workload, money(revenue), training, sessions, money(invest)]
    return out


# ---------------------------------------------------------------- ledger

def ledger_rows(rng: random.Random, year: int, insts: list[dict]) -> tuple[list[list], dict[str, int]]:
    rows, late = [], {}
    for inst in insts:
        code = inst["code"]
        late[code] = 0
        n_late_target = 0
        if code in LATE_INSTITUTIONS:
            n_late_target = rng.randint(2, 4) if code == LATE_MISMATCH else rng.randint(1, 3)
        slots = [(p, m) for p in PROJECTS[code] for m in range(3, 13)]
        late_slots = set(rng.sample(slots, n_late_target))
        for project, m in slots:
            short = project
            work = "；".join(s.format(p=short) for s in rng.sample(WORK_DONE, rng.randint(1, 2)))
            diff = rng.choice(DIFFICULTIES)
            nxt = "；".join(s.format(p=short) for s in rng.sample(NEXT_STEPS, rng.randint(1, 2)))
            month = f"{year}-{m:02d}"
            if (code, year, month) == HOSTILE and project == PROJECTS[code][0]:
                work, nxt = HOSTILE_WORK, HOSTILE_NEXT
            sy, sm = (year + 1, 1) if m == 12 else (year, m + 1)
            if (project, m) in late_slots:
                day = rng.randint(6, 20)
                late[code] += 1
            else:
                day = rng.randint(1, 5)
            rows.append([code, project, month, work, diff, nxt, f"{sy}-{sm:02d}-{day:02d}"])
    return rows, late


# ---------------------------------------------------------------- judgments

def judgment_rows(rng: random.Random, facts: dict[str, dict]) -> list[list]:
    caps = {4: 5.0, 7: 2.0, 8: 2.0, 15: 5.0, 16: 5.0}
    steps = {4: [0.5, 1, 1.5, 2], 7: [0.5, 1], 8: [0.5, 1], 15: [0.5, 1, 1.5], 16: [0.5, 1, 2]}

    def applicable(f: dict) -> list[int]:
        items = [8, 15]
        if f["work_plan"]:
            items.append(4)
        if f["mdt_group"]:
            items.append(7)
        if f["year_end_review"]:
            items.append(16)
        return items

    codes = list(facts)
    chosen = rng.sample(codes, rng.randint(8, 12))
    n_rows = rng.randint(max(12, len(chosen)), 20)
    used: dict[tuple[str, int], float] = {}
    rows: list[list] = []

    def add(code: str, item: int, pts: float) -> None:
        used[(code, item)] = used.get((code, item), 0) + pts
        rows.append([code, item, f"{pts:g}", rng.choice(JUDGMENT_REASONS[item]), rng.choice(EVALUATORS)])

    # One (code, item) that reaches its cap exactly with two rows (item 8: 1 + 1 = 2).
    add(chosen[0], 8, 1.0)
    add(chosen[0], 8, 1.0)
    plan = chosen[1:] + [rng.choice(chosen) for _ in range(n_rows - len(chosen) - 1)]
    for code in plan:
        items = applicable(facts[code])
        rng.shuffle(items)
        for item in items:
            room = caps[item] - used.get((code, item), 0)
            opts = [s for s in steps[item] if s <= room]
            if opts:
                add(code, item, float(rng.choice(opts)))
                break
    order = {c: i for i, c in enumerate(codes)}
    rows.sort(key=lambda r: (order[r[0]], r[1]))
    return rows


# ---------------------------------------------------------------- main

def generate_year(year: int, insts: list[dict]) -> dict[str, int]:
    out = DATA / str(year)
    rng_f = random.Random(SEED + year * 10 + 1)
    rng_j = random.Random(SEED + year * 10 + 2)
    rng_e = random.Random(SEED + year * 10 + 3)
    rng_l = random.Random(SEED + year * 10 + 5)

    facts: dict[str, dict] = {}
    for inst in insts:
        f = make_facts(rng_f, inst["code"], inst["group"], TIERS[inst["code"]])
        f.update(OVERRIDES.get(year, {}).get(inst["code"], {}))
        enforce(f)
        facts[inst["code"]] = f

    ledger, late = ledger_rows(rng_l, year, insts)
    for code, n in late.items():
        facts[code]["late_submissions"] = n - 1 if code == LATE_MISMATCH else n

    fact_rows = []
    for f in facts.values():
        row = []
        for c in FACT_COLUMNS:
            v = f[c]
            row.append(money(v) if c.endswith("_funds_wan") else v)
        fact_rows.append(row)

    stats = []
    for inst in insts:
        for project in PROJECTS[inst["code"]]:
            series = project_series(inst["code"], inst["group"], project)
            for y in (year - 1, year):
                stats.append([inst["code"], project, y, *series[y]])

    files = {
        "facts.csv": (FACT_COLUMNS, fact_rows),
        "judgments.csv": (["code", "item", "points", "reason", "evaluator"], judgment_rows(rng_j, facts)),
        "expert_scores.csv": (["code", "project", "expert"] + [d for d, _ in DIMENSIONS],
                              expert_rows(rng_e, year, insts)),
        "project_stats.csv": (["code", "project", "year", "staff", "workload", "revenue_wan",
                               "training_3m", "expert_sessions", "investment_wan"], stats),
        "ledger.csv": (["code", "project", "month", "work_done", "difficulties", "next_steps",
                        "submitted_on"], ledger),
    }
    counts = {}
    for name, (header, rows) in files.items():
        write_csv(out / name, header, rows)
        counts[name] = len(rows)
    return counts


def main() -> None:
    insts = read_institutions()
    assert len(insts) == 22 and set(TIERS) == {i["code"] for i in insts} == set(PROJECTS)
    for year in YEARS:
        counts = generate_year(year, insts)
        print(f"{year}: " + ", ".join(f"{k} {v} rows" for k, v in counts.items()))
    print("示例数据 (synthetic demo data) written under", DATA)


if __name__ == "__main__":
    main()
