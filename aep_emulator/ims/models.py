"""Issued access tokens, persisted with the other objects so a restart keeps callers signed in."""

from __future__ import annotations

import secrets
import time

from ..core.context import state

_SCOPE = ("__ims__", "__global__")
_KIND = "ims.tokens"


def _expiry_cache() -> dict[str, float]:
    # Every AEP call checks its token: keep expiries in memory so the hot path skips SQLite.
    return state().extras.setdefault("ims.expiry", {})


def issue_token() -> tuple[str, int]:
    """A new bearer token and its lifetime in seconds."""
    lifetime = state().config.token_lifetime_seconds
    token = "eyJ" + secrets.token_urlsafe(48)
    expires_at = time.time() + lifetime
    state().store.put(_SCOPE, _KIND, token, {"token": token, "expiresAt": expires_at})
    _expiry_cache()[token] = expires_at
    return token, lifetime


def token_is_valid(token: str) -> bool:
    cache = _expiry_cache()
    expires_at = cache.get(token)
    if expires_at is None:
        record = state().store.get(_SCOPE, _KIND, token)
        if not record:
            return False
        expires_at = cache[token] = record["expiresAt"]
    return expires_at > time.time()


def expire_all_tokens() -> int:
    """Test hook: every issued token becomes expired (the next AEP call gets 401013)."""
    store = state().store
    count = 0
    with store.transaction():
        for record in store.list(_SCOPE, _KIND):
            store.put(_SCOPE, _KIND, record["token"], {**record, "expiresAt": 0})
            count += 1
    _expiry_cache().clear()
    return count
