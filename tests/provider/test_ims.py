"""IMS token cache: one fetch per credentials, refresh before expiry, ms/s normalisation, thread safety."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from aep_provider.errors import AEPApiError
from aep_provider.ims import REFRESH_MARGIN_SECONDS, TokenCache, lifetime_seconds
from aep_provider.settings import Settings

SECRET = "s3cret-value"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeIMS:
    """Stands in for the session: answers token requests and records them."""

    def __init__(self, expires_in: float = 86399, status: int = 200, delay: float = 0.0) -> None:
        self.expires_in, self.status, self.delay = expires_in, status, delay
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def post(self, url: str, data: dict[str, str], timeout: Any) -> Any:
        time.sleep(self.delay)
        with self._lock:
            self.requests.append({"url": url, **data})
            number = len(self.requests)
        body = (
            {"access_token": f"token-{number}", "token_type": "bearer", "expires_in": self.expires_in}
            if self.status == 200
            else {"error": "invalid_client", "error_description": "invalid client_id or client_secret"}
        )
        return _Answer(self.status, body)


class _Answer:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status_code, self._body, self.headers = status, body, {"x-request-id": "req-1"}

    def json(self) -> dict[str, Any]:
        return self._body


def settings(client_id: str = "client-1") -> Settings:
    return Settings(client_id=client_id, client_secret=SECRET, org_id="ORG@AdobeOrg", ims_endpoint="https://ims.test")


@pytest.mark.parametrize(
    ("expires_in", "seconds"), [(86399, 86399), (3600, 3600), (86399992, 86399.992), ("86399", 86399)]
)
def test_lifetime_is_normalised_to_seconds(expires_in: Any, seconds: float) -> None:
    assert lifetime_seconds(expires_in) == pytest.approx(seconds)


def test_token_is_reused_then_refreshed_a_margin_before_expiry() -> None:
    clock, ims = FakeClock(), FakeIMS(expires_in=86399)
    cache = TokenCache(clock=clock)
    assert cache.get(settings(), ims) == "token-1"
    request = ims.requests[0]
    assert request["url"] == "https://ims.test/ims/token/v3"
    assert (request["grant_type"], request["client_id"], request["client_secret"]) == (
        "client_credentials", "client-1", SECRET,
    )
    clock.now += 86399 - REFRESH_MARGIN_SECONDS - 1
    assert cache.get(settings(), ims) == "token-1"
    clock.now += 2  # inside the margin
    assert cache.get(settings(), ims) == "token-2"


def test_tokens_are_kept_per_client() -> None:
    ims = FakeIMS()
    cache = TokenCache(clock=FakeClock())
    assert cache.get(settings("a"), ims) != cache.get(settings("b"), ims)
    assert len(ims.requests) == 2


def test_invalidate_drops_only_the_rejected_token() -> None:
    ims = FakeIMS()
    cache = TokenCache(clock=FakeClock())
    first = cache.get(settings(), ims)
    cache.invalidate(settings(), "some-older-token")  # already replaced: keep the current one
    assert cache.get(settings(), ims) == first
    cache.invalidate(settings(), first)
    assert cache.get(settings(), ims) == "token-2"


def test_concurrent_callers_share_one_fetch() -> None:
    ims = FakeIMS(delay=0.2)
    cache = TokenCache()
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(cache.get(settings(), ims))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tokens == ["token-1"] * 8 and len(ims.requests) == 1


def test_refused_credentials_raise_without_the_secret() -> None:
    cache = TokenCache(clock=FakeClock())
    with pytest.raises(AEPApiError) as caught:
        cache.get(settings(), FakeIMS(status=401))
    message = str(caught.value)
    assert caught.value.code == "invalid_client" and caught.value.request_id == "req-1"
    assert "aep:clientSecret" in message and SECRET not in message and SECRET not in repr(caught.value)
