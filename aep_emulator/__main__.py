"""``aep-emulator`` / ``python -m aep_emulator``: run a local AEP until SIGTERM or Ctrl-C.

The first line printed is the base URL (``http://127.0.0.1:8080``), flushed at once, so scripts can
start it with ``--port 0`` and read where it listens; a short banner with the credentials follows.

The emulator's dependencies (flask, cheroot, moto, ...) come with the ``[emulator]`` extra; without them
the command says how to install it instead of failing with a traceback.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
from collections.abc import Sequence

INSTALL_HINT = "pip install 'aep-provider[emulator]'"

try:
    from .core.context import EmulatorConfig
    from .server import DEFAULT_THREADS, EmulatorServer
except ModuleNotFoundError as missing:
    if (missing.name or "").partition(".")[0] in ("aep_emulator", "aep_provider"):
        raise  # our own module missing is a broken install, not a missing extra
    _MISSING_EXTRA: ModuleNotFoundError | None = missing
else:
    _MISSING_EXTRA = None
    _DEFAULTS = EmulatorConfig()
_SANDBOX_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # AEP sandbox names are lowercase


def _org_id(value: str) -> str:
    if not value.endswith("@AdobeOrg") or value == "@AdobeOrg":
        raise argparse.ArgumentTypeError(f"must look like 0123456789ABCDEF01234567@AdobeOrg, got {value!r}")
    return value


def _sandboxes(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("at least one sandbox name is needed")
    bad = [name for name in names if not _SANDBOX_NAME.match(name)]
    if bad:
        raise argparse.ArgumentTypeError(f"sandbox names are lowercase letters, digits and '-': {bad}")
    return names


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("port must be 0..65535 (0 picks a free port)")
    return port


def _seconds(value: str) -> float:
    seconds = float(value)
    if not 0 <= seconds <= 3600:
        raise argparse.ArgumentTypeError("must be 0..3600 seconds")
    return seconds


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aep-emulator", description="A local Adobe Experience Platform.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8080, help="port (default 8080; 0 picks a free one)")
    parser.add_argument("--data", metavar="DIR", help="keep every object in SQLite under DIR (default: memory)")
    parser.add_argument("--client-id", default=_DEFAULTS.client_id, help="accepted client id / x-api-key")
    parser.add_argument("--client-secret", default=_DEFAULTS.client_secret, help="accepted client secret")
    parser.add_argument("--org-id", type=_org_id, default=_DEFAULTS.org_id, help="IMS org id (…@AdobeOrg)")
    parser.add_argument("--tenant-id", default=_DEFAULTS.tenant_id, help="Schema Registry tenant id")
    parser.add_argument(
        "--sandboxes",
        type=_sandboxes,
        default=_DEFAULTS.sandboxes,
        help="comma-separated sandbox names; the first is the default production sandbox",
    )
    parser.add_argument("--aws-endpoint", help="AWS endpoint (e.g. a moto server) to verify S3/Kinesis against")
    parser.add_argument(
        "--flow-transition-seconds",
        type=_seconds,
        default=_DEFAULTS.flow_transition_seconds,
        help="how long a flow stays in a transitional state (updating, disabling, ...) after each write "
        f"(default {_DEFAULTS.flow_transition_seconds}; 0 settles at once)",
    )
    parser.add_argument(
        "--sandbox-transition-seconds",
        type=_seconds,
        default=_DEFAULTS.sandbox_transition_seconds,
        help="how long a new or reset sandbox stays creating/resetting before it is active "
        f"(default {_DEFAULTS.sandbox_transition_seconds}; AEP takes about 30)",
    )
    parser.add_argument("--threads", type=_positive, default=DEFAULT_THREADS, help="worker threads")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def config_from(args: argparse.Namespace) -> EmulatorConfig:
    return EmulatorConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        org_id=args.org_id,
        tenant_id=args.tenant_id,
        sandboxes=args.sandboxes,
        data_dir=args.data,
        aws_endpoint=args.aws_endpoint,
        flow_transition_seconds=args.flow_transition_seconds,
        sandbox_transition_seconds=args.sandbox_transition_seconds,
    )


def banner(config: EmulatorConfig) -> str:
    storage = f"SQLite in {config.data_dir}" if config.data_dir else "memory (lost on exit)"
    return "\n".join(
        [
            "AEP emulator (IMS, Schema Registry, Catalog, Flow Service, Data Prep)",
            f"  client id / x-api-key : {config.client_id}",
            f"  client secret         : {config.client_secret}",
            f"  org id                : {config.org_id}",
            f"  tenant id             : {config.tenant_id}",
            f"  sandboxes             : {', '.join(config.sandboxes)}",
            f"  storage               : {storage}",
            "  token endpoint        : <base URL>/ims/token/v3",
            "  test hooks            : <base URL>/__emulator/ (stats, faults, reset, objects)",
        ]
    )


def missing_extra_message(missing: ModuleNotFoundError) -> str:
    return (
        f"aep-emulator: the emulator needs the [emulator] extra (no module named {missing.name!r}); "
        f"install it with: {INSTALL_HINT}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    if _MISSING_EXTRA is not None:
        print(missing_extra_message(_MISSING_EXTRA), file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    if args.verbose:
        logging.getLogger("aep_emulator").setLevel(logging.INFO)
    config = config_from(args)
    try:
        server = EmulatorServer(config, host=args.host, port=args.port, threads=args.threads)
    except OSError as exc:
        print(f"aep-emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1

    def _stop(signum: int, _frame: object) -> None:
        server.request_stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(server.base_url, flush=True)  # the contract: first line = base URL
    print(banner(config), flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
