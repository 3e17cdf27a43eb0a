#!/usr/bin/env bash
# The steps of the GitHub workflows (.github/workflows/pull_request.yml and push.yml), runnable anywhere.
#
#   scripts/ci.sh setup                   ./dev setup: .venv with pip, the Pulumi CLI in .tools/bin (a supported
#                                         pulumi already on PATH, e.g. installed by pulumi/actions, is linked)
#   scripts/ci.sh start-emulator STACK    start the AEP emulator where Pulumi.STACK.yaml's aep:endpoint points
#   scripts/ci.sh stop-emulator           stop it
#   scripts/ci.sh stack-init STACK        select STACK in the state backend, creating it when it is new
#   scripts/ci.sh preview STACK           pulumi preview --diff; the output also goes to $CI_OUT/preview-STACK.md
#   scripts/ci.sh up STACK                pulumi up
#   scripts/ci.sh pull-request            the pull-request workflow: PULL_REQUEST_STEPS below, in order
#   scripts/ci.sh push-main               the push workflow: PUSH_MAIN_STEPS below, in order
#
# In GitHub Actions the preview and up steps are pulumi/actions (which posts the preview on the pull request);
# here they are the same pulumi commands through ./dev pulumi. tests/test_ci_workflows.py checks that the
# workflow files list exactly these steps, and runs `pull-request` against the emulator.
#
# Environment: PULUMI_BACKEND_URL (default: file backend in .state), PULUMI_CONFIG_PASSPHRASE (default: the
# documented local passphrase, fine for the `local` stack only), CI_OUT (default .state/ci: emulator data,
# pid, log and the preview comment).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

PREVIEW_STACK="local"
DEPLOY_STACK="dev"
PULL_REQUEST_STEPS=("setup" "start-emulator $PREVIEW_STACK" "stack-init $PREVIEW_STACK" "preview $PREVIEW_STACK" "stop-emulator")
PUSH_MAIN_STEPS=("setup" "stack-init $DEPLOY_STACK" "up $DEPLOY_STACK")

CI_OUT="${CI_OUT:-$REPO_ROOT/.state/ci}"
EMULATOR_PID="$CI_OUT/emulator.pid"
EMULATOR_LOG="$CI_OUT/emulator.log"

say() { printf 'ci: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

pulumi_cli() { "$REPO_ROOT/.venv/bin/python" -m devtools.pulumi_cli "$@"; }

# host and port of the stack's aep:endpoint (the emulator must listen exactly there).
stack_endpoint() {
    local stack="$1" file="Pulumi.$1.yaml" url
    [[ -f "$file" ]] || die "no $file"
    url="$(sed -nE 's#^[[:space:]]*aep:endpoint:[[:space:]]*"?(http://[^"[:space:]]+)"?.*#\1#p' "$file" | head -n1)"
    [[ -n "$url" ]] || die "$file sets no http:// aep:endpoint: stack '$stack' is not an emulator stack"
    printf '%s\n' "${url#http://}"
}

step_setup() { ./dev setup; }

step_start_emulator() {
    local stack="${1:?stack}" endpoint host port base_url
    endpoint="$(stack_endpoint "$stack")"
    host="${endpoint%%:*}"
    port="${endpoint##*:}"
    port="${port%%/*}"
    mkdir -p "$CI_OUT"
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
        die "$host:$port is in use (another emulator or ./dev demo --serve?); stop it first"
    fi
    .venv/bin/python -m aep_emulator --host "$host" --port "$port" --data "$CI_OUT/emulator" \
        >"$EMULATOR_LOG" 2>&1 &
    echo $! >"$EMULATOR_PID"
    for _ in $(seq 1 150); do
        base_url="$(head -n1 "$EMULATOR_LOG" 2>/dev/null || true)"
        if [[ "$base_url" == http://* ]]; then
            say "emulator for stack '$stack' at $base_url (pid $(cat "$EMULATOR_PID"), log ${EMULATOR_LOG#"$REPO_ROOT"/})"
            return 0
        fi
        kill -0 "$(cat "$EMULATOR_PID")" 2>/dev/null || { cat "$EMULATOR_LOG" >&2; die "the emulator exited"; }
        sleep 0.2
    done
    die "the emulator did not start within 30 s"
}

step_stop_emulator() {
    [[ -f "$EMULATOR_PID" ]] || return 0
    local pid
    pid="$(cat "$EMULATOR_PID")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$EMULATOR_PID"
    say "emulator stopped"
}

step_stack_init() {
    local stack="${1:?stack}"
    # A file backend's directory must exist before pulumi can use it (the default .state is made for us).
    if [[ "${PULUMI_BACKEND_URL:-}" == file://* ]]; then mkdir -p "${PULUMI_BACKEND_URL#file://}"; fi
    pulumi_cli stack select "$stack" --create --non-interactive
}

# What pulumi/actions does with command: preview, diff: true, comment-on-pr: true.
step_preview() {
    local stack="${1:?stack}" output="$CI_OUT/preview-$1.txt" status=0
    mkdir -p "$CI_OUT"
    pulumi_cli preview --diff --non-interactive --color never --stack "$stack" >"$output" 2>&1 || status=$?
    cat "$output"
    {
        printf '#### :tropical_drink: `pulumi preview` of stack `%s`%s\n\n' "$stack" \
            "$([[ $status == 0 ]] || printf ' (failed, exit %s)' "$status")"
        printf '<details>\n<summary>Details</summary>\n\n```diff\n'
        cat "$output"
        printf '```\n\n</details>\n'
    } >"$CI_OUT/preview-$stack.md"
    return "$status"
}

step_up() {
    local stack="${1:?stack}"
    pulumi_cli up --yes --non-interactive --color never --stack "$stack"
}

run_steps() {
    local step
    for step in "$@"; do
        say "step: $step"
        # shellcheck disable=SC2086  # a step is a command name and its words
        dispatch $step
    done
}

dispatch() {
    local command="${1:-help}"
    [[ $# -gt 0 ]] && shift
    case "$command" in
        setup) step_setup ;;
        start-emulator) step_start_emulator "$@" ;;
        stop-emulator) step_stop_emulator ;;
        stack-init) step_stack_init "$@" ;;
        preview) step_preview "$@" ;;
        up) step_up "$@" ;;
        pull-request)
            trap step_stop_emulator EXIT  # as the workflow's `if: always()` stop step
            run_steps "${PULL_REQUEST_STEPS[@]}" ;;
        push-main) run_steps "${PUSH_MAIN_STEPS[@]}" ;;
        steps)  # for tests: the step list of a workflow, one per line
            case "${1:-}" in
                pull-request) printf '%s\n' "${PULL_REQUEST_STEPS[@]}" ;;
                push-main) printf '%s\n' "${PUSH_MAIN_STEPS[@]}" ;;
                *) die "steps: pull-request or push-main" ;;
            esac ;;
        help | -h | --help) sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2 ;;
        *) say "unknown command: $command"; exit 2 ;;
    esac
}

dispatch "$@"
