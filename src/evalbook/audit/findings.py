"""What ``evalbook verify`` says of each unit (the year, or one report folder): its status, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

IDENTICAL, CODE, UNCHECKED, DIFFERS, FAILED, CHANGED, TAMPERED = (
    "identical", "code differs", "not checked", "differs", "failed", "inputs changed", "tampered")
ORDER = [IDENTICAL, CODE, UNCHECKED, DIFFERS, FAILED, CHANGED, TAMPERED]
LABELS = {IDENTICAL: "一致 identical", CODE: "代码不同 code differs", UNCHECKED: "打印件无法核验 printed copy not checked",
          DIFFERS: "不一致 differs",
          FAILED: "发布时生成失败 failed when published", CHANGED: "输入已改变 inputs changed",
          TAMPERED: "文件被改动 tampered"}
YEAR_UNIT = "年度结果 year"


@dataclass
class Finding:
    unit: str
    status: str = IDENTICAL
    details: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # information, no failure (today's data differ from the archive)
    remark: str = ""  # said after the status (a kept report: what proves it)
    kept: bool = False  # built from other inputs than the year's, and kept by the run: its facts decide
    printed: list[tuple[str, Path, Path]] = field(default_factory=list)  # evalbook pdf's copies: (name, pdf, its page)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def worse(self, status: str, detail: str) -> None:
        if ORDER.index(status) > ORDER.index(self.status):
            self.status = status
        if detail not in self.details:
            self.details.append(detail)
