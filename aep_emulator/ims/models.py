"""Issued access tokens, persisted with the other objects so a restart keeps callers signed in."""

from __future__ import annotations

import secrets
import time

from ..core.context import state

_SCOPE = ("__ims__", "__global__")
_KIND = "ims.tokens"


def issue_token() -> tuple[str, int]:
    """A new bearer token and its lifetime in seconds."""
    lifetime = state().config.token_lifetime_seconds
    token = "eyJ" + secrets.token_urlsafe(48)
    state().store.put(_SCOPE, _KIND, token, {"token": token, "expiresAt": time.time() + lifetime})
    return token, lifetime


def token_is_valid(token: str) -> bool:
    record = state().store.get(_SCOPE, _KIND, token)
    return bool(record) and record["expiresAt"] > time.time()


def expire_all_tokens() -> int:
    """Test hook: every issued token becomes expired (the next AEP call gets 401013)."""
    store = state().store
    count = 0
    with store.transaction():
        for record in store.list(_SCOPE, _KIND):
            store.put(_SCOPE, _KIND, record["token"], {**record, "expiresAt": 0})
            count += 1
    return count
