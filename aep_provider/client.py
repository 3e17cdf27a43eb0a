"""The one HTTP client of the provider: AEP headers, IMS token, retries, AEP errors.

- One ``requests.Session`` per process (module level, created under a lock) with a urllib3
  ``Retry``: 429 (honouring ``Retry-After``) and 503 are retried for every method, because the
  platform answers them before doing anything; 502/504 and lost connections are retried only for
  idempotent methods (GET, PUT, DELETE, HEAD, OPTIONS); a 500 is retried for reads (GET, HEAD) only:
  help/landing/troubleshooting.md says a 500 can mean an API limit was hit, to be retried later,
  while a 500 on a write may have happened. Backoff is exponential, jittered and bounded.
- IMS token POSTs go through their own session that re-sends on a lost connection, 429, 502, 503
  and 504: a token request changes nothing a caller keeps (a second token is harmless), so one lost
  answer must not fail the whole preview.
- Non-idempotent writes are never blindly re-sent after an ambiguous failure (the request went out,
  the answer did not come back): ``create`` first asks ``find_existing()`` whether the object is
  already there, ``write`` first asks ``is_applied()`` whether the change already took effect.
- Every call carries Authorization, x-api-key, x-gw-ims-org-id and x-sandbox-name (per call, so
  resources can target different sandboxes); a 401 refreshes the token once.
- Failures raise ``AEPApiError`` with AEP's code, title, detail and request id; never a token or
  secret. Every call sends its own ``x-request-id`` (a new UUID; urllib3's re-sends of one call keep
  it), so an error names the platform's request id, or this one when the platform sent none (a lost
  connection, a gateway that answers without it). A call that cannot reach the endpoint says AEP is
  unreachable.

Note for writers of resources: Data Prep's ``PUT /mappingSets/{id}`` makes a new version, so a PUT
retried after a lost answer may leave one extra, identical version behind (harmless, documented).
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .errors import AEPApiError, AmbiguousWriteError
from .ims import TOKENS, TokenCache
from .settings import Settings

if TYPE_CHECKING:  # imported on first call (about 90 ms): a program that only declares resources never calls
    import requests
    from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

SCHEMA_REGISTRY = "/data/foundation/schemaregistry"
CATALOG = "/data/foundation/catalog"
FLOW_SERVICE = "/data/foundation/flowservice"
DATA_PREP = "/data/foundation/conversion"

JSON = "application/json"
REQUEST_ID_HEADER = "x-request-id"
JSON_PATCH = "application/json-patch+json"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Answered by the platform before the request is processed, so safe to re-send for any method.
RETRY_ANY_METHOD_STATUSES = frozenset({429, 503})
# Gateway answers after which a non-idempotent write may or may not have happened.
AMBIGUOUS_STATUSES = frozenset({502, 504})
RETRY_STATUSES = RETRY_ANY_METHOD_STATUSES | AMBIGUOUS_STATUSES
# help/landing/troubleshooting.md: a 500 can mean a limit was reached; only reads are safe to re-send.
READ_METHODS = frozenset({"GET", "HEAD"})
RETRY_READ_STATUSES = frozenset({500})
# The token POST (OAuth client credentials) is safe to re-send: its only effect is a new token.
IMS_RETRY_METHODS = frozenset({"POST"})
IMS_RETRY_STATUSES = frozenset({429, 502, 503, 504})

MAX_RETRIES = 5
BACKOFF_FACTOR = 0.5  # seconds: 0.5, 1, 2, 4, ... (+ jitter), capped below
BACKOFF_JITTER = 0.5
BACKOFF_MAX = 20.0
MAX_RETRY_AFTER = 60.0  # never sleep longer than this on one Retry-After
TIMEOUT = (10.0, 120.0)  # (connect, read) seconds
# Read-only look-ups of a preview: an endpoint that does not answer fails the preview within seconds
# (one connect retry, a short connect timeout), naming aep:endpoint; writes keep TIMEOUT and MAX_RETRIES.
LOOKUP_TIMEOUT = (2.0, 60.0)
LOOKUP_CONNECT_RETRIES = 1
WRITE_ATTEMPTS = 3  # sends of one create/write, counting the first

_NO_BODY: Any = object()


@functools.cache
def _retry_class() -> type[Retry]:
    """``AEPRetry``, defined on first use so that importing the package does not import urllib3."""
    from urllib3.util.retry import Retry

    class AEPRetry(Retry):
        """urllib3 ``Retry`` that also re-sends non-idempotent calls on 429/503 and caps Retry-After."""

        def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
            if status_code in RETRY_ANY_METHOD_STATUSES and self.total:
                return True
            if status_code in RETRY_READ_STATUSES:
                return bool(self.total) and method.upper() in READ_METHODS
            return super().is_retry(method, status_code, has_retry_after)

        def get_retry_after(self, response: Any) -> float | None:
            seconds = super().get_retry_after(response)
            return None if seconds is None else min(seconds, MAX_RETRY_AFTER)

    return AEPRetry


def __getattr__(name: str) -> Any:
    if name == "AEPRetry":
        return _retry_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def retry_policy(
    allowed_methods: frozenset[str] = IDEMPOTENT_METHODS, statuses: frozenset[int] = RETRY_STATUSES
) -> Retry:
    """The bounded, jittered policy of AEP calls; ``ims_retry_policy`` widens it for token POSTs."""
    return _retry_class()(
        total=MAX_RETRIES,
        connect=MAX_RETRIES,
        read=MAX_RETRIES,
        status=MAX_RETRIES,
        other=0,
        allowed_methods=allowed_methods,
        status_forcelist=statuses,
        backoff_factor=BACKOFF_FACTOR,
        backoff_jitter=BACKOFF_JITTER,
        backoff_max=BACKOFF_MAX,
        respect_retry_after_header=True,
        raise_on_status=False,  # hand the last answer back, so it becomes an AEPApiError
        raise_on_redirect=False,
    )


def lookup_retry_policy() -> Retry:
    """Look-ups: ``retry_policy`` with one connect retry, so an unreachable endpoint fails fast."""
    policy = retry_policy()
    return policy.new(connect=LOOKUP_CONNECT_RETRIES)


def lookup_ims_retry_policy() -> Retry:
    """The token POST of a look-up: ``ims_retry_policy`` with one connect retry."""
    return ims_retry_policy().new(connect=LOOKUP_CONNECT_RETRIES)


def ims_retry_policy() -> Retry:
    """Token POSTs: re-sent on a lost connection (connect or read) and on 429/502/503/504."""
    return retry_policy(IMS_RETRY_METHODS, IMS_RETRY_STATUSES)


_session_lock = threading.Lock()
_sessions: dict[str, requests.Session] = {}


def _session_with(name: str, policy: Callable[[], Retry]) -> requests.Session:
    import requests
    from requests.adapters import HTTPAdapter

    with _session_lock:
        if name not in _sessions:
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=policy(), pool_connections=4, pool_maxsize=16)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            _sessions[name] = session
        return _sessions[name]


def shared_session() -> requests.Session:
    """The process-wide session of AEP calls (connection pool and retry policy), created on first use."""
    return _session_with("aep", retry_policy)


def shared_ims_session() -> requests.Session:
    """The process-wide session of IMS token requests (``ims_retry_policy``)."""
    return _session_with("ims", ims_retry_policy)


def lookup_client(settings: Settings) -> AEPClient:
    """A client for the read-only look-ups of ``check``: fails fast on an unreachable endpoint, and answers
    a GET this process already made from ``READS`` (see ``ProcessReads``)."""
    return AEPClient(
        settings,
        session=_session_with("lookup", lookup_retry_policy),
        ims_session=_session_with("lookup-ims", lookup_ims_retry_policy),
        timeout=LOOKUP_TIMEOUT,
        shared_reads=True,
    )


ReadKey = tuple[str, str, str, str, str, str]


class ProcessReads:
    """The answers of this process's GETs, for the look-ups of ``check`` (one provider process per command).

    Every client records each successful GET; a write forgets the answers of its path and of the paths
    above it (``POST /flows`` forgets the listings of ``/flows``, ``PATCH /flows/{id}`` the flow and the
    listings), and a PUT, PATCH or DELETE also those of the paths under it (a POST only adds there). Only look-up clients answer from here:
    ``read`` (refresh), read-backs and waits always ask the platform. So a check made after this process
    created or read an object (a dataset's schema, a flow's connections, an object several resources
    check) costs no call, and what this process changed is read again. Objects changed by someone else
    during the same command are not seen, as with any look-up made a moment earlier.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[ReadKey, ApiResponse] = {}

    @staticmethod
    def key(client: AEPClient, path: str, sandbox: str, params: Mapping[str, Any] | None, accept: str | None) -> ReadKey:
        query = "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()))
        return (client.settings.endpoint, client.settings.org_id, sandbox, path.rstrip("/"), query, accept or JSON)

    def get(self, key: ReadKey) -> ApiResponse | None:
        with self._lock:
            return self._answers.get(key)

    def put(self, key: ReadKey, answer: ApiResponse) -> None:
        with self._lock:
            self._answers[key] = answer

    def forget(self, endpoint: str, org_id: str, path: str, below: bool = True) -> None:
        written = path.rstrip("/")
        with self._lock:
            for key in [
                k for k in self._answers if k[0] == endpoint and k[1] == org_id and _related(k[3], written, below)
            ]:
                del self._answers[key]

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


def _related(read: str, written: str, below: bool) -> bool:
    """Whether a write to ``written`` may change the answer of a GET of ``read``."""
    return read == written or written.startswith(read + "/") or (below and read.startswith(written + "/"))


READS = ProcessReads()


def quote_id(object_id: str) -> str:
    """An id as one path segment (Schema Registry ``$id``s are URLs)."""
    return quote(object_id, safe="")


def backoff_pause(attempt: int) -> float:
    """Seconds to wait before re-sending a write for the ``attempt``-th time (1-based), jittered."""
    return min(BACKOFF_MAX, BACKOFF_FACTOR * 2 ** (attempt - 1)) + random.uniform(0, BACKOFF_JITTER)


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


class AEPClient:
    """Calls AEP with the given settings; cheap to create, shares the process-wide session and tokens."""

    def __init__(
        self,
        settings: Settings,
        session: requests.Session | None = None,
        tokens: TokenCache = TOKENS,
        sleep: Callable[[float], None] = time.sleep,
        ims_session: requests.Session | None = None,
        timeout: tuple[float, float] = TIMEOUT,
        shared_reads: bool = False,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.shared_reads = shared_reads
        self._session = session
        self._ims_session = ims_session
        self._tokens = tokens
        self._sleep = sleep

    @property
    def session(self) -> requests.Session:
        return self._session or shared_session()

    @property
    def ims_session(self) -> requests.Session:
        return self._ims_session or shared_ims_session()

    def __repr__(self) -> str:
        return f"AEPClient(endpoint={self.settings.endpoint!r}, org_id={self.settings.org_id!r})"

    # --- plain calls ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        sandbox: str,
        body: Any = _NO_BODY,
        params: Mapping[str, Any] | None = None,
        accept: str | None = None,
        content_type: str = JSON,
        if_match: str | None = None,
    ) -> ApiResponse:
        """One call (with the session's retries). Raises ``AEPApiError`` on any HTTP error.

        Raises ``AmbiguousWriteError`` when a non-idempotent call may or may not have taken effect.
        """
        method = method.upper()
        if method == "GET":
            key = READS.key(self, path, sandbox, params, accept)
            known = READS.get(key) if self.shared_reads else None
            if known is not None:
                return known
            answer = self._request(method, path, sandbox, body, params, accept, content_type, if_match)
            READS.put(key, answer)
            return answer
        try:
            return self._request(method, path, sandbox, body, params, accept, content_type, if_match)
        finally:  # also after a failure: an ambiguous write may have happened
            READS.forget(self.settings.endpoint, self.settings.org_id, path, below=method != "POST")

    def _request(
        self, method: str, path: str, sandbox: str, body: Any, params: Mapping[str, Any] | None,
        accept: str | None, content_type: str, if_match: str | None,
    ) -> ApiResponse:  # fmt: skip
        for attempt in (1, 2):
            token = self._tokens.get(self.settings, self.ims_session)
            headers = self._headers(token, sandbox, accept, content_type if body is not _NO_BODY else None, if_match)
            answer = self._send(method, path, headers, body, params)
            if answer.status_code == 401 and attempt == 1:
                # Expired or revoked token: fetch a new one once, then let a second 401 surface.
                self._tokens.invalidate(self.settings, token)
                continue
            return self._result(method, path, answer, headers[REQUEST_ID_HEADER])
        raise AssertionError("unreachable")

    def get(
        self, path: str, *, sandbox: str, params: Mapping[str, Any] | None = None, accept: str | None = None
    ) -> Any | None:
        """The JSON body, or None when the object does not exist (404)."""
        try:
            return self.request("GET", path, sandbox=sandbox, params=params, accept=accept).body
        except AEPApiError as exc:
            if exc.not_found:
                return None
            raise

    def delete(self, path: str, *, sandbox: str, params: Mapping[str, Any] | None = None) -> bool:
        """True when deleted, False when it was already gone (404)."""
        try:
            self.request("DELETE", path, sandbox=sandbox, params=params)
        except AEPApiError as exc:
            if exc.not_found:
                return False
            raise
        return True

    # --- writes that must not be duplicated ----------------------------------------------

    def create(
        self,
        path: str,
        body: Any,
        find_existing: Callable[[], str | None],
        *,
        sandbox: str,
        id_of: Callable[[ApiResponse], str],
        params: Mapping[str, Any] | None = None,
    ) -> str:
        """POST a new object and return its id, without ever creating it twice.

        After an ambiguous failure (connection lost after sending, 502, 504) ``find_existing()``
        is asked first (e.g. list by name); its id is returned when the object is there, otherwise
        the POST is sent again, up to ``WRITE_ATTEMPTS`` times in all.
        """
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return id_of(self.request("POST", path, sandbox=sandbox, body=body, params=params))
            except AmbiguousWriteError as exc:
                log.warning("create %s: %s; looking for the object before re-sending", path, exc)
                existing = find_existing()
                if existing:
                    return existing
                if attempt == WRITE_ATTEMPTS:
                    raise
                self._sleep(backoff_pause(attempt))
        raise AssertionError("unreachable")

    def write(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        sandbox: str,
        is_applied: Callable[[], bool],
        if_match: str | None = None,
        content_type: str = JSON,
        params: Mapping[str, Any] | None = None,
    ) -> ApiResponse | None:
        """PATCH/PUT/POST a change; returns the answer, or None when a re-read showed it applied.

        After an ambiguous failure ``is_applied()`` re-reads the object: when the change is there the
        write is done; otherwise it is sent again. A 412 on a re-send means the first send committed
        (its etag moved on), so it is also settled by ``is_applied()``.
        """
        method = method.upper()
        resent = False
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return self.request(
                    method, path, sandbox=sandbox, body=body, params=params,
                    content_type=content_type, if_match=if_match,
                )
            except AmbiguousWriteError as exc:
                log.warning("%s %s: %s; re-reading before re-sending", method, path, exc)
                if is_applied():
                    return None
                if attempt == WRITE_ATTEMPTS:
                    raise
                resent = True
                self._sleep(backoff_pause(attempt))
            except AEPApiError as exc:
                if resent and exc.status == 412 and is_applied():
                    return None
                raise
        raise AssertionError("unreachable")

    # --- internals -----------------------------------------------------------------------

    def _headers(
        self, token: str, sandbox: str, accept: str | None, content_type: str | None, if_match: str | None
    ) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": self.settings.client_id,
            "x-gw-ims-org-id": self.settings.org_id,
            "x-sandbox-name": sandbox,
            "Accept": accept or JSON,
            REQUEST_ID_HEADER: str(uuid.uuid4()),
        }
        if content_type:
            headers["Content-Type"] = content_type
        if if_match:
            headers["If-Match"] = if_match
        return headers

    def _send(
        self, method: str, path: str, headers: dict[str, str], body: Any, params: Mapping[str, Any] | None
    ) -> requests.Response:
        import requests

        kwargs: dict[str, Any] = {"headers": headers, "params": params, "timeout": self.timeout}
        if body is not _NO_BODY:
            kwargs["json"] = body
        try:
            return self.session.request(method, self.settings.endpoint + path, **kwargs)
        except requests.RequestException as exc:
            raise self._transport_error(method, path, exc, headers[REQUEST_ID_HEADER]) from None

    def _transport_error(
        self, method: str, path: str, exc: requests.RequestException, request_id: str | None = None
    ) -> AEPApiError:
        # Only the exception's class goes into the message: its text may hold the full URL.
        kind = AmbiguousWriteError if method not in IDEMPOTENT_METHODS and _was_sent(exc) else AEPApiError
        return kind(
            status=0, method=method, path=path, title="Connection failed",
            detail=f"AEP is unreachable at {self.settings.endpoint} ({type(exc).__name__} after retries)",
            request_id=request_id,
        )

    def _result(self, method: str, path: str, answer: requests.Response, request_id: str) -> ApiResponse:
        body = _json_body(answer)
        if answer.status_code < 400:
            return ApiResponse(answer.status_code, body, answer.headers)
        ambiguous = method not in IDEMPOTENT_METHODS and answer.status_code in AMBIGUOUS_STATUSES
        kind = AmbiguousWriteError if ambiguous else AEPApiError
        raise kind.from_response(
            status=answer.status_code, method=method, path=path, body=body, headers=answer.headers,
            sent_request_id=request_id,
        )


def _json_body(answer: requests.Response) -> Any:
    if not answer.content:
        return None
    try:
        return answer.json()
    except ValueError:
        return answer.text[:1000]


def _was_sent(exc: requests.RequestException) -> bool:
    """False only when the connection was never made (the request cannot have been processed)."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    reason = exc.args[0].reason if exc.args and isinstance(exc.args[0], MaxRetryError) else None
    return not isinstance(reason, (NewConnectionError, ConnectTimeoutError))
