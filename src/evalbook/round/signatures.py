"""Sign-off: ``evalbook sign OUT/SCHEME/YEAR --by NAME --role ROLE [--note TEXT]``.

A signature is ``{name, role, time, note, manifest_sha256}`` appended to ``YEAR/signatures.json``: who signed,
as what, when (UTC), and the sha256 of the year's ``manifest.json`` they signed, which lists every file of the
publication by sha256 (each report folder by its own manifest). Signing comes after publication, so neither
file is on the manifest (``listing.NOT_LISTED``) and no page is rendered again: the pages show the signatures
through ``signatures.html``, a small page written with every publication (尚未签署 not signed yet) and again
at each signature, which the year page and every report embed and link. ``verify`` lists the signatures,
fails when a signed manifest is no longer the year's or the publication no longer matches it, and checks
``signatures.html`` says what ``signatures.json`` holds.

A republication starts unsigned: the earlier publication, its ``signatures.json`` with it, moves to
``history/<N>/`` (``revisions``), which is never signed again.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from evalbook.core.errors import InputError, Problem
from evalbook.core.files import RunLock, replace_files
from evalbook.inputs.reading import sha256_file
from evalbook.output.html import esc
from evalbook.output.pages import page
from evalbook.run.listing import MANIFEST, SIGNATURES_HTML, SIGNATURES_JSON

FIELDS = ("name", "role", "time", "note", "manifest_sha256")
LIMITS = {"--by": 100, "--role": 100, "--note": 1000}


def manifest_sha256(year_dir: Path) -> str:
    return sha256_file(Path(year_dir) / MANIFEST)


def read(year_dir: Path) -> list[dict]:
    """The signatures of a publication ([] when it has none); a file that is not a list of signatures is an
    ``InputError`` naming it."""
    path = Path(year_dir) / SIGNATURES_JSON
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(entries, list)
        for entry in entries:
            assert isinstance(entry, dict) and set(entry) == set(FIELDS)
            assert all(isinstance(entry[k], str) for k in FIELDS)
    except (OSError, ValueError, AssertionError) as exc:
        raise InputError(Problem(str(path), "签署记录无法读取或格式不对", "the signatures file cannot be read or is malformed",
                                 value=type(exc).__name__)) from None
    return entries


def signatures_page(year, entries: list[dict], current: str) -> str:
    """``signatures.html``: the signatures as a table (or 尚未签署), every text escaped; ``current`` is the sha256
    of the publication's manifest (a signature on another is marked)."""
    title = f"{year} 签署记录 Sign-off"
    if not entries:
        body = "<p class=\"note\">尚未签署。Not signed yet.</p>"
    else:
        rows = "".join(
            f"<tr><td>{esc(e['name'])}</td><td>{esc(e['role'])}</td><td>{esc(e['time'])}</td><td>{esc(e['note'])}</td>"
            f"<td><code>{esc(e['manifest_sha256'][:16])}</code>"
            f"{'' if e['manifest_sha256'] == current else ' ✗ 与本版清单不符 not this manifest'}</td></tr>"
            for e in entries)
        body = ("<table class=\"eb\"><thead><tr><th>签署人 name</th><th>身份 role</th><th>时间 time (UTC)</th>"
                "<th>说明 note</th><th>所签清单 manifest sha256</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")
    body += ("<p class=\"note\">签署的是本版 manifest.json 的 sha256（它列出每个文件的 sha256）；"
             "用 evalbook verify 证明签署的发布未被改动。A signature is on this publication's manifest.json by "
             "sha256; evalbook verify proves the signed publication still matches it.</p>")
    return page(title, body)


def page_of(year_dir: Path, entries: list[dict]) -> str:
    """``signatures.html`` of the publication at ``year_dir`` with these signatures."""
    current = manifest_sha256(year_dir) if (Path(year_dir) / MANIFEST).is_file() else ""
    return signatures_page(_record(year_dir).get("year", ""), entries, current)


def manifest_record(year_dir: Path) -> dict:
    """The year's ``manifest.json`` as a dict ({} when it cannot be read)."""
    return _record(year_dir)


def _record(year_dir: Path) -> dict:
    try:
        record = json.loads((Path(year_dir) / MANIFEST).read_text(encoding="utf-8"))
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


def clean(option: str, value: str | None, required: bool = True) -> str:
    """A name, role or note as given, refused when empty (where required), too long, or holding control
    characters (a line break would forge a second line in the pages)."""
    text = (value or "").strip()
    if required and not text:
        raise InputError(Problem(f"命令行 {option}", "不能为空", "must not be empty", column=option, value=value or ""))
    if len(text) > LIMITS[option]:
        raise InputError(Problem(f"命令行 {option}", f"过长（最多 {LIMITS[option]} 个字符）",
                                 f"too long (at most {LIMITS[option]} characters)", column=option, value=text[:40] + "…"))
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise InputError(Problem(f"命令行 {option}", "含有控制字符或不可见字符", "holds a control or invisible character",
                                 column=option, value=repr(bad[0])))
    return text


def tampered_files(year_dir: Path) -> list[str]:
    """Files of the publication that no longer have the sha256 its manifests record (the year's and each
    report folder's), or are missing: what a signature must not cover."""
    year_dir = Path(year_dir)
    record = _record(year_dir)
    bad = []
    outputs = record.get("outputs") if isinstance(record.get("outputs"), dict) else {}
    for name, sha in sorted(outputs.items()):
        path = year_dir / name
        if not path.is_file() or sha256_file(path) != sha:
            bad.append(name)
            continue
        if name.endswith(f"/{MANIFEST}"):
            unit = _record(path.parent).get("outputs")
            for inner, inner_sha in sorted((unit if isinstance(unit, dict) else {}).items()):
                file = path.parent / inner
                if not file.is_file() or sha256_file(file) != inner_sha:
                    bad.append(f"{path.parent.name}/{inner}")
    return bad


# what is refused, in both languages: (history/ is read-only: zh, en; a file does not match: zh, en)
SIGNING = (("历史版本只读，不能再签署；签署的是当前版本 OUT/方案/年度",
            "an earlier revision in history/ is read-only and never signed again; sign the current one"),
           ("文件与清单不符，拒绝签署；请先运行 evalbook verify",
            "the file does not match its manifest: not signed; run evalbook verify"))


def current_publication(year_dir: Path, refusing: tuple = SIGNING) -> dict:
    """The manifest of the current publication at ``year_dir``; ``InputError`` when the folder is not a published
    year, or is an earlier revision kept in ``history/`` (read-only). ``refusing`` words the refusals (``SIGNING``)."""
    year_dir = Path(year_dir).resolve()
    record = _record(year_dir)
    if "run" not in record:
        raise InputError(Problem(str(year_dir), "这里没有 evalbook 的发布结果（应为 OUT/方案/年度）",
                                 "not a published evalbook year (OUT/SCHEME/YEAR)", column="PATH", value=str(year_dir)))
    if year_dir.parent.name == "history" and (year_dir.parent.parent / MANIFEST).is_file():
        raise InputError(Problem(str(year_dir), *refusing[0], column="PATH", value=str(year_dir)))
    return record


def refuse_tampered(year_dir: Path, refusing: tuple = SIGNING) -> None:
    """``InputError`` naming every file (up to 20) of the publication that no longer matches its manifest."""
    bad = tampered_files(year_dir)
    if bad:
        raise InputError([Problem(str(Path(year_dir) / b), *refusing[1], column="sha256", value=b) for b in bad[:20]])


def sign(year_dir: Path, by: str, role: str, note: str | None = None, now: datetime | None = None) -> dict:
    """Append a signature to the publication at ``year_dir`` (under the year's run lock: never while a run
    publishes it); refused for a folder that is not a current publication, or whose files no longer match
    their manifests. Returns the signature."""
    year_dir = Path(year_dir).resolve()
    name, role, note = clean("--by", by), clean("--role", role), clean("--note", note, required=False)
    current_publication(year_dir, SIGNING)
    with RunLock(year_dir):
        refuse_tampered(year_dir, SIGNING)
        entries = read(year_dir)
        when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        entry = {"name": name, "role": role, "time": when, "note": note, "manifest_sha256": manifest_sha256(year_dir)}
        entries.append(entry)
        text = json.dumps(entries, ensure_ascii=False, indent=1) + "\n"
        replace_files(year_dir, {SIGNATURES_JSON: text, SIGNATURES_HTML: page_of(year_dir, entries)})
    return entry

