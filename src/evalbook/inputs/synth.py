"""``evalbook synth``: a valid synthetic cohort of any size, for scale tests and benchmarks.

Every synthetic institution is built from one institution of the scheme's demo data (chosen at
random with a fixed seed): all its rows in every file, under a new code (``S00001`` …) and a name
marked 示例, moved to the requested year, with the expert and on-site scores varied within their
ranges so that totals and ranks spread. Rows copied from valid data stay valid: the cohort passes
``evalbook validate`` by construction (tested). Deterministic per seed; written to a temporary
folder and renamed into place, never over existing data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalbook.core.errors import InputError, Problem
from evalbook.core.files import follow_umask


@dataclass(frozen=True)
class Recipe:
    """How ``synthesize`` grows a scheme's demo data (``Scheme.synth_recipe``)."""

    template_year: int
    files: tuple[str, ...]  # per-year files with a ``code`` column
    varied: dict[str, dict[str, tuple[float, float, float]]]  # file → column → (low, high, step)
    name: str  # name pattern for the synthetic institutions


def synthesize(scheme: str, institutions: int | None, year: int, out: Path, seed: int = 20261124,
               source: Path | None = None, specialties: int | None = None) -> Path:
    """Write ``out/<scheme>/institutions.csv`` and ``out/<scheme>/<year>/*.csv``; return the scheme folder.

    ``specialties`` (a scheme whose units are specialties, ``specialties.csv``), instead of ``institutions``: exactly
    that many specialties. Institutions are drawn as for ``institutions`` until they hold that many; the last one keeps
    only the first of its specialties needed (in file order), with all their rows, and none of the others.
    """
    from evalbook.core.registry import get_scheme, scheme_names

    known = scheme_names()
    recipe = get_scheme(scheme).synth_recipe() if scheme in known else None
    problems = []
    if scheme not in known:
        problems.append(Problem("命令行 command line", f"未知的考评方案，可用：{'、'.join(known)}",
                                f"unknown scheme; available: {', '.join(known)}", column="SCHEME", value=scheme))
    elif recipe is None:
        problems.append(Problem("命令行 command line", "该考评方案没有生成示例数据的方法（Scheme.synth_recipe）",
                                "this scheme has no synth recipe (Scheme.synth_recipe)", column="SCHEME", value=scheme))
    if specialties is not None:
        if recipe is not None and "specialties.csv" not in recipe.files:
            problems.append(Problem("命令行 command line", "该考评方案的考评对象不是专科，请用 --institutions",
                                    "this scheme's units are not specialties: use --institutions", column="--specialties",
                                    value=specialties))
        if specialties < 1 or specialties > 1_000_000:
            problems.append(Problem("命令行 command line", "专科数应在 1 到 1,000,000 之间",
                                    "--specialties must be 1 to 1,000,000", column="--specialties", value=specialties))
        institutions = institutions or max(1, min(specialties, 1_000_000))
    if institutions < 1 or institutions > 1_000_000:
        problems.append(Problem("命令行 command line", "机构数应在 1 到 1,000,000 之间",
                                "--institutions must be 1 to 1,000,000", column="--institutions", value=institutions))
    if not 2000 <= year <= 2100:
        problems.append(Problem("命令行 command line", "年度应在 2000 到 2100 之间", "--year must be 2000 to 2100",
                                column="--year", value=year))
    target = Path(out) / scheme
    if target.exists() and any(target.iterdir()):
        problems.append(Problem(str(target), "输出文件夹已有数据；synth 不覆盖任何数据，请换一个 --out",
                                "the output folder already holds data; synth never overwrites: choose another --out",
                                column="--out", value=str(out)))
    if problems:
        raise InputError(problems)
    source = Path(source or get_scheme(scheme).HOME / "data") / scheme
    rng = np.random.default_rng(seed)
    registry = _read(source / "institutions.csv")
    width = max(5, len(str(institutions)))
    codes = [f"S{n:0{width}d}" for n in range(1, institutions + 1)]
    mapping = pd.DataFrame({"template": rng.choice(registry["code"].to_numpy(), size=institutions), "new": codes})
    kept = None  # with ``specialties``: the (code, specialty) pairs kept
    if specialties is not None:
        mapping, kept = _for_specialties(mapping, _read(source / str(recipe.template_year) / "specialties.csv"),
                                         specialties)
        institutions, codes = len(mapping), mapping["new"].tolist()
    cohort = mapping.merge(registry, left_on="template", right_on="code", how="left", sort=False)
    cohort["code"] = cohort["new"]
    cohort["name"] = [recipe.name.format(n=c[1:]) for c in codes]
    tables = {"institutions.csv": cohort[registry.columns]}
    for file in recipe.files:
        frame = _read(source / str(recipe.template_year) / file)
        cloned = mapping.merge(frame, left_on="template", right_on="code", how="inner", sort=False)
        cloned["code"] = cloned["new"]
        cloned = _move_year(cloned[frame.columns], recipe.template_year, year)
        if kept is not None and "specialty" in cloned:
            pairs = pd.MultiIndex.from_arrays([cloned["code"], cloned["specialty"]])
            cloned = cloned[pairs.isin(kept)].reset_index(drop=True)
        for column, (low, high, step) in recipe.varied.get(file, {}).items():
            cloned[column] = _vary(cloned[column], low, high, step, rng)
        tables[f"{year}/{file}"] = cloned
    size = f"--specialties {specialties}" if specialties is not None else f"--institutions {institutions}"
    return _write_all(target, tables, scheme, size, seed)


def _for_specialties(mapping: pd.DataFrame, template: pd.DataFrame, wanted: int) -> tuple[pd.DataFrame, pd.MultiIndex]:
    """The first institutions of ``mapping`` that hold ``wanted`` specialties between them (their templates' rows of
    ``template``, specialties.csv), and the (new code, specialty) pairs kept: all of theirs, but of the last only the
    first ones needed. An institution whose template has no specialty adds none."""
    per_template = template.groupby("code", sort=False)["specialty"].agg(list).to_dict()
    pairs, used = [], 0
    for old, new in zip(mapping["template"], mapping["new"], strict=True):
        if len(pairs) >= wanted:
            break
        pairs += [(new, s) for s in per_template.get(old, [])][:wanted - len(pairs)]
        used += 1
    return mapping.iloc[:used].reset_index(drop=True), pd.MultiIndex.from_tuples(pairs, names=["code", "specialty"])


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _move_year(frame: pd.DataFrame, template: int, year: int) -> pd.DataFrame:
    """Years, months and dates move by the difference of years; the period of the template year
    becomes the new year, while a baseline period (the rubric's ``baseline_period``) stays."""
    shift = year - template
    if not shift:
        return frame
    frame = frame.copy()
    for column in ("year", "month", "submitted_on"):
        if column in frame:
            frame[column] = frame[column].str.replace(r"^\d{4}", lambda m: str(int(m.group(0)) + shift), regex=True)
    if "period" in frame:
        frame["period"] = frame["period"].mask(frame["period"] == str(template), str(year))
    return frame


def _vary(values: pd.Series, low: float, high: float, step: float, rng: np.random.Generator) -> pd.Series:
    """Each value moved by −2…+2 steps, kept in [low, high], written as the template wrote it."""
    numbers = pd.to_numeric(values, errors="coerce")
    moved = (numbers + rng.integers(-2, 3, size=len(values)) * step).clip(low, high)
    if step == 1 and not values.str.contains(".", regex=False).any():
        text = moved.astype("Int64").astype(str)
    else:
        text = moved.map(lambda v: f"{v:.1f}")
    return text.where(numbers.notna(), values)


def _write_all(target: Path, tables: dict[str, pd.DataFrame], scheme: str, size: str, seed: int) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.synth-", dir=target.parent))
    try:
        for name, frame in tables.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        (staging / "DEMO.md").write_text(
            f"# 示例数据（synthetic data）— {scheme}\n\n本文件夹由 `evalbook synth {scheme} {size} "
            f"--seed {seed}` 生成：每个机构复制自示例数据中的一个机构并改名、改年度、微调评分，全部为虚构数据，"
            "仅用于规模测试和性能测试，不是任何医疗机构的真实数据。\n\nSynthetic data for scale tests; not real.\n",
            encoding="utf-8")
        follow_umask(staging)  # mkdtemp made it 0700
        if target.exists():
            target.rmdir()  # empty (checked before); never replaces data
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target

