"""Errors of ``aep-provider export`` a user can act on."""

from __future__ import annotations

from ..errors import AEPProviderError

INSTALL_HINT = "pip install 'aep-provider[export]'"


class ExportError(AEPProviderError):
    """The export cannot go on; the message says why and what to do."""


def missing_extra(missing: ModuleNotFoundError) -> ExportError:
    """The formatter or the progress bar is not installed: they come with the ``[export]`` extra."""
    return ExportError(f"aep-provider export needs {missing.name}, which is not installed: {INSTALL_HINT}")
