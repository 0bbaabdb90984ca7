"""The shape of the house, checked: no cycles, a pure core, one owner for each status column."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("flows", "store", "secondopinion", "webhooks", "workers", "cli", "twilio_double")
# What the pure core may import beyond the standard library: parsing and formatting only.
PURE_THIRD_PARTY = frozenset({"babel", "dateparser", "phonenumbers", "gsm0338"})
# Standard modules that reach outside the process or read the clock.
WITH_IO = frozenset(
    {"socket", "subprocess", "http", "urllib", "sqlite3", "smtplib", "ssl", "asyncio", "time"}
)
STATUS_OWNERS = {
    "store/people.py": "ConversationRow",
    "store/messages.py": "MessageRow",
    "store/reminders.py": "ReminderRow",
    "store/cases.py": "CaseRow",
}


def modules(*packages: str) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))


def imported(tree: ast.Module) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {package: set() for package in PRODUCT}
    for name, tree in modules(*PRODUCT):
        mine = name.split("/")[0]
        graph[mine] |= {m.split(".")[0] for m in imported(tree)} & set(PRODUCT) - {mine}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, if it has any (depth-first, with the path kept)."""

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        for nxt in sorted(graph[node]):
            if found := visit(nxt, [*path, node]):
                return found
        return None

    return next((c for start in sorted(graph) if (c := visit(start, []))), None)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_cycle_between_top_level_packages() -> None:
    graph = package_graph()
    assert graph["flows"] == set()  # the core imports none of the others
    assert graph["twilio_double"] == set()  # the double knows nothing of the service
    assert cycle(graph) is None, cycle(graph)


def test_the_pure_core_imports_nothing_that_does_io_and_reads_no_clock() -> None:
    standard = sys.stdlib_module_names
    for name, tree in modules("flows"):
        for module in imported(tree):
            top = module.split(".")[0]
            if top == "flows":
                continue
            assert top in PURE_THIRD_PARTY or top in standard, f"{name} imports {module}"
            assert top not in WITH_IO, f"{name} imports {module}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow"):
                pytest.fail(f"{name}:{node.lineno} reads the clock ({node.attr})")


def test_no_product_or_bench_code_imports_tests() -> None:
    for name, tree in modules(*PRODUCT, "bench"):
        into_tests = {m for m in imported(tree) if m.split(".")[0] == "tests"}
        assert not into_tests, f"{name} imports {into_tests}"


def status_writes(tree: ast.Module) -> list[int]:
    """Lines that write a `status` column: `x.status = ...`, `status=` given to a table or
    to `.values()`, or, in a module that imports the tables, a row dict with a "status" key
    (for a Core insert or update)."""
    with_tables = any(m.startswith("store.models") for m in imported(tree))
    lines: list[int] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in ast.walk(target)]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        lines += [t.lineno for t in targets if isinstance(t, ast.Attribute) and t.attr == "status"]
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == "values" or called.endswith("Row"):
                lines += [node.lineno for k in node.keywords if k.arg in ("status", "new_status")]
        if isinstance(node, ast.Dict) and with_tables:
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            lines += [node.lineno for key in keys if key in ("status", "new_status")]
    return lines


def test_the_status_finder_sees_each_kind_of_write() -> None:
    code = "r.status = 1\nupdate(T).values(status=2)\nrow = {'status': 3}\nMessageRow(status=4)"
    tables = "from store.models import MessageRow\n"
    assert status_writes(ast.parse(tables + code)) == [2, 3, 4, 5]
    assert status_writes(ast.parse(code)) == [1, 2, 4]  # a dict is a row only beside tables
    assert status_writes(ast.parse("Response(status=200)\nconv.replace(status=1)")) == []


def test_each_status_column_is_written_from_one_module() -> None:
    writers = {}
    for name, tree in modules(*PRODUCT):
        if name.startswith(("flows/", "twilio_double/")):
            continue  # the pure state and the double have no tables
        if lines := status_writes(tree):
            writers[name] = lines
    assert set(writers) == set(STATUS_OWNERS), writers
    tables = set(STATUS_OWNERS.values())
    for name, table in STATUS_OWNERS.items():
        tree = ast.parse((ROOT / name).read_text())
        named = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & tables
        assert named == {table}, f"{name} should touch only {table}, names {named}"
