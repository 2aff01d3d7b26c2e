"""environment.yml (for conda users) pins the same versions as requirements.lock (what CI installs)."""

from __future__ import annotations

import re

from evalbook.core import paths


def test_every_pin_in_environment_yml_is_the_locked_version():
    locked = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", (paths.REPO / "requirements.lock").read_text(), re.M))
    locked = {name.lower().replace("_", "-"): version for name, version in locked.items()}
    pins = re.findall(r"^\s+- ([A-Za-z0-9_.\-]+)==(\S+)$", (paths.REPO / "environment.yml").read_text(), re.M)
    assert len(pins) >= 10
    for name, version in pins:
        assert locked.get(name.lower().replace("_", "-")) == version, name
