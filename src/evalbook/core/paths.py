"""Where the repository and the data are. A scheme's own rubric, suites and notebooks lie under its ``HOME``
(``Scheme.rubric_path``, ``suites_dir``, ``notebook_path``): the repository for the built-in schemes, an
installed plugin's own folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(os.environ.get("EVALBOOK_HOME") or Path(__file__).resolve().parents[3])
DATA_SETTING = "EVALBOOK_DATA"  # where a notebook run with its default data_dir ("") reads the data


def default_data_dir() -> Path:
    """The data folder of a notebook whose ``data_dir`` is left empty: ``$EVALBOOK_DATA`` when set,
    else the repository's ``data/`` (absolute, so it does not depend on the working directory)."""
    setting = os.environ.get(DATA_SETTING, "")
    return Path(setting).resolve() if setting else (REPO / "data").resolve()


def portable(path: Path, start: Path) -> str:
    """``path`` as seen from ``start``: relative when both lie in the repository (so a report folder
    can move with the repository), absolute otherwise."""
    path, start = Path(path).resolve(), Path(start).resolve()
    if path.is_relative_to(REPO.resolve()) and start.is_relative_to(REPO.resolve()):
        return os.path.relpath(path, start)
    return str(path)
