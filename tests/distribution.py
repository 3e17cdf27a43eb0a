"""Build this project's wheel and install it into fresh virtualenvs, as a user of the package would.

Used by tests/test_packaging.py (what the wheel holds) and tests/engine/test_sdk_range.py (the provider
with the Pulumi SDK at both ends of the supported range). Only package registries are reached (pip).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

from devtools.pulumi_cli import REPO_ROOT

# What a source distribution would not carry: local state, tools, caches, VCS data.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", ".tools", ".state", ".pulumi-home", "__pycache__", "*.egg-info", "build", "dist",
    ".pytest_cache", ".ruff_cache", ".mypy_cache", "*.sqlite3",
)  # fmt: skip
PIP_TIMEOUT_SECONDS = 900


def build_wheel(workdir: Path) -> Path:
    """``pip wheel`` of a copy of the working tree (so the build writes nothing into the repository)."""
    source = workdir / "source"
    shutil.copytree(REPO_ROOT, source, ignore=_NOT_SOURCE, symlinks=True)
    out = workdir / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
        check=True, timeout=PIP_TIMEOUT_SECONDS, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = out.glob("aep_provider-*.whl")
    return wheel


def make_venv(path: Path) -> Path:
    """A fresh venv with pip (the engine runs ``pip list`` in it); returns its python."""
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin" / "python"


def overlay_venv(path: Path, base: Path = Path(sys.executable)) -> Path:
    """A fresh venv that sees everything installed in ``base``'s venv after its own packages (a ``.pth``
    file calling ``site.addsitedir``): install one package into it (another Pulumi SDK version) and that version wins, while the
    rest comes from ``base`` without downloading it again. pip never uninstalls from ``base``
    ("outside environment"). Returns the new venv's python."""
    python = make_venv(path)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    base_purelib = subprocess.run(
        [str(base), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    # addsitedir (not a bare path line) so base's own .pth files run too, e.g. an editable install's finder.
    (Path(purelib) / "aep-base-venv.pth").write_text(f"import site; site.addsitedir({base_purelib!r})\n")
    return python


def pip_install(python: Path, *requirements: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
        timeout=PIP_TIMEOUT_SECONDS, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(requirements)} failed:\n{done.stdout}\n{done.stderr}")


def installed_version(python: Path, distribution: str) -> str:
    return subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({distribution!r}))"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip
