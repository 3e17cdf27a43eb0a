"""The GitHub workflows (.github/workflows/) and their local twin, scripts/ci.sh.

- actionlint (built from the Go module proxy into .tools/bin by scripts/build-actionlint.sh, as the Pulumi
  CLI is built) finds nothing in the workflow files, and does find a planted mistake;
- each workflow runs exactly the steps ``scripts/ci.sh steps <workflow>`` lists, in order, with the
  pulumi/actions conventions: preview on pull requests with the diff posted as a comment, up on pushes
  to main, the CLI version the repository pins;
- ``scripts/ci.sh pull-request`` (the pull-request workflow's steps) previews the ``local`` stack against
  the emulator and writes the comment it would post.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.pulumi_cli import REPO_ROOT, TOOLS_BIN, pinned_version

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
CI_SCRIPT = REPO_ROOT / "scripts" / "ci.sh"
BUILD_ACTIONLINT = REPO_ROOT / "scripts" / "build-actionlint.sh"
BUILD_CLI = REPO_ROOT / "scripts" / "build-pulumi-cli.sh"
ACTIONLINT_INFO = "github.com/rhysd/actionlint/@v/v1.7.12.info"
PULUMI_ACTION = "pulumi/actions@v6"
# workflow file -> scripts/ci.sh workflow name, pulumi command, stack, trigger
WORKFLOW_FILES = {
    "pull_request.yml": ("pull-request", "preview", "local", "pull_request"),
    "push.yml": ("push-main", "up", "dev", "push"),
}


def go_available() -> bool:
    done = subprocess.run([str(BUILD_CLI), "--print-go"], capture_output=True, text=True, timeout=600, check=False)
    return done.returncode == 0


def proxy_reachable() -> bool:
    proxies = os.environ.get("GOPROXY") or "https://proxy.golang.org"
    for proxy in proxies.replace("|", ",").split(","):
        if not proxy.startswith("http"):
            continue
        try:
            with urllib.request.urlopen(f"{proxy.rstrip('/')}/{ACTIONLINT_INFO}", timeout=15) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="module")
def actionlint() -> Path:
    done = subprocess.run([str(BUILD_ACTIONLINT)], capture_output=True, text=True, timeout=1200, check=False)
    if done.returncode != 0:
        if not go_available() and not proxy_reachable():
            pytest.skip("actionlint cannot be built: no Go toolchain and no Go module proxy")
        pytest.fail(f"scripts/build-actionlint.sh failed:\n{done.stderr}")
    return TOOLS_BIN / "actionlint"


def lint(actionlint: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(actionlint), "-no-color", "-oneline", "-shellcheck=", "-pyflakes=", *map(str, files)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_workflows_pass_actionlint(actionlint: Path) -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {path.name for path in files} == set(WORKFLOW_FILES)
    done = lint(actionlint, *files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_reports_a_broken_workflow(actionlint: Path, tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    text = (WORKFLOWS / "pull_request.yml").read_text()
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"))
    done = lint(actionlint, broken)
    assert done.returncode != 0 and "runs-on" in done.stdout


def load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def script_steps(workflow: str) -> list[str]:
    done = subprocess.run([str(CI_SCRIPT), "steps", workflow], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.split("\n")[:-1]


def workflow_steps(steps: list[dict[str, Any]]) -> list[str]:
    """The workflow's steps in scripts/ci.sh terms: `run: scripts/ci.sh X` is X, pulumi/actions with a
    command is "<command> <stack>"; checkout, setup-python and installing the CLI are GitHub's own."""
    named = []
    for step in steps:
        if "run" in step:
            words = step["run"].split()
            assert words[0] == "scripts/ci.sh", f"a run step outside scripts/ci.sh: {step['run']!r}"
            named.append(" ".join(words[1:]))
        elif step.get("uses") == PULUMI_ACTION and "command" in step.get("with", {}):
            named.append(f"{step['with']['command']} {step['with']['stack-name']}")
    return named


@pytest.mark.parametrize("file_name", sorted(WORKFLOW_FILES))
def test_workflow_runs_the_script_steps_with_pulumi_conventions(file_name: str) -> None:
    workflow_name, command, stack, trigger = WORKFLOW_FILES[file_name]
    workflow = load(file_name)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert list(triggers) == [trigger] and triggers[trigger]["branches"] == ["main"]
    (job,) = workflow["jobs"].values()
    steps = job["steps"]

    assert workflow_steps(steps) == script_steps(workflow_name)

    uses = [step.get("uses", "") for step in steps]
    assert uses[0].startswith("actions/checkout@") and uses[1].startswith("actions/setup-python@")
    install = steps[2]
    assert install["uses"] == PULUMI_ACTION and "command" not in install["with"]
    assert install["with"]["pulumi-version"] == pinned_version()
    (action,) = [s for s in steps if s.get("uses") == PULUMI_ACTION and "command" in s.get("with", {})]
    assert (action["with"]["command"], action["with"]["stack-name"]) == (command, stack)
    assert action["with"]["cloud-url"] == workflow["env"]["PULUMI_BACKEND_URL"]
    if command == "preview":
        assert action["with"]["diff"] is True and action["with"]["comment-on-pr"] is True
        assert workflow["permissions"]["pull-requests"] == "write"
        assert steps[-1]["run"] == "scripts/ci.sh stop-emulator" and steps[-1]["if"] == "always()"
    else:
        assert workflow["concurrency"]["cancel-in-progress"] is False
        for secret in ("AEP_CLIENT_SECRET", "PULUMI_CONFIG_PASSPHRASE", "AWS_SECRET_ACCESS_KEY"):
            assert workflow["env"][secret] == f"${{{{ secrets.{secret} }}}}"


def port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) != 0


@pytest.mark.engine
def test_pull_request_script_previews_the_local_stack(tmp_path: Path) -> None:
    if shutil.which("flock") is None:
        pytest.fail("flock (util-linux) is needed by ./dev")
    assert port_free("127.0.0.1", 8765), "127.0.0.1:8765 (the local stack's emulator) is in use"
    out = tmp_path / "ci"
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "CI_OUT": str(out),
    }
    env.pop("PULUMI_CONFIG_PASSPHRASE", None)  # the local stack's documented passphrase applies
    done = subprocess.run(
        [str(CI_SCRIPT), "pull-request"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr

    comment = (out / "preview-local.md").read_text()
    assert "`pulumi preview` of stack `local`" in comment and "(failed" not in comment
    assert "+ pulumi-python:dynamic/aep:Schema: (create)" in comment
    assert "to create" in comment
    assert "aep-emulator-secret" not in comment  # the stack's (demo) client secret stays [secret]
    assert not (out / "emulator.pid").exists() and port_free("127.0.0.1", 8765)
