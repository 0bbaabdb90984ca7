"""axe-core over a page in the browser tests: violations by impact, and what was allowed."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

BLOCKING = frozenset({"serious", "critical"})
# Moderate or minor findings kept on purpose, each with its reason (none at the moment).
ALLOWED: dict[str, str] = {}
REPORT = os.environ.get("AXE_REPORT", "")  # a JSON-lines file to append every finding to

_axe = Axe()


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    page: str
    rule: str
    impact: str
    nodes: int
    targets: tuple[str, ...]


def audit(page: Any, name: str) -> list[Finding]:
    """Every violation axe-core finds on the page as it is now."""
    results = _axe.run(page)
    found = [
        Finding(
            name,
            v["id"],
            v.get("impact") or "minor",
            len(v["nodes"]),
            tuple(str(n["target"]) for n in v["nodes"][:5]),
        )
        for v in results.response["violations"]
    ]
    if REPORT:
        with Path(REPORT).open("a") as out:
            for f in found:
                out.write(json.dumps(dataclasses.asdict(f)) + "\n")
    return found


def problems(found: list[Finding]) -> list[Finding]:
    """What must be fixed: anything serious or critical, and moderate ones not allowed."""
    return [
        f
        for f in found
        if f.impact in BLOCKING or (f.impact == "moderate" and f.rule not in ALLOWED)
    ]
