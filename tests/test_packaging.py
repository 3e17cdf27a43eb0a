"""What a user installs: the wheel built from this repository.

- it holds ``aep_provider`` and ``aep_emulator`` only (no top-level ``devtools``, a name taken on PyPI);
- it requires Pulumi as a compatible range, not one exact version;
- ``aep-emulator`` without the ``[emulator]`` extra says ``pip install 'aep-provider[emulator]'``
  instead of crashing: the console script of the wheel installed into a fresh venv, and the module with
  flask hidden.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from devtools.pulumi_cli import pinned_version, supported_range

from .distribution import build_wheel, make_venv, pip_install

PRODUCT_PACKAGES = {"aep_provider", "aep_emulator"}
INSTALL_HINT = "pip install 'aep-provider[emulator]'"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def wheel_metadata(wheel: Path) -> tuple[set[str], list[str], list[Requirement]]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    return top_level, names, [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]


def test_wheel_holds_only_the_product(wheel: Path) -> None:
    top_level, names, _ = wheel_metadata(wheel)
    assert top_level == PRODUCT_PACKAGES
    assert not any(name.startswith(("devtools/", "tests/", "stacks/", "scripts/")) for name in names)
    # The emulator's data files travel with it (its catalogs and connection specs).
    assert any(name.startswith("aep_emulator/") and name.endswith(".json") for name in names)


def test_wheel_requires_pulumi_as_a_range(wheel: Path) -> None:
    _, _, requirements = wheel_metadata(wheel)
    (pulumi,) = [req for req in requirements if req.name == "pulumi" and not req.marker]
    assert pulumi.specifier == supported_range()
    assert not any(spec.operator in ("==", "===") for spec in pulumi.specifier)
    assert Version(pinned_version()) in pulumi.specifier  # the repository's own CLI is supported
    assert Version("3.272.0") in pulumi.specifier  # the newest SDK on PyPI when the range was set


def test_emulator_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    # sys.modules[name] = None makes `import name` raise ModuleNotFoundError, as in a venv without it.
    program = "import sys; sys.modules['flask'] = None\nfrom aep_emulator.__main__ import main\nsys.exit(main([]))"
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert INSTALL_HINT in done.stderr
    assert "Traceback" not in done.stderr


def test_console_script_of_the_wheel_without_the_extra(wheel: Path, tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    # --no-deps: the emulator's own import of flask is what fails first, as in an install without the extra.
    pip_install(python, "--no-deps", str(wheel))
    done = subprocess.run(
        [str(python.parent / "aep-emulator"), "--port", "0"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    assert INSTALL_HINT in done.stderr and "Traceback" not in done.stderr
