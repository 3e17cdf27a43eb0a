"""Errors the provider raises: configuration problems and AEP API failures.

An ``AEPApiError`` carries what a person needs to act on a failed call (HTTP status, AEP's own error
code, title, detail, request id, method and path) and never a token, API secret or request header.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

# The AEP error code sits at the end of the ``type`` URI: ``.../errors/XDM-1010-404``.
_CODE_IN_TYPE = re.compile(r"/errors/([A-Za-z0-9_.-]+)$")
# The platform's numeric code, the part every envelope shares: ``FLOW-1418-400``, ``1418-400`` (the
# Flow Service error guide lists bare codes), ``XDM-1521-400``; the gateway's are bare numbers (``401013``).
_NUMERIC_CODE = re.compile(r"(?:^|[^0-9])([0-9]+(?:-[0-9]{3})?)$")
_CODE_KEYS = ("error_code", "errorCode", "code", "error")
_REQUEST_ID_HEADERS = ("x-request-id", "x-adobe-request-id")
_DETAIL_KEYS = ("detail", "message", "errorMessage", "error_description")


class AEPProviderError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigurationError(AEPProviderError):
    """Stack configuration or environment is missing or wrong; the message says how to fix it."""


class AdoptionMismatchError(AEPProviderError):
    """An object named by ``adopt_id`` differs from the declared inputs."""


class UnsupportedChangeError(AEPProviderError):
    """A change AEP cannot make to an existing object (for example, disabling Profile on a schema)."""


class AEPApiError(AEPProviderError):
    """A failed AEP (or IMS) call, described with AEP's own error code, title and detail."""

    def __init__(
        self,
        *,
        status: int,
        method: str,
        path: str,
        code: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.status = status
        self.method = method.upper()
        self.path = path
        self.code = code
        self.title = title
        self.detail = detail
        self.request_id = request_id
        self.body = body
        super().__init__(self._message())

    def _message(self) -> str:
        what = " ".join(part for part in (self.code, self.title) if part)
        text = f"AEP {self.method} {self.path} failed with HTTP {self.status}"
        if what:
            text += f" {what}"
        if self.detail and self.detail != self.title:
            text += f": {self.detail}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    @property
    def not_found(self) -> bool:
        return self.status == 404

    @property
    def numeric_code(self) -> str | None:
        """The platform's code without its service prefix (``1418-400`` for ``FLOW-1418-400``)."""
        return numeric_code(self.code)

    def has_code(self, codes: Iterable[str]) -> bool:
        """Whether this error carries one of ``codes``, compared by number whatever the envelope or prefix."""
        mine = self.numeric_code
        return mine is not None and any(numeric_code(code) == mine for code in codes)

    @classmethod
    def from_response(
        cls,
        *,
        status: int,
        method: str,
        path: str,
        body: Any,
        headers: Mapping[str, str],
        sent_request_id: str | None = None,
    ) -> "AEPApiError":
        """``sent_request_id``: the caller's own ``x-request-id``, named when the platform's answer has none."""
        fields = parse_error_body(body)
        request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if headers.get(h)), None)
        return cls(
            status=status,
            method=method,
            path=path,
            code=fields.get("code"),
            title=fields.get("title"),
            detail=fields.get("detail"),
            request_id=request_id or fields.get("request_id") or sent_request_id,
            body=body,
        )


class AmbiguousWriteError(AEPApiError):
    """A write whose outcome is unknown (connection lost or gateway error after it was sent)."""


def parse_error_body(body: Any) -> dict[str, str]:
    """AEP's error envelopes differ per service; pull out code, title, detail and request id.

    Handles the Schema Registry / Flow Service ``type``+``report`` shape, the gateway's flat
    ``error_code``/``message``, bodies with a plain ``code`` or ``errorCode`` (at the top or in
    ``report``), the ``error-chain`` of the platform-style envelope, the legacy ``errorMessage`` form
    and IMS's OAuth ``error``/``error_description``.
    """
    if isinstance(body, list) and body and isinstance(body[0], Mapping):
        body = body[0]  # some services answer a list of errors; the first says enough
    if not isinstance(body, Mapping):
        return {"detail": str(body)[:500]} if body else {}
    report = body.get("report") if isinstance(body.get("report"), Mapping) else {}
    fields: dict[str, str] = {}
    code = _code_from_type(body.get("type")) or _first_code(body) or _first_code(report) or _chain_code(body)
    if code is not None:
        fields["code"] = str(code)
    if body.get("title"):
        fields["title"] = str(body["title"])
    detail = next((body[k] for k in _DETAIL_KEYS if body.get(k)), None) or report.get("detailed-message")
    if detail:
        fields["detail"] = str(detail)
    request_id = report.get("request-id") or report.get("registryRequestId") or body.get("requestId")
    if request_id:
        fields["request_id"] = str(request_id)
    return fields


def numeric_code(code: str | None) -> str | None:
    """``1418-400`` for ``FLOW-1418-400``, ``1418-400`` or ``http://.../errors/FLOW-1418-400``; None without digits."""
    match = _NUMERIC_CODE.search(code.strip()) if isinstance(code, str) else None
    return match.group(1) if match else None


def _first_code(fields: Mapping[str, Any]) -> str | None:
    value = next((fields[key] for key in _CODE_KEYS if fields.get(key) not in (None, "")), None)
    return None if value is None or isinstance(value, (Mapping, list)) else str(value)


def _chain_code(body: Mapping[str, Any]) -> str | None:
    """The platform-style ``error-chain`` (help/observability/api/metrics.md): the first link's code."""
    chain = body.get("error-chain")
    first = chain[0] if isinstance(chain, list) and chain and isinstance(chain[0], Mapping) else {}
    return _first_code(first)


def _code_from_type(type_uri: Any) -> str | None:
    if not isinstance(type_uri, str):
        return None
    match = _CODE_IN_TYPE.search(type_uri)
    return match.group(1) if match else None


# --- errors as the engine shows them ---------------------------------------------------------------------

# The methods of pulumi's dynamic provider server (pulumi/dynamic/__main__.py) that call a provider.
_SERVICER_METHODS = frozenset({"Check", "Diff", "Create", "Read", "Update", "Delete"})


def report_plainly(exc: BaseException) -> None:
    """Make ``exc``'s own text the error the engine shows, without grpc's "Exception calling application: ".

    pulumi's dynamic provider server lets a provider's exception reach grpc, whose server prefixes its text
    unless the servicer context already holds details (grpc/_server.py, ``_abort`` keeps ``state.details``).
    The server never passes that context to the provider, so it is found in the calling frames; outside
    the server (tests, scripts) there is none and nothing happens. The exception is still raised after.
    """
    frame = sys._getframe(1)
    while frame is not None:
        context = frame.f_locals.get("context")
        if frame.f_code.co_name in _SERVICER_METHODS and callable(getattr(context, "set_details", None)):
            context.set_details(str(exc))
            return
        frame = frame.f_back  # type: ignore[assignment]


def plainly_reported(method: Callable[..., T]) -> Callable[..., T]:
    """Decorate a ``ResourceProvider`` method so an exception it raises reaches the engine as its own text."""

    @functools.wraps(method)
    def wrapped(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            report_plainly(exc)
            raise

    return wrapped
