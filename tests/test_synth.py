"""`evalbook synth`: valid, sized, deterministic cohorts; and the validation path for big cohorts
(membership rules against thousands of codes) gives the same problems as the plain GX path."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from csv_rows import read_rows as rows
from evalbook.cli.commands import main
from evalbook.core.errors import InputError
from evalbook.core.registry import get_scheme
from evalbook.inputs import validation
from evalbook.inputs.synth import synthesize
from evalbook.run.batch import validate_year

YEARS = {"wendeng-featured": 2024, "naiman-specialty": 2025}


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    for scheme, year in YEARS.items():
        synthesize(scheme, 40, year, root / "a")
        synthesize(scheme, 40, year, root / "b")
        synthesize(scheme, 40, year, root / "c", seed=7)
    return root


@pytest.mark.parametrize("scheme", sorted(YEARS))
def test_a_synthetic_cohort_validates_and_scores(cohorts, scheme):
    intake = validate_year(scheme, YEARS[scheme], cohorts / "a")
    assert intake.errors == []
    scores = get_scheme(scheme).score(intake)
    assert len(scores.units) > 0
    assert scores.units["total"].nunique() > 5  # scores vary: ranks are not one big tie


@pytest.mark.parametrize("scheme", sorted(YEARS))
def test_size_names_year_and_banner(cohorts, scheme):
    folder = cohorts / "a" / scheme
    registry = rows(folder / "institutions.csv")
    assert [r["code"] for r in registry] == [f"S{n:05d}" for n in range(1, 41)]
    assert all("示例" in r["name"] for r in registry)
    assert (folder / "DEMO.md").is_file()  # reports built from it carry the 示例数据 banner
    year = YEARS[scheme]
    if scheme == "wendeng-featured":
        assert {r["month"][:4] for r in rows(folder / str(year) / "ledger.csv")} == {str(year)}
        assert {r["year"] for r in rows(folder / str(year) / "project_stats.csv")} <= {str(year - 1), str(year)}
    else:
        assert {r["period"] for r in rows(folder / str(year) / "indicators.csv")} == {"2024H1", str(year)}


def test_deterministic_per_seed_and_different_across_seeds(cohorts):
    for scheme in YEARS:
        a, b, c = (digest(cohorts / x / scheme) for x in "abc")
        assert a == b
        assert a != c


def test_never_writes_over_data(tmp_path, capsys):
    synthesize("wendeng-featured", 3, 2023, tmp_path)
    before = digest(tmp_path)
    with pytest.raises(InputError) as refused:
        synthesize("wendeng-featured", 5, 2023, tmp_path)
    assert "不覆盖" in refused.value.problems[0].rule_zh
    assert main(["synth", "wendeng-featured", "--institutions", "5", "--year", "2023", "--out", str(tmp_path)]) == 1
    assert "never overwrites" in capsys.readouterr().out
    assert digest(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


@pytest.mark.parametrize("args", [["nope", "--institutions", "3"], ["wendeng-featured", "--institutions", "0"]])
def test_bad_command_lines(tmp_path, args):
    """An unknown scheme and a count below 1 are wrong command lines: exit 2 (README)."""
    argv = ["synth", *args, "--year", "2023", "--out", str(tmp_path / "x")]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert not (tmp_path / "x").exists()


def test_the_big_cohort_path_reports_what_great_expectations_reports(tmp_path, monkeypatch):
    """Membership in a long list (known codes) is computed in pandas above LARGE_SET; the problems
    must be the same, cell for cell, as when GX checks the list itself."""
    synthesize("wendeng-featured", 30, 2023, tmp_path)
    year = tmp_path / "wendeng-featured" / "2023"
    facts = (year / "facts.csv").read_text(encoding="utf-8").splitlines()
    facts[3] = "ZZ" + facts[3][facts[3].index(","):]  # an unknown code; S00003 now has no facts row
    (year / "facts.csv").write_text("\n".join(facts) + "\n", encoding="utf-8")
    ledger = year / "ledger.csv"
    text = ledger.read_text(encoding="utf-8").splitlines()
    text[5] = "QQ" + text[5][text[5].index(","):]
    ledger.write_text("\n".join(text) + "\n", encoding="utf-8")

    def problems():
        intake = validate_year("wendeng-featured", 2023, tmp_path)
        return sorted((p.file, str(p.row), p.column, str(p.value), p.rule_zh, p.severity) for p in intake.outcome.problems)

    plain = problems()
    monkeypatch.setattr(validation, "LARGE_SET", 0)
    fast = problems()
    assert fast == plain
    found = {(p[0], p[2], p[3]) for p in plain}
    assert ("2023/facts.csv", "code", "ZZ") in found and ("2023/ledger.csv", "code", "QQ") in found
    assert any(p[0] == "2023/facts.csv" and p[3] == "S00003" for p in plain)  # missing from facts.csv


@pytest.mark.parametrize("wanted", [1, 7, 100])
def test_exactly_n_specialties(tmp_path, wanted):
    """--specialties N: exactly N specialties, each with all its rows and no row of another; the cohort validates."""
    assert main(["synth", "naiman-specialty", "--specialties", str(wanted), "--year", "2025", "--out", str(tmp_path)]) == 0
    folder = tmp_path / "naiman-specialty"
    listed = {(r["code"], r["specialty"]) for r in rows(folder / "2025" / "specialties.csv")}
    assert len(listed) == wanted == len(rows(folder / "2025" / "specialties.csv"))
    codes = [r["code"] for r in rows(folder / "institutions.csv")]
    assert {c for c, _ in listed} == set(codes)  # no institution without a specialty
    for file in ("indicators.csv", "targets.csv", "onsite.csv", "recheck.csv"):
        assert {(r["code"], r["specialty"]) for r in rows(folder / "2025" / file)} <= listed
    assert {(r["code"], r["specialty"]) for r in rows(folder / "2025" / "indicators.csv")} == listed
    assert "--specialties" in (folder / "DEMO.md").read_text(encoding="utf-8")
    assert validate_year("naiman-specialty", 2025, tmp_path).errors == []


def test_specialties_only_for_a_scheme_of_specialties(tmp_path, capsys):
    with pytest.raises(InputError) as refused:
        synthesize("wendeng-featured", None, 2023, tmp_path, specialties=5)
    assert "--specialties" in refused.value.problems[0].column
    assert main(["synth", "wendeng-featured", "--specialties", "5", "--year", "2023", "--out", str(tmp_path)]) == 1
    assert "not specialties" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:  # both sizes, or none: a wrong command line
        main(["synth", "naiman-specialty", "--specialties", "5", "--institutions", "2", "--year", "2025", "--out",
              str(tmp_path)])
    assert stop.value.code == 2
