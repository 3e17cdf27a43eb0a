"""``import aep_provider`` does no work that only some calls need (issue 14): the program that declares
resources and the provider process both pay for it on every command.

Measured by ``python -X importtime`` and ``scripts/bench_floor.py``; here the causes are held off: the
HTTP stack and the JSON Schema validator are imported on first use, argument models build their
validators and read their field docstrings on first use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import aep_provider
from aep_provider.base import AEPArgs, attribute_docstrings

LAZY_MODULES = ("requests", "urllib3", "jsonschema")


def fresh_import(code: str) -> dict[str, object]:
    """Run ``code`` after ``import aep_provider`` in a new interpreter; it prints one JSON value."""
    script = f"import json, sys\nimport aep_provider\n{code}"
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(answer.stdout)


def test_import_leaves_the_http_stack_and_jsonschema_for_first_use() -> None:
    loaded = fresh_import(f"print(json.dumps({{m: m in sys.modules for m in {LAZY_MODULES!r}}}))")
    assert loaded == {name: False for name in LAZY_MODULES}


def test_argument_models_are_built_on_first_use() -> None:
    built = fresh_import(
        "from aep_provider.base import AEPArgs\n"
        "def every(cls):\n"
        "    for sub in cls.__subclasses__():\n"
        "        yield sub\n"
        "        yield from every(sub)\n"
        "print(json.dumps({c.__name__: bool(c.__pydantic_complete__) for c in every(AEPArgs)}))"
    )
    assert built and not any(built.values()), built


def test_descriptions_are_read_from_docstrings_on_first_use() -> None:
    described = fresh_import(
        "from aep_provider import DatasetArgs\n"
        "raw = DatasetArgs.__pydantic_fields__['name'].description\n"
        "print(json.dumps([raw, DatasetArgs.model_fields['name'].description, "
        "DatasetArgs.model_fields['sandbox'].description]))"
    )
    assert described[0] is None  # nothing read at import
    assert described[1] == "Dataset name shown in the platform UI."
    assert described[2].startswith("Sandbox that holds the object")  # inherited from AEPArgs


@pytest.mark.parametrize("model", [aep_provider.DatasetArgs, aep_provider.SchemaArgs, aep_provider.DataflowArgs])
def test_validation_works_once_built(model: type[AEPArgs]) -> None:
    with pytest.raises(Exception, match="Extra inputs are not permitted|extra"):
        model.model_validate({"not_an_input": 1})


def test_attribute_docstrings_reads_only_annotated_attributes() -> None:
    class Sample:
        plain = 1
        """not a field docstring"""
        typed: int = 2
        """The typed one.

        Second paragraph."""
        bare: str

    assert attribute_docstrings(Sample) == {"typed": "The typed one.\n\nSecond paragraph."}


def test_declaring_and_checking_inputs_reads_no_source() -> None:
    """The program declares resources and the provider checks and diffs them without any description."""
    parsed = fresh_import(
        "from aep_provider import Dataset\n"
        "from aep_provider.base import _module_docstrings\n"
        "from aep_provider.dataset import DatasetProvider\n"
        "provider = DatasetProvider()\n"
        "inputs = {'name': 'people', 'schema_id': 'https://ns.adobe.com/t/schemas/1'}\n"
        "props = {k: v for k, v in Dataset._props(provider, None, inputs).items() if v is not None}\n"
        "result = provider.check({}, props)\n"
        "provider.diff('id', {**props, 'name': 'old'}, props)\n"
        "print(json.dumps([len(result.failures), _module_docstrings.cache_info().currsize]))"
    )
    assert parsed == [0, 0]
