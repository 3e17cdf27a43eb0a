"""Adobe IMS OAuth server-to-server tokens: fetched once, shared by every call of the process.

Tokens are cached per (IMS endpoint, client id, org) and refreshed a margin before they expire.
The cache is process-wide and lock-guarded because the provider process serves several calls at
once. Nothing here is ever pickled into Pulumi state. Retries live in the session the caller passes:
the client's IMS session re-sends the token POST on a lost connection, 429, 502, 503 and 504
(``client.ims_retry_policy``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import AEPApiError
from .settings import Settings

if TYPE_CHECKING:  # imported on first token request (client.py says why)
    import requests

TOKEN_PATH = "/ims/token/v3"
# Refresh this long before expiry (aepp uses 500 s), or at half-life for short-lived tokens.
REFRESH_MARGIN_SECONDS = 300.0
# IMS documents ``expires_in`` in seconds; the retired JWT exchange answered milliseconds.
# No IMS token lives longer than a few days, so a bigger number can only be milliseconds.
_MAX_PLAUSIBLE_SECONDS = 14 * 24 * 3600

Clock = Callable[[], float]


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # time.monotonic() based
    lifetime: float

    def is_fresh(self, now: float) -> bool:
        margin = min(REFRESH_MARGIN_SECONDS, self.lifetime / 2)
        return now < self.expires_at - margin

    def __repr__(self) -> str:  # never print the token itself
        return f"AccessToken(expires_at={self.expires_at:.0f})"


def lifetime_seconds(expires_in: float) -> float:
    """``expires_in`` in seconds, converting the milliseconds some IMS answers use."""
    value = float(expires_in)
    return value / 1000.0 if value > _MAX_PLAUSIBLE_SECONDS else value


CacheKey = tuple[str, str, str]


class TokenCache:
    """Thread-safe cache of access tokens keyed by (IMS endpoint, client id, org)."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[CacheKey, AccessToken] = {}
        # One lock per key, so one slow IMS call does not block other credentials.
        self._fetch_locks: dict[CacheKey, threading.Lock] = {}

    def get(self, settings: Settings, session: requests.Session) -> str:
        """A valid token for these settings, fetching a new one when missing or near expiry."""
        key = _key(settings)
        token = self._fresh(key)
        if token:
            return token.value
        with self._fetch_lock(key):
            token = self._fresh(key)  # another thread may have fetched it meanwhile
            if token is None:
                token = self._fetch(settings, session)
                with self._lock:
                    self._tokens[key] = token
            return token.value

    def invalidate(self, settings: Settings, rejected: str) -> None:
        """Forget ``rejected`` (the gateway answered 401), unless it was already replaced."""
        key = _key(settings)
        with self._lock:
            current = self._tokens.get(key)
            if current is not None and current.value == rejected:
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()

    def _fresh(self, key: CacheKey) -> AccessToken | None:
        with self._lock:
            token = self._tokens.get(key)
        return token if token is not None and token.is_fresh(self._clock()) else None

    def _fetch_lock(self, key: CacheKey) -> threading.Lock:
        with self._lock:
            return self._fetch_locks.setdefault(key, threading.Lock())

    def _fetch(self, settings: Settings, session: requests.Session) -> AccessToken:
        import requests

        started = self._clock()
        try:
            answer = session.post(
                settings.ims_endpoint + TOKEN_PATH,
                data={
                    "grant_type": "client_credentials",
                    "client_id": settings.client_id,
                    "client_secret": settings.client_secret.get_secret_value(),
                    "scope": settings.scopes,
                },
                timeout=(10, 60),
            )
        except requests.RequestException as exc:
            raise AEPApiError(
                status=0, method="POST", path=TOKEN_PATH, title="IMS unreachable",
                detail=f"{type(exc).__name__} while calling {settings.ims_endpoint}",
            ) from None
        body = _json_or_none(answer)
        if answer.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            error = AEPApiError.from_response(
                status=answer.status_code, method="POST", path=TOKEN_PATH, body=body, headers=answer.headers
            )
            if answer.status_code in (400, 401, 403):
                error.args = (
                    f"{error} - check aep:clientId / aep:clientSecret (AEP_CLIENT_ID / AEP_CLIENT_SECRET) "
                    f"for client {settings.client_id} at {settings.ims_endpoint}",
                )
            raise error
        lifetime = lifetime_seconds(body.get("expires_in", 0))
        return AccessToken(value=str(body["access_token"]), expires_at=started + lifetime, lifetime=lifetime)


def _key(settings: Settings) -> CacheKey:
    return (settings.ims_endpoint, settings.client_id, settings.org_id)


def _json_or_none(answer: requests.Response) -> object:
    try:
        return answer.json()
    except ValueError:
        return answer.text[:500] or None


# The process-wide cache used by the client.
TOKENS = TokenCache()
