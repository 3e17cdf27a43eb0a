"""The resources' typed constructors: generated from the Args models, in step with them, and useful to mypy.

Each resource class has two ``__init__`` overloads (an args object, or typed keyword inputs), written by
``scripts/build_typed_inputs.py`` from its pydantic model; the nested models' dict forms are in
``aep_provider/input_types.py``. These tests fail when the generated code is stale, when a constructor and
its model disagree on names, types or defaults, and when mypy misses a misspelt input or a wrong type in a
program (or finds anything in ``stacks/`` or in an exported program).
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import textwrap
import tomllib
import typing
from pathlib import Path

import pytest

from aep_provider.base import AEPResource
from devtools.typed_inputs import (
    EXTRAS,
    REPO_ROOT,
    args_model,
    generated_files,
    input_type,
    resource_classes,
)
from tests.export.test_program import full_inventory

RESOURCES = resource_classes()
MYPY_CONFIG = """\
[mypy]
explicit_package_bases = True
# aep_provider as an installed, typed package is to a user's program: its types used, its own code not judged.
[mypy-aep_provider.*,aep_emulator.*,devtools.*]
follow_imports = silent
[mypy-boto3.*,botocore.*,moto.*,jsonschema.*]
ignore_missing_imports = True
follow_imports = skip
"""


def test_every_resource_class_is_covered() -> None:
    names = {resource.__name__ for resource in RESOURCES}
    assert names == {
        "Schema", "FieldGroup", "IdentityDescriptor", "Dataset", "BaseConnection", "SourceConnection",
        "TargetConnection", "MappingSet", "Dataflow", "Sandbox", "IdentityNamespace",
    }  # fmt: skip


def test_generated_code_is_up_to_date() -> None:
    stale = [str(path.relative_to(REPO_ROOT)) for path, text in generated_files().items() if path.read_text() != text]
    assert not stale, f"run .venv/bin/python scripts/build_typed_inputs.py; stale: {', '.join(stale)}"


def _keyword_overload(resource: type[AEPResource]) -> inspect.Signature:
    variants = [inspect.signature(f) for f in typing.get_overloads(resource.__init__)]
    assert len(variants) == 2, f"{resource.__name__}: expected the args and the keyword overloads"
    (keyword,) = [s for s in variants if any(p.kind is p.KEYWORD_ONLY for p in s.parameters.values())]
    (by_args,) = [s for s in variants if s is not keyword]
    assert by_args.parameters["args"].annotation == args_model(resource).__name__
    return keyword


def _same(annotation: str, expected: str) -> bool:
    # ``from __future__ import annotations`` keeps annotations as the compiler re-spells them ('' quotes).
    return ast.dump(ast.parse(annotation, mode="eval")) == ast.dump(ast.parse(expected, mode="eval"))


def _optional(annotation: str) -> str:
    return annotation if annotation.endswith(" | None") else f"{annotation} | None"


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
def test_constructor_agrees_with_its_model(resource: type[AEPResource]) -> None:
    model = args_model(resource)
    extra = EXTRAS.get(resource.__name__)
    helpers = extra.helpers if extra else {}
    widened = extra.widened if extra else {}
    hidden = {"resource_marker"} | resource.provider_class.check_only_inputs
    params = {n: p for n, p in _keyword_overload(resource).parameters.items() if p.kind is p.KEYWORD_ONLY}

    assert set(params) - set(helpers) == set(model.model_fields) - hidden, "names"
    assert not hidden & set(params), "hidden inputs are not user arguments"
    filled = {name for helper in helpers.values() for name in helper.fills}
    for name, info in model.model_fields.items():
        if name in hidden:
            continue
        param = params[name]
        # Required inputs are required keywords (unless a helper keyword sets them); the others default
        # to None, which the provider reads as the model's default (base.py _validate_fields).
        expected_required = info.is_required() and name not in filled
        assert (param.default is inspect.Parameter.empty) == expected_required, f"{name}: default"
        if not expected_required:
            assert param.default is None, name
        expected = widened.get(name) or input_type(info.annotation)
        assert _same(param.annotation, expected if expected_required else _optional(expected)), f"{name}: type"


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
def test_every_keyword_is_documented_from_its_model(resource: type[AEPResource]) -> None:
    keyword_overload = next(
        f for f in typing.get_overloads(resource.__init__) if "*" in str(inspect.signature(f))
    )
    doc = " ".join((keyword_overload.__doc__ or "").split())
    model = args_model(resource)
    for name, param in inspect.signature(keyword_overload).parameters.items():
        if param.kind is not param.KEYWORD_ONLY:
            continue
        assert f" {name}: " in doc, f":param for {name}"
        if name in model.model_fields:
            first_words = " ".join(" ".join((model.model_fields[name].description or "").split()).split()[:6])
            assert first_words and first_words in doc, f"{name}: the model's docstring"
            default = model.model_fields[name].default
            if isinstance(default, (bool, int, str)) and not isinstance(default, type(None)):
                assert f"Default: ``{default}``" in doc, f"{name}: the model's default"


@pytest.mark.parametrize("name", sorted(EXTRAS), ids=str)
def test_helper_keywords_are_the_implementations(name: str) -> None:
    """The helpers the generator declares are real keywords of the hand-written ``__init__``."""
    resource = next(r for r in RESOURCES if r.__name__ == name)
    implementation = inspect.signature(resource.__init__)
    assert not typing.get_overloads(resource.__init__) or resource.__init__.__qualname__ == f"{name}.__init__"
    for helper in EXTRAS[name].helpers:
        assert implementation.parameters[helper].kind is inspect.Parameter.KEYWORD_ONLY, helper
    for widened in EXTRAS[name].widened:
        assert widened in args_model(resource).model_fields


def test_typed_inputs_add_nothing_to_import_time() -> None:
    """``import aep_provider`` never loads the TypedDicts (they are for type checkers)."""
    code = "import sys, aep_provider; print('aep_provider.input_types' in sys.modules)"
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert answer.stdout.strip() == "False"


def test_the_package_ships_its_types() -> None:
    """``py.typed`` (PEP 561) is in the package and its package data, else mypy ignores an installed aep_provider."""
    assert (REPO_ROOT / "aep_provider" / "py.typed").is_file()
    package_data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["aep_provider"]


# --- mypy -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mypy_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    where = tmp_path_factory.mktemp("mypy")
    (where / "mypy.ini").write_text(MYPY_CONFIG)
    return where / "mypy.ini", where / "cache"


def mypy(setup: tuple[Path, Path], files: list[str], cwd: Path) -> tuple[int, str]:
    config, cache = setup
    answer = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache), "--no-error-summary",
         "--hide-error-context", *files],
        capture_output=True, text=True, cwd=cwd, env={"MYPYPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    return answer.returncode, answer.stdout + answer.stderr


def test_mypy_finds_nothing_in_stacks(mypy_setup: tuple[Path, Path]) -> None:
    # Each program runs with its own directory on sys.path (stacks/__main__.py imports workflows), so each
    # is checked from there; the dev scripts beside them are modules of the repository.
    runs = [
        (["__main__.py", "workflows.py"], REPO_ROOT / "stacks"),
        (["__main__.py"], REPO_ROOT / "stacks" / "org"),
        (["stacks/demo.py", "stacks/sample_data.py"], REPO_ROOT),
    ]
    checked = {str((cwd / f).relative_to(REPO_ROOT)) for files, cwd in runs for f in files}
    assert checked == {str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "stacks").rglob("*.py")}
    for files, cwd in runs:
        status, report = mypy(mypy_setup, files, cwd)
        assert status == 0, report


BAD_PROGRAM = '''\
import pulumi
from aep_provider import Dataflow, Dataset, MappingSet

dataset = Dataset("members", nmae="Members", schema_id="https://ns.adobe.com/acme/schemas/1")
flow = Dataflow("flow", name="Flow", source_connection_ids=["s1"], target_connection_ids=["t1"], enabled="yes")
mapping = MappingSet("mapping", schema_id="s", mappings=[{"source": "a", "destinaton": "person.name"}])
fine = Dataset("fine", name=pulumi.Output.from_input("Members"), schema_id=dataset.schema_id, profile_enabled=True)
'''


def test_mypy_reports_a_misspelt_input_and_a_wrong_type(mypy_setup: tuple[Path, Path], tmp_path: Path) -> None:
    (tmp_path / "program.py").write_text(BAD_PROGRAM)
    status, report = mypy(mypy_setup, ["program.py"], tmp_path)
    assert status == 1, report
    errors = [line for line in report.splitlines() if ": error:" in line]
    by_line = {int(line.split(":")[1]) for line in errors}
    assert by_line == {4, 5, 6}, report  # the three mistakes, nothing on the correct call
    assert '"nmae"' in report  # the misspelt input, by name
    # A str for the bool ``enabled``: mypy names no argument for an overloaded call, only the call and the
    # argument types ("str" last), and lists the variants (pyright names the argument).
    (wrong_type,) = [line for line in errors if line.startswith("program.py:5:")]
    assert 'No overload variant of "Dataflow" matches argument types "str", "str", "list[str]", "list[str]", "str"' in (
        wrong_type
    ), report
    assert "enabled: bool | Awaitable[bool] | Output[bool] | None" in report
    # A misspelt key in a nested input: the dict is not a FieldMappingDict (its key is not named: the
    # expected type is a union of the dict, an Awaitable and an Output of it).
    assert any(line.startswith("program.py:6:") and '"FieldMappingDict' in line for line in errors), report


def test_mypy_accepts_an_exported_program(mypy_setup: tuple[Path, Path], tmp_path: Path) -> None:
    """What ``aep-provider export`` writes type-checks against the constructors it calls."""
    from aep_provider.export import build_program

    (tmp_path / "__main__.py").write_text(build_program(full_inventory()).source)
    status, report = mypy(mypy_setup, ["__main__.py"], tmp_path)
    assert status == 0, report + "\n" + textwrap.indent(build_program(full_inventory()).source, "  ")

