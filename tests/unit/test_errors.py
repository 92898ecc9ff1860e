"""One error tree, and reject codes from one closed set: every code the code gives is in it, every one is used."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import tasks.errors as errors
from tasks.errors import BACKFILL_CODE, REJECT_CODES, RecordError
from tasks.records import Reject

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("tasks/**/*.py"), *ROOT.glob("flows/**/*.py")])
KINDS = {name: cls for name, cls in vars(errors).items()
         if inspect.isclass(cls) and issubclass(cls, errors.NewsetlError)}
# The kinds whose constructor takes the code first; the others have a code of their own.
TAKE_A_CODE = {name for name, cls in KINDS.items() if issubclass(cls, RecordError)
               and list(inspect.signature(cls.__init__).parameters)[1:2] == ["code"]}
FIXED_CODES = {errors.AddressRefused("x").code, errors.HostPaused("x", 1).code}


def code_argument(call: ast.Call) -> ast.expr | None:
    """The expression a ``Reject(...)`` or ``SomeError(...)`` call gives as its code."""
    name = call.func.id if isinstance(call.func, ast.Name) else None
    position = 3 if name == "Reject" else 0
    for keyword in call.keywords:
        if keyword.arg == "code":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def literal_codes(expr: ast.expr | None, where: str) -> set[str]:
    """The codes ``expr`` can be: a string literal, either branch of ``a if c else b``, or an error's ``.code``."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return literal_codes(expr.body, where) | literal_codes(expr.orelse, where)
    if isinstance(expr, ast.Attribute) and expr.attr == "code":
        return set()  # passes on the code of an error already made
    raise AssertionError(f"{where}: the code must be a literal from REJECT_CODES, got {ast.unparse(expr)}")


def construction_sites() -> list[tuple[str, set[str]]]:
    sites = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                    node.func.id == "Reject" or node.func.id in TAKE_A_CODE):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                sites.append((where, literal_codes(code_argument(node), where)))
    return sites


def test_every_reject_and_record_error_gives_a_code_from_the_set():
    sites = construction_sites()
    assert len(sites) > 40  # the scan sees the discover, fetch, extract and load sites
    unknown = [(where, codes - set(REJECT_CODES)) for where, codes in sites if codes - set(REJECT_CODES)]
    assert unknown == []


def test_every_code_of_the_set_is_given_somewhere():
    used = set().union(*(codes for _, codes in construction_sites())) | FIXED_CODES
    assert sorted(set(REJECT_CODES) - used) == []


def test_codes_are_plain_words_and_the_back_fill_code_is_not_one_of_them():
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in REJECT_CODES)
    assert len(set(REJECT_CODES)) == len(REJECT_CODES)
    assert BACKFILL_CODE not in REJECT_CODES


def test_a_code_outside_the_set_is_refused_where_it_is_given():
    with pytest.raises(ValueError, match="not a reject code"):
        Reject("mau", "http://127.0.0.1/a.html", "fetch", "HTTP 404", "HTTP 404", 404)
    with pytest.raises(ValueError, match="not a reject code"):
        Reject("mau", "http://127.0.0.1/a.html", "fetch", BACKFILL_CODE, "old text")
    with pytest.raises(ValueError, match="not a reject code"):
        errors.ExtractError("no article text found", "no article text found")


def test_every_error_is_a_newsetl_error_defined_once_in_tasks_errors():
    assert {cls.__module__ for cls in KINDS.values()} == {"tasks.errors"}
    for name, cls in KINDS.items():
        doc = (cls.__doc__ or "").strip()
        assert doc and "\n" not in doc, f"{name} needs a one-line docstring"
    defined_elsewhere = []
    for path in SOURCES:
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and (base.id in KINDS or base.id.endswith(("Error", "Exception")))
                    for base in node.bases):
                defined_elsewhere.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert defined_elsewhere == []


def test_an_error_reads_as_its_detail_and_survives_pickling():
    import pickle

    error = errors.TransientFetchError("truncated", "body cut off after 18234 bytes", 200)
    error.detail += " (after 3 attempts)"
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), again.code, str(again), again.status) == (
        errors.TransientFetchError, "truncated", "body cut off after 18234 bytes (after 3 attempts)", 200)
    paused = pickle.loads(pickle.dumps(errors.HostPaused("baocantho.vn", 120)))
    assert (paused.code, paused.status, paused.seconds) == ("host_paused", 429, 120)


def test_the_readme_documents_every_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Reject codes")
    section = readme[start:readme.index("\n#", start + 1)]
    documented = re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)
    assert documented == [*REJECT_CODES, BACKFILL_CODE]
