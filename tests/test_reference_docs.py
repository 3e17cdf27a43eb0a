"""``docs/reference/``: generated from the code, complete, current, and linked from the README.

The pages are written by ``scripts/build_reference_docs.py`` (``devtools/reference_docs.py``). These tests fail
when a page is stale (a model, a docstring, ``replace_on``, an output changed without regenerating), when a
resource or a look-up has no page, and when the README's links or its export section say what is not so.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from aep_provider import specs, standard
from aep_provider.base import AEPProvider, AEPResource
from devtools.reference_docs import REFERENCE, page_name, reference_files
from devtools.typed_inputs import REPO_ROOT, args_model, resource_classes, user_inputs

RESOURCES = resource_classes()
README = (REPO_ROOT / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 4)
    return README[start : end if end != -1 else len(README)]


def page(resource: type[AEPResource]) -> str:
    return (REFERENCE / page_name(resource)).read_text()


def rows(text: str, heading: str) -> dict[str, str]:
    """First cell -> whole row of the table under ``## heading``."""
    part = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([^`]+)` \|.*$", part, re.M)}


def test_pages_are_up_to_date() -> None:
    files = reference_files()
    stale = [p.name for p, text in files.items() if not p.exists() or p.read_text() != text]
    extra = [p.name for p in REFERENCE.glob("*.md") if p not in files]
    assert not stale and not extra, (
        f"run .venv/bin/python scripts/build_reference_docs.py (stale: {stale}, not generated: {extra})"
    )


def test_one_page_per_resource_all_in_the_index() -> None:
    assert len(RESOURCES) == 11
    index = (REFERENCE / "README.md").read_text()
    for resource in RESOURCES:
        assert (REFERENCE / page_name(resource)).is_file()
        assert f"[{resource.__name__}]({page_name(resource)})" in index
    assert "(lookups.md)" in index


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
def test_a_page_holds_every_input_what_replaces_and_every_output(resource: type[AEPResource]) -> None:
    provider = resource.provider_class
    model = args_model(resource)
    text = page(resource)
    inputs = rows(text, "Inputs")
    assert set(inputs) - {"schema", "field_groups"} <= set(model.model_fields)
    for name in user_inputs(resource):
        assert name in inputs, name
        first_words = " ".join((model.model_fields[name].description or "").split()[:5])
        assert first_words in inputs[name], f"{name}: its docstring"
        change = "| replaces |" if name in provider.replace_on or name in ("sandbox", "adopt_id") else "| in place |"
        assert change in inputs[name], f"{name}: {change}"
    for hidden in {"resource_marker"} | provider.check_only_inputs:
        assert hidden not in inputs, f"{hidden} is not a user input"
    for name in provider.secret_inputs:
        assert "**Secret**" in inputs[name]
    replaces = text.split("\n## What replaces\n", 1)[1].split("\n## ", 1)[0]
    for name in provider.replace_on:
        assert f"`{name}`" in replaces
    outputs = rows(text, "Outputs")
    assert set(provider.server_outputs) | {"sandbox"} == set(outputs)


@pytest.mark.parametrize(
    "resource", [r for r in RESOURCES if r.provider_class.replaced_inputs is not AEPProvider.replaced_inputs],
    ids=lambda r: r.__name__,
)
def test_dynamic_replacement_rules_are_on_the_page(resource: type[AEPResource]) -> None:
    """A provider's own ``replaced_inputs`` (the Dataflow's apiFeatures rule) is stated on its page."""
    rule = " ".join((resource.provider_class.replaced_inputs.__doc__ or "").split())
    assert rule and rule in " ".join(page(resource).split())
    assert "apiFeatures" in rule or resource.__name__ != "Dataflow"


def test_the_lookups_page_lists_every_lookup_and_id() -> None:
    text = (REFERENCE / "lookups.md").read_text()
    for name in ("connection_spec_by_name", "flow_spec_by_name", "flow_spec_for", "stack_settings"):
        assert f"### `specs.{name}(" in text
    for name in ("class_id", "field_group_id"):
        assert f"### `standard.{name}(" in text
    assert "### `tenant_namespace(" in text
    for title, id_ in {**standard.CLASSES, **standard.FIELD_GROUPS}.items():
        assert f"| {title} | `{id_}` |" in text
    for spec_id, label in specs.DISPLAY_LABELS.items():
        (row,) = [line for line in text.splitlines() if f"| `{spec_id}` |" in line]
        assert label in row  # the connector's label, or a docstring that names it


def test_readme_links_the_reference_from_own_project_and_export() -> None:
    for title in ("Use it in your own project", "Export a sandbox to a program"):
        assert "(docs/reference/README.md)" in section(title), title


def test_readme_export_section_states_real_options() -> None:
    text = section("Export a sandbox to a program")
    answer = subprocess.run(
        [sys.executable, "-m", "aep_provider", "export", "--help"], capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert answer.returncode == 0, answer.stderr
    stated = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", text)) - {"--help"}
    assert stated and stated <= set(re.findall(r"--[a-z][a-z-]+", answer.stdout)), stated
    assert "python -m aep_provider export --help" in text
