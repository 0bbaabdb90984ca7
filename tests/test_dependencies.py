"""The hashed lock file CI installs from meets every floor pyproject.toml sets (advisories)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", re.M)


def locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [Requirement(spec) for spec in names]


def test_every_dependency_is_locked_at_a_version_its_floor_allows() -> None:
    pins = locked()
    for requirement in declared():
        version = pins.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)


def test_every_pin_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", text.split("\n\n", 1)[-1])
    pinned = [block for block in blocks if PIN.match(block)]
    assert pinned and all("--hash=sha256:" in block for block in pinned)


def test_floors_stay_above_known_advisories() -> None:
    floors = {canonicalize_name(r.name): r.specifier for r in declared()}
    for name, bad in [("gunicorn", "22.0.0"), ("werkzeug", "3.0.5"), ("flask", "3.1.0")]:
        assert not floors[name].contains(bad), f"{name} {bad} has a known advisory"


def test_the_build_backend_floor_is_past_its_known_advisories() -> None:
    """setuptools comes from the index at install time, outside the lock's hashes."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    floor = next(
        Requirement(r) for r in build if canonicalize_name(Requirement(r).name) == "setuptools"
    )
    # CVE-2024-6345 (fixed in 70.0.0) and CVE-2025-47273 (path traversal, fixed in 78.1.1)
    for bad in ("69.5.1", "78.1.0"):
        assert not floor.specifier.contains(bad), f"setuptools {bad} has a known advisory"
