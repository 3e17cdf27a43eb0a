"""Both seed tutorials, replayed request by request from the documents themselves.

Each ``curl`` block of a seed is parsed (method, URL, JSON body), its placeholders are filled, the
defects the seeds README lists are corrected the way a real client would send the request, and the
answer is compared with the response the document shows: same status class, every documented field
present with the same JSON type, stable values equal, and ids/etags in the documented formats. Every
answer of that traffic is also validated against Adobe's OpenAPI specs (``openapi_check``).

Objects the tutorials take from other tutorials (a streaming source connection, an S3 base
connection, a dataset base connection) are created first through the API, and the ids the documents
print are mapped to the ids the emulator hands out.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from tests.emulator.openapi_check import validate_response
from tests.shared_refs import require_shared

STREAMING_SEED = "000_d9adb91ab8dc80eb.txt"
PARQUET_SEED = "004_446ba81049904896.txt"
KINESIS_SPEC = "86043421-563b-46ec-8e6c-e23184711bf6"
S3_SPEC = "ecadc60c-7455-4d87-84dc-2a0e293d997b"
DATA_LAKE_SPEC = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"

_CURL = re.compile(r"```shell\s*\ncurl -X (?P<method>[A-Z]+) \\\s*\n\s*'(?P<url>[^']+)'(?P<rest>.*?)```", re.S)
_BODY = re.compile(r"-d '(?P<body>.*)'\s*$", re.S)
_JSON_BLOCK = re.compile(r"```json\s*\n(?P<json>.*?)```", re.S)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ETAG = re.compile(r'^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{8}0000"$')
_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass
class SeedStep:
    method: str
    url: str
    body: str | None
    documented: Any  # the response the tutorial shows


def seed_steps(name: str) -> list[SeedStep]:
    """The tutorial's requests in order, each with the response printed after it."""
    text = require_shared("seeds", name).read_text()
    steps = []
    for match in _CURL.finditer(text):
        body = _BODY.search(match["rest"])
        documented = _JSON_BLOCK.search(text, match.end())
        steps.append(
            SeedStep(match["method"], match["url"], body["body"] if body else None, _loads(documented["json"]))
        )
    return steps


def _loads(text: str) -> Any:
    # The flowSpecs example ends its list with a trailing comma; JSON does not allow it.
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", text), object_pairs_hook=_first_non_empty)


def _first_non_empty(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A duplicated key keeps its first non-empty value (the parquet seed repeats ``"id"`` with "")."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key not in result or result[key] in ("", None):
            result[key] = value
    return result


@dataclass
class Replay:
    """Sends seed requests as a real client would and remembers which documented id became which."""

    emu: EmulatorHandle
    ids: dict[str, str] = field(default_factory=dict)
    answers: list[requests.Response] = field(default_factory=list)

    def fill(self, text: str) -> str:
        tenant = self.emu.config.tenant_id
        text = re.sub(r'""(https?://[^"]*)""', r'"\1"', text)  # doubled quotes around a schema id
        text = text.replace("{TENANT_ID}", tenant).replace("{{$guid}}", str(uuid.uuid4()))
        text = text.replace("{{$timestamp}}", str(int(time.time())))
        for documented, actual in sorted(self.ids.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(documented, actual)
        return text

    def url(self, seed_url: str) -> str:
        path = re.sub(r"^https?://platform\.adobe\.io", "", seed_url)
        if path.startswith("/data/foundation/mappingSets"):  # the streaming seed drops /conversion
            path = path.replace("/data/foundation/", "/data/foundation/conversion/", 1)
        return self.emu.url(path)

    def send(self, step: SeedStep) -> requests.Response:
        body = _loads(self.fill(step.body)) if step.body else None
        answer = requests.request(step.method, self.url(step.url), json=body, headers=self.emu.headers(), timeout=30)
        self.answers.append(answer)
        return answer

    def learn(self, documented: Any, actual: Any) -> None:
        """Map every id the document prints to the one the emulator returned at the same place."""
        if isinstance(documented, dict) and isinstance(actual, dict):
            for key in ("$id", "meta:altId", "id"):
                if isinstance(documented.get(key), str) and isinstance(actual.get(key), str):
                    self.ids[self.fill(documented[key])] = actual[key]
        if isinstance(documented, list) and isinstance(actual, list) and documented and actual:
            if all(isinstance(x, str) and x.startswith("@/dataSets/") for x in documented + actual):
                self.ids[documented[0].rsplit("/", 1)[1]] = actual[0].rsplit("/", 1)[1]

    def create(self, path: str, body: dict[str, Any]) -> str:
        answer = requests.post(self.emu.url(path), json=body, headers=self.emu.headers(), timeout=30)
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]


def assert_like_documented(documented: Any, actual: Any, where: str = "$") -> None:
    """Every documented field is there, with the same JSON type; stable values are equal."""
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in documented.items():
            assert key in actual, f"{where}: documented field {key!r} missing"
            assert_like_documented(value, actual[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        if documented and all(isinstance(x, str) for x in documented):
            assert len(actual) == len(documented), f"{where}: {actual} vs documented {documented}"
    elif isinstance(documented, str):
        assert isinstance(actual, str), f"{where}: expected a string, got {actual!r}"
        _assert_same_string(documented, actual, where)
    else:
        assert type(actual) is type(documented), f"{where}: {actual!r} is not a {type(documented).__name__}"


def _assert_same_string(documented: str, actual: str, where: str) -> None:
    if "{" in documented or documented == "":
        return  # a placeholder or a free value of the tutorial
    if _UUID.match(documented):
        assert _UUID.match(actual), f"{where}: {actual!r} is not a UUID"
    elif _ETAG.match(documented):
        assert _ETAG.match(actual), f"{where}: {actual!r} is not an etag in the platform's quoted form"
    elif _HEX.match(documented) and len(documented) >= 24:
        assert _HEX.match(actual) and len(actual) in (24, 32, 40, 48, 64), f"{where}: {actual!r} is not an id"
    elif documented.startswith("https://ns.adobe.com/xdm/") or where.endswith((".title", ".type", ".version")):
        assert actual == documented or where.endswith(".title"), f"{where}: {actual!r} != {documented!r}"


def replay_steps(replay: Replay, steps: list[SeedStep]) -> Iterator[tuple[SeedStep, requests.Response]]:
    for step in steps:
        answer = replay.send(step)
        assert answer.status_code < 300, f"{step.method} {step.url}: {answer.status_code} {answer.text}"
        replay.learn(step.documented, answer.json())
        yield step, answer


def test_streaming_seed_replayed_as_written(emulator: EmulatorHandle) -> None:
    steps = seed_steps(STREAMING_SEED)
    assert [s.method for s in steps] == ["POST", "POST", "POST", "POST", "GET", "POST"]
    replay = Replay(emulator)
    # Prerequisite of the tutorial ("Create a source connection"): a Kinesis source connection.
    base = replay.create(
        "/data/foundation/flowservice/connections",
        {
            "name": "Kinesis base connection",
            "auth": {
                "specName": "Aws Kinesis authentication credentials",
                "params": {"accessKeyId": "AKIAEXAMPLE", "secretKey": "not-a-real-secret", "region": "us-east-1"},
            },
            "connectionSpec": {"id": KINESIS_SPEC, "version": "1.0"},
        },
    )
    replay.ids["e96d6135-4b50-446e-922c-6dd66672b6b2"] = replay.create(
        "/data/foundation/flowservice/sourceConnections",
        {
            "name": "Kinesis source connection",
            "baseConnectionId": base,
            "data": {"format": "json"},
            "params": {"stream": "clickstream", "dataType": "raw"},
            "connectionSpec": {"id": KINESIS_SPEC, "version": "1.0"},
        },
    )
    for step, answer in replay_steps(replay, steps):
        if step.method == "GET":  # flowSpecs: the documented spec must be among those listed
            documented = step.documented["items"][0]
            listed = {spec["id"]: spec for spec in answer.json()["items"]}
            assert_like_documented(documented, listed[documented["id"]])
            continue
        assert_like_documented(step.documented, answer.json())
        if "targetConnections" in step.url:  # the tutorial's flow cites another target id than it created
            replay.ids["723222e2-6ab9-4b0b-b222-e26ab9bb0bc2"] = answer.json()["id"]
    flow = requests.get(
        emulator.url(f"/data/foundation/flowservice/flows/{replay.answers[-1].json()['id']}"),
        headers=emulator.headers(),
        timeout=30,
    ).json()["items"][0]
    assert flow["transformations"][0]["params"]["mappingId"] == replay.answers[3].json()["id"]


def test_parquet_seed_replayed_as_written(emulator: EmulatorHandle) -> None:
    steps = seed_steps(PARQUET_SEED)
    assert [s.method for s in steps] == ["POST"] * 5
    replay = Replay(emulator)
    # Prerequisites: the S3 base connection and the dataset base connection of the linked tutorials.
    replay.ids["5831c52c-c261-4945-b1c5-2cc261d945b2"] = replay.create(
        "/data/foundation/flowservice/connections",
        {
            "name": "S3 base connection",
            "auth": {"specName": "Access Key", "params": {"s3AccessKey": "AKIAEXAMPLE", "s3SecretKey": "x" * 20}},
            "connectionSpec": {"id": S3_SPEC, "version": "1.0"},
        },
    )
    replay.ids["291257e3-c560-4e07-9257-e3c5606e07d1"] = replay.create(
        "/data/foundation/flowservice/connections",
        {"name": "Dataset base connection", "connectionSpec": {"id": DATA_LAKE_SPEC, "version": "1.0"}},
    )
    for step, answer in replay_steps(replay, steps):
        assert_like_documented(step.documented, answer.json())
    flow = requests.get(
        emulator.url(f"/data/foundation/flowservice/flows/{replay.answers[-1].json()['id']}"),
        headers=emulator.headers(),
        timeout=30,
    ).json()["items"][0]
    assert flow["scheduleParams"]["frequency"] == "minute"
    assert flow["scheduleParams"]["interval"] == "1000"  # ScheduleSpecDTO keeps it as a string


@pytest.mark.parametrize("seed", [STREAMING_SEED, PARQUET_SEED])
def test_seed_traffic_matches_adobe_openapi_specs(emulator: EmulatorHandle, seed: str) -> None:
    """Every answer of the replayed tutorial, reads included, validates against ../shared/openapi."""
    require_shared("openapi")
    test = test_streaming_seed_replayed_as_written if seed == STREAMING_SEED else test_parquet_seed_replayed_as_written
    seen: list[requests.Response] = []
    original = requests.request

    def recording(*args: Any, **kwargs: Any) -> requests.Response:
        answer = original(*args, **kwargs)
        seen.append(answer)
        return answer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests, "request", recording)
        patch.setattr(requests, "post", lambda url, **kw: recording("POST", url, **kw))
        patch.setattr(requests, "get", lambda url, **kw: recording("GET", url, **kw))
        test(emulator)
    checked = [validate_response(answer) for answer in seen]
    assert len(seen) >= 6 and all(checked), f"unvalidated answers: {[a.url for a, c in zip(seen, checked) if not c]}"
