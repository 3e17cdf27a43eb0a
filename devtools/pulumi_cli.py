"""Run the locally built Pulumi CLI offline: one environment for ./dev, the demo and the engine tests.

Every call gets the same environment (see :func:`offline_environment`):

- ``PATH`` starts with the directory of the CLI (``.tools/bin``, where ``scripts/build-pulumi-cli.sh``
  builds the pinned version or links a ``pulumi`` of a supported version already on ``PATH``), so the
  engine finds ``pulumi-language-python`` and the two shims beside it;
- ``PULUMI_BACKEND_URL=file://<repo>/.state`` unless the caller or the user set one (S3 works too);
- ``PULUMI_CONFIG_PASSPHRASE``: :data:`LOCAL_PASSPHRASE` unless a passphrase (or passphrase file) is set.
  It only protects local throwaway stacks; set your own for anything you keep;
- ``PULUMI_HOME=<repo>/.pulumi-home``: plugin cache and workspace files isolated from ``~/.pulumi``;
- ``PULUMI_SKIP_UPDATE_CHECK`` and ``PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION``: never reach out
  to pulumi.com or GitHub; a missing plugin fails at once instead of after a download attempt.

:class:`PulumiCLI` adds ``--non-interactive --color never`` (and ``--yes`` where a command asks for
confirmation), captures output, appends it to a log file and raises :class:`PulumiCLIError` with the
output when a command fails. ``python -m devtools.pulumi_cli ARGS`` (what ``./dev pulumi`` runs) passes
ARGS through unchanged with the same environment, so interactive use still works.
"""

from __future__ import annotations

import json as jsonlib
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS_BIN = REPO_ROOT / ".tools" / "bin"
PYPROJECT = REPO_ROOT / "pyproject.toml"
CLI_GO_MOD = REPO_ROOT / "tools" / "pulumi-cli" / "go.mod"
_PKG_MODULE = "github.com/pulumi/pulumi/pkg/v3"
DEFAULT_STATE_DIR = REPO_ROOT / ".state"
DEFAULT_PULUMI_HOME = REPO_ROOT / ".pulumi-home"

LOCAL_PASSPHRASE = "aep-provider-local-only"
"""Passphrase for local stacks when none is set: documented, not secret, only for throwaway state."""

DEFAULT_TIMEOUT_SECONDS = 900.0


class PulumiCLINotFound(RuntimeError):
    """Neither ``.tools/bin/pulumi`` nor a ``pulumi`` of a supported version is available."""


class PulumiCLIError(RuntimeError):
    """A pulumi command failed; the message carries the command, exit code and full output."""

    def __init__(self, result: subprocess.CompletedProcess[str]) -> None:
        self.result = result
        super().__init__(
            f"`{' '.join(result.args)}` exited with {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )


def pinned_version(go_mod: Path = CLI_GO_MOD) -> str:
    """The version this repository builds its own CLI at: the ``github.com/pulumi/pulumi/pkg/v3``
    requirement of ``tools/pulumi-cli/go.mod`` (what ``go build`` compiles), e.g. ``3.259.0``.

    ``./dev setup`` installs the same Python SDK version into ``.venv``; users may run any version in
    :func:`supported_range`.
    """
    for line in go_mod.read_text().splitlines():
        words = line.split()
        if words[:1] == ["require"]:  # the one-line form: require <module> <version>
            words = words[1:]
        if len(words) >= 2 and words[0] == _PKG_MODULE and words[1].startswith("v"):
            return words[1][1:]
    raise ValueError(f"no {_PKG_MODULE} vX.Y.Z requirement in {go_mod}")


def supported_range(pyproject: Path = PYPROJECT) -> SpecifierSet:
    """The Pulumi versions the package supports, SDK and CLI alike: the ``pulumi`` requirement of
    pyproject.toml (e.g. ``>=3.216.0,<4``)."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    for requirement in dependencies:
        name = requirement.split(";")[0]
        for operator in ("==", ">=", "<=", "~=", "!=", "<", ">"):
            name = name.split(operator)[0]
        if name.strip() == "pulumi":
            return SpecifierSet(requirement.split(";")[0].strip()[len("pulumi") :])
    raise ValueError(f"no pulumi requirement in {pyproject}")


def is_supported(cli_version_text: str | None, pyproject: Path = PYPROJECT) -> bool:
    """Whether ``pulumi version`` output (``v3.259.0``) is within :func:`supported_range`."""
    if not cli_version_text:
        return False
    try:
        version = Version(cli_version_text.strip().removeprefix("v"))
    except InvalidVersion:
        return False
    return supported_range(pyproject).contains(version, prereleases=True)


def cli_version(pulumi: Path) -> str | None:
    """What ``pulumi version`` prints (e.g. ``v3.259.0``), or None if it does not run."""
    try:
        done = subprocess.run(
            [str(pulumi), "version"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"},
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_pulumi() -> Path:
    """The CLI to run: ``.tools/bin/pulumi`` (built, or linked by ./dev setup), else the first
    ``pulumi`` on PATH whose version is within :func:`supported_range`."""
    built = TOOLS_BIN / "pulumi"
    if built.exists():
        return built
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(directory or ".") / "pulumi"
        if os.access(candidate, os.X_OK) and is_supported(cli_version(candidate)):
            return candidate
    raise PulumiCLINotFound(
        f"no pulumi {supported_range()}: run ./dev setup (builds v{pinned_version()} into .tools/bin) "
        f"or put a pulumi {supported_range()} on PATH"
    )


def offline_environment(
    pulumi: Path,
    *,
    backend_url: str | None = None,
    pulumi_home: Path | None = None,
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment every CLI call runs with (see the module docstring for each variable)."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(pulumi.parent), env.get("PATH", "")])
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    env["PULUMI_HOME"] = str(pulumi_home or DEFAULT_PULUMI_HOME)
    if backend_url is not None:
        env["PULUMI_BACKEND_URL"] = backend_url
    elif not env.get("PULUMI_BACKEND_URL"):
        DEFAULT_STATE_DIR.mkdir(parents=True, exist_ok=True)
        env["PULUMI_BACKEND_URL"] = DEFAULT_STATE_DIR.as_uri()
    if "PULUMI_CONFIG_PASSPHRASE" not in env and "PULUMI_CONFIG_PASSPHRASE_FILE" not in env:
        env["PULUMI_CONFIG_PASSPHRASE"] = LOCAL_PASSPHRASE
    env.update(extra or {})
    return env


@dataclass
class PulumiCLI:
    """The pulumi CLI bound to one project directory and one stack, run offline.

    ``backend_url``/``pulumi_home``/``log_path`` default to the repository's ``.state``,
    ``.pulumi-home`` and ``.pulumi-home/logs/pulumi-cli.log``; tests pass temporary ones.
    """

    project_dir: Path
    stack: str
    backend_url: str | None = None
    pulumi_home: Path | None = None
    log_path: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    pulumi: Path = field(default_factory=find_pulumi)

    def __post_init__(self) -> None:
        self.project_dir = Path(self.project_dir)
        home = self.pulumi_home or DEFAULT_PULUMI_HOME
        self.log_path = self.log_path or home / "logs" / "pulumi-cli.log"

    @property
    def env(self) -> dict[str, str]:
        return offline_environment(
            self.pulumi, backend_url=self.backend_url, pulumi_home=self.pulumi_home, extra=self.extra_env
        )

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        check: bool = True,
        with_stack: bool = True,
        log_stdout: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``pulumi ARGS`` in the project directory; raise PulumiCLIError on failure if ``check``.

        ``log_stdout=False`` keeps stdout out of the log file (for output that holds decrypted secrets).
        """
        command = [str(self.pulumi), *args, "--non-interactive", "--color", "never"]
        if with_stack:
            command += ["--stack", self.stack]
        started = time.monotonic()
        result = subprocess.run(
            command,
            cwd=self.project_dir,
            env=self.env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        self._log(result, time.monotonic() - started, log_stdout)
        if check and result.returncode != 0:
            raise PulumiCLIError(result)
        return result

    def _log(self, result: subprocess.CompletedProcess[str], seconds: float, log_stdout: bool) -> None:
        assert self.log_path is not None
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        stdout = result.stdout if log_stdout else "(stdout not logged: it holds secrets)\n"
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(
                f"=== {stamp} {self.project_dir} $ {' '.join(result.args)}"
                f" -> rc={result.returncode} in {seconds:.1f}s\n{stdout}{result.stderr}\n"
            )

    # --- stacks -------------------------------------------------------------------------------------

    def stack_init(self) -> subprocess.CompletedProcess[str]:
        return self.run("stack", "init", self.stack, with_stack=False)

    def stack_select(self, create: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("stack", "select", self.stack, *(["--create"] if create else []), with_stack=False)

    def stack_rm(self, force: bool = False) -> subprocess.CompletedProcess[str]:
        return self.run("stack", "rm", "--yes", *(["--force"] if force else []))

    def config_set(self, key: str, value: str, secret: bool = False) -> subprocess.CompletedProcess[str]:
        # The value goes through stdin: a secret never appears in a command line, `ps` or the log.
        return self.run("config", "set", key, *(["--secret"] if secret else ["--plaintext"]), stdin=value)

    def stack_output(self, show_secrets: bool = False) -> dict[str, Any]:
        flags = ["--json", *(["--show-secrets"] if show_secrets else [])]
        return jsonlib.loads(self.run("stack", "output", *flags, log_stdout=not show_secrets).stdout)

    def stack_export(self) -> dict[str, Any]:
        """The stack's deployment (what the state file holds), secrets still encrypted."""
        return jsonlib.loads(self.run("stack", "export").stdout)

    # --- operations -----------------------------------------------------------------------------------

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra)

    def preview(
        self, *extra: str, expect_no_changes: bool = False, refresh: bool = False, json: bool = False
    ) -> subprocess.CompletedProcess[str]:
        flags = [
            *(["--expect-no-changes"] if expect_no_changes else []),
            *(["--refresh"] if refresh else []),
            *(["--json"] if json else []),
        ]
        return self.run("preview", *flags, *extra)

    def refresh(self, *extra: str, expect_no_changes: bool = False) -> subprocess.CompletedProcess[str]:
        flags = ["--expect-no-changes"] if expect_no_changes else []
        return self.run("refresh", "--yes", "--skip-preview", *flags, *extra)

    def destroy(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "--yes", "--skip-preview", *extra)


def main(argv: Sequence[str]) -> int:
    """``python -m devtools.pulumi_cli ARGS``: run ``pulumi ARGS`` with the offline environment."""
    try:
        pulumi = find_pulumi()
    except PulumiCLINotFound as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    return subprocess.call([str(pulumi), *argv], env=offline_environment(pulumi))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
