"""``./dev demo``: deploy both seed workflows to a local AEP with the real Pulumi engine, then stop.

1. A moto server (in this process) plays AWS: the demo bucket with a small XDM parquet file under the
   configured path, and the Kinesis stream the streaming source reads.
2. The emulator (``python -m aep_emulator``) listens on 127.0.0.1:8765 (where ``Pulumi.local.yaml``
   points), keeps its objects in ``.state/emulator`` and checks S3/Kinesis connections against moto.
3. The ``local`` stack (``Pulumi.local.yaml``; file backend ``.state``, the documented local passphrase)
   is selected or created, ``pulumi up`` runs through ``devtools.pulumi_cli``, the outputs are printed.
4. Everything started here stops. The stack's state then refers to objects that live on only in
   ``.state/emulator``: running the demo again finds them there and ``pulumi up`` has nothing to do.

Options: ``--serve`` keeps the emulator and moto running after the deployment (preview, refresh or
destroy from another shell; Ctrl-C stops them); ``--destroy`` tears the stack down before stopping and
then empties ``.state/emulator`` (AEP keeps Profile-enabled schemas, so ``destroy`` only forgets them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from devtools.pulumi_cli import REPO_ROOT, PulumiCLI, PulumiCLIError, PulumiCLINotFound

STACK = "local"
EMULATOR_HOST, EMULATOR_PORT = "127.0.0.1", 8765
EMULATOR_DATA = REPO_ROOT / ".state" / "emulator"
AWS_REGION = "us-east-1"
SAMPLE_FILE = "people.parquet"
# The stack program's defaults (stacks/workflows.py), used when Pulumi.local.yaml does not set a key.
DEFAULT_STREAM = "aep-demo-stream"
DEFAULT_S3_PATH = "aep-demo-bucket/samples"


def say(message: str) -> None:
    print(f"demo: {message}", file=sys.stderr, flush=True)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on a free local port; yields its endpoint."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server would log every request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def seed_aws(endpoint: str, stream: str, s3_path: str) -> str:
    """Create the Kinesis stream and the bucket with the parquet sample; returns the sample's s3:// URL."""
    import boto3

    from stacks.sample_data import parquet_bytes

    def client(service: str) -> Any:
        return boto3.session.Session().client(
            service, endpoint_url=endpoint, region_name=AWS_REGION,
            aws_access_key_id="demo", aws_secret_access_key="demo",
        )  # fmt: skip

    client("kinesis").create_stream(StreamName=stream, ShardCount=1)
    bucket, _, folder = s3_path.partition("/")
    key = f"{folder.strip('/')}/{SAMPLE_FILE}" if folder.strip("/") else SAMPLE_FILE
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=parquet_bytes())
    return f"s3://{bucket}/{key}"


@contextlib.contextmanager
def emulator(aws_endpoint: str) -> Iterator[str]:
    """``python -m aep_emulator`` on the port the local stack points at; yields its URL."""
    from aep_emulator.testing import EmulatorProcess

    EMULATOR_DATA.mkdir(parents=True, exist_ok=True)
    process = EmulatorProcess([
        "--host", EMULATOR_HOST, "--port", str(EMULATOR_PORT),
        "--data", str(EMULATOR_DATA), "--aws-endpoint", aws_endpoint,
    ])  # fmt: skip
    try:
        yield process.base_url
    finally:
        process.terminate()


def stack_values(cli: PulumiCLI) -> dict[str, str]:
    """The stack's plain config values (``pulumi config --json``), secrets left out."""
    values = json.loads(cli.run("config", "--json").stdout or "{}")
    return {key: str(entry.get("value")) for key, entry in values.items() if not entry.get("secret")}


def instructions(serving: bool, destroyed: bool) -> str:
    if destroyed:
        return f"\nThe `{STACK}` stack was deployed and destroyed; ./dev demo deploys it again.\n"
    emulator_cmd = f".venv/bin/python -m aep_emulator --port {EMULATOR_PORT} --data .state/emulator"
    where = "is still running (Ctrl-C here stops it)" if serving else "has stopped"
    return f"""
The `{STACK}` stack is deployed. Its state is in .state/ (file backend); the emulator's objects are in
.state/emulator/. The emulator {where}, and the state refers to the objects it keeps there.

  preview or refresh:  ./dev pulumi preview --diff --stack {STACK}     (the emulator must be running:
                       ./dev demo --serve, or {emulator_cmd})
  run the demo again:  ./dev demo            (finds the same objects: nothing to change)
  tear down:           ./dev demo --destroy  (or ./dev pulumi destroy --stack {STACK} with the emulator up)
  start from scratch:  ./dev pulumi stack rm {STACK} --force --yes && rm -rf .state/emulator
"""


def deploy(cli: PulumiCLI, destroy: bool) -> None:
    say("pulumi up (stack local)")
    print(cli.up().stdout)
    print(json.dumps(cli.stack_output(), indent=2, sort_keys=True))
    if destroy:
        say("pulumi destroy (stack local)")
        print(cli.destroy().stdout)


def wait_for_ctrl_c() -> None:
    say("serving; press Ctrl-C to stop the emulator and moto")
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help="keep the emulator and moto running until Ctrl-C")
    parser.add_argument(
        "--destroy", action="store_true", help="destroy the stack after deploying it, then empty .state/emulator"
    )
    args = parser.parse_args(argv)
    # SIGTERM (e.g. `timeout`, a CI runner) unwinds like Ctrl-C, so the emulator and moto are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if port_in_use(EMULATOR_HOST, EMULATOR_PORT):
        say(
            f"error: {EMULATOR_HOST}:{EMULATOR_PORT} is already in use (Pulumi.local.yaml points there). "
            "Is another demo or emulator running? Stop it, then run ./dev demo again."
        )
        return 2
    try:
        cli = PulumiCLI(project_dir=REPO_ROOT, stack=STACK)
        cli.stack_select(create=True)
        config = stack_values(cli)
        with moto_server() as aws_endpoint:
            sample = seed_aws(
                aws_endpoint,
                config.get("aep-provider:kinesisStream", DEFAULT_STREAM),
                config.get("aep-provider:s3Path", DEFAULT_S3_PATH),
            )
            say(f"moto (AWS) at {aws_endpoint}: stream and {sample} ready")
            with emulator(aws_endpoint) as url:
                say(f"AEP emulator at {url}, data in {EMULATOR_DATA.relative_to(REPO_ROOT)}")
                deploy(cli, args.destroy)
                print(instructions(args.serve, args.destroy))
                if args.serve:
                    wait_for_ctrl_c()
    except (PulumiCLIError, PulumiCLINotFound, RuntimeError) as failure:
        say(f"error: {failure}")
        return 1
    say("stopped the emulator and moto")
    if args.destroy:
        # What destroy left behind (AEP keeps Profile-enabled schemas) would block the next demo's titles.
        shutil.rmtree(EMULATOR_DATA, ignore_errors=True)
        say(f"removed {EMULATOR_DATA.relative_to(REPO_ROOT)}: the local AEP starts empty next time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
