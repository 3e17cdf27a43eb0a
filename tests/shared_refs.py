"""Where the read-only reference material lives (``<repo root>/../shared``), and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def require_shared(*parts: str) -> Path:
    """The path under ``shared/``; skips the calling test (or, called at import, the whole module) when
    it is not on this machine, as in a user's own clone."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"reference material not available: {path} (shared/ sits beside the repository)",
            allow_module_level=True,
        )
    return path
