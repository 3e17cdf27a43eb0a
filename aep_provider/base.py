"""Shared machinery of every AEP resource, so each resource module holds only what differs.

How to write a resource (see ``dataset.py`` for a complete one):

1. **Args model** - subclass ``AEPArgs``; one field per user input, snake_case, each with a
   docstring (shown by IDEs and used in error messages). Put normalisation in the field's *type*
   (``Annotated[str, AfterValidator(...)]``), not in ``@field_validator``: ``diff`` normalises one
   field at a time (other fields may be unknown during preview) and only types travel with a field.
   Cross-field rules go in ``validate``.
2. **Provider** - subclass ``AEPProvider`` and set:
   - ``args_model``; ``replace_on`` (inputs AEP cannot change in place; ``sandbox`` always is);
   - ``secret_inputs`` (never read back, stored as secrets); ``server_outputs`` (computed outputs);
   - ``in_use_codes`` (AEP error codes meaning "still referenced", waited out by ``delete``; only
     codes the platform documents, each with its doc page, compared by number: ``"1418-400"``).
   Implement ``create_object`` (returns the new id), ``read_object`` (None when gone),
   ``outputs_from_server`` (server outputs), ``inputs_from_server`` (the server object expressed as
   inputs, for drift and adoption), ``update_object`` and ``delete_object``. Optionally ``validate``
   (semantic checks of known inputs) and ``validate_change`` (rules between old and new inputs).
   Never write to AEP from ``check``/``validate``/``diff``. Read-only metadata lookups (a connection
   spec's JSON Schemas, a flow spec, a schema's fields) are allowed in ``validate`` through
   ``self.lookup(...)`` and ``cached_get``: skipped when no credentials are configured (offline
   previews still work), a failed lookup is a ``CheckFailure`` naming the field.
3. **Resource** - subclass ``AEPResource``, set ``provider_class`` and declare the outputs as
   ``pulumi.Output`` annotations (``sandbox``, which every resource has, is declared by the base). The
   type token becomes ``pulumi-python:dynamic/aep:<ClassName>``: never rename the class (it changes
   every URN).

What the base guarantees (DESIGN.md, dynamic-provider rules):
- providers pickle as a tiny by-reference stub (no settings, client or secret in ``__provider``);
- settings come from ``configure`` (stack config ``aep:*``) with ``AEP_*`` environment fallback;
- ``check`` validates every known input, skipping ``UNKNOWN`` values at any depth;
- ``diff`` compares normalised user inputs only (olds are the previous outputs), unknowns count as
  changes, and ``replaces`` lists exactly the inputs AEP cannot change in place;
- outputs echo every input (secrets keep their input name, so they stay secret) plus server outputs;
- ``adopt_id`` adopts an existing object after verifying it matches the inputs;
- a create never duplicates nor orphans: before it, ``find_marked`` looks for an object carrying this
  resource's marker (``marker.py``: left by an interrupted create of this same resource) and adopts it,
  finishing it in place when it differs only in what can change in place; after the POST the id is kept
  even when the read-back fails (the outputs are then completed by the next refresh);
- ``read`` returns ``ReadResult(None, {})`` for a 404 and the server's view of the inputs otherwise;
- ``delete`` treats 404 as done and waits out "in use" answers within ``delete_timeout_seconds``.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import pulumi
import pulumi.dynamic
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN
from pydantic import AfterValidator, BaseModel, ConfigDict, TypeAdapter, ValidationError

from .client import READS, AEPClient, backoff_pause, lookup_client
from .errors import AdoptionMismatchError, AEPApiError, AEPProviderError, ConfigurationError, plainly_reported
from .marker import resource_marker
from .preflight import clear_sandbox_verdicts, lookup_failure_text, sandbox_problem
from .settings import ConfigLookup, Settings, configured_sandbox, settings_problems, validate_sandbox_name

# Inputs every resource has; they are not part of a resource's own state on AEP.
COMMON_INPUTS = ("sandbox", "adopt_id", "resource_marker")

log = logging.getLogger(__name__)

SandboxName = Annotated[str, AfterValidator(validate_sandbox_name)]


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings written under a class's annotated attributes (``name: type`` then a string), by name."""
    return _module_docstrings(cls.__module__).get(cls.__qualname__, {})


@functools.cache
def _module_docstrings(module_name: str) -> dict[str, dict[str, str]]:
    """Attribute docstrings of every class of a module, by qualified name: its source is parsed once."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    except (KeyError, OSError, TypeError, SyntaxError):
        return {}
    found: dict[str, dict[str, str]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                qualname = prefix + node.name
                found[qualname] = _docstrings_in(node.body)
                visit(node.body, qualname + ".")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(node.body, f"{prefix}{node.name}.<locals>.")

    visit(tree.body, "")
    return found


def _docstrings_in(body: list[ast.stmt]) -> dict[str, str]:
    found = {}
    for node, after in zip(body, body[1:]):
        if (
            isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):  # fmt: skip
            found[node.target.id] = inspect.cleandoc(after.value.value)
    return found


def fields_of(model: type[BaseModel]) -> dict[str, Any]:
    """A model's fields without filling their descriptions (``model_fields`` does that on first access)."""
    return model.__pydantic_fields__


class _DescribedOnUse(type(BaseModel)):  # type: ignore[misc]
    """Fills each field's description from its attribute docstring on the first ``model_fields`` access.

    Pydantic's ``use_attribute_docstrings`` does it when the class is made, reading and parsing every
    module's source at import (about 75 ms of ``import aep_provider``, paid by the program and by the
    provider process); error messages and docs read descriptions only through ``model_fields``, and the
    base's own work (inputs, check, diff) through ``fields_of``, so a deployment never parses a module."""

    @property
    def model_fields(cls) -> dict[str, Any]:
        fields: dict[str, Any] = getattr(cls, "__pydantic_fields__", {})
        if not cls.__dict__.get("_described"):
            for klass in reversed(cls.__mro__):
                if isinstance(klass, _DescribedOnUse):
                    for name, text in attribute_docstrings(klass).items():
                        if name in fields and fields[name].description is None:
                            fields[name].description = text
            type.__setattr__(cls, "_described", True)
        return fields


class DescribedModel(BaseModel, metaclass=_DescribedOnUse):
    """A model whose attribute docstrings become field descriptions on first use, with validators built on
    first use too (``defer_build``): importing the package builds nothing that only some calls need."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class AEPArgs(DescribedModel):
    """Inputs shared by every AEP resource. Subclasses add the object's own inputs."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    sandbox: SandboxName | None = None
    """Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's ``aep:sandbox``. Changing it replaces the object."""

    adopt_id: str | None = None
    """Id of an existing AEP object to manage instead of creating a new one (``pulumi import`` does not
    work for dynamic resources). The object must match the other inputs; create fails naming what differs."""

    resource_marker: str | None = None
    """Set by the resource class, not by hand: this resource's stable id in its stack (``marker.py``), stored
    on the AEP object so an interrupted create is found and adopted. Never diffed: state written without
    it previews clean."""


ArgsT = TypeVar("ArgsT", bound=AEPArgs)
T = TypeVar("T")


def contains_unknown(value: Any) -> bool:
    """True when ``value`` is, or holds at any depth, a value Pulumi does not know yet (preview)."""
    if isinstance(value, Unknown):
        return True  # what the provider process really receives: rpc deserializes unknowns to Unknown()
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def user_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """Props without the engine's reserved keys (``__provider``)."""
    return {k: v for k, v in props.items() if not k.startswith("__")}


def _unconfigured(_key: str) -> str | None:
    return None


# --- read-only metadata lookups (check may read AEP's metadata, never write) ----------------------

_metadata_lock = threading.Lock()
_metadata: dict[tuple[str, ...], Any] = {}


def cached_get(
    client: AEPClient,
    path: str,
    *,
    sandbox: str,
    accept: str | None = None,
    params: Mapping[str, str] | None = None,
    cache: bool = True,
) -> Any | None:
    """GET a metadata document (a connection spec, a flow spec, a schema); None when AEP answers 404.

    With ``cache`` the answer is kept for the life of the process (specs never change while a
    deployment runs); pass ``cache=False`` for objects a deployment may change (schemas). A 404 is
    never cached. Treat the answer as read-only: it is shared.
    """
    key = (
        client.settings.endpoint, client.settings.org_id, sandbox, path, accept or "",
        "&".join(f"{k}={v}" for k, v in sorted((params or {}).items())),
    )  # fmt: skip
    if cache:
        with _metadata_lock:
            if key in _metadata:
                return _metadata[key]
    body = client.get(path, sandbox=sandbox, accept=accept, params=params)
    if cache and body is not None:
        with _metadata_lock:
            _metadata[key] = body
    return body


def peek_cached(client: AEPClient, path: str, *, sandbox: str) -> Any | None:
    """What ``cached_get`` keeps for ``path`` (no parameters, default Accept), without asking AEP; else None."""
    key = (client.settings.endpoint, client.settings.org_id, sandbox, path, "", "")
    with _metadata_lock:
        return _metadata.get(key)


def clear_metadata_cache() -> None:
    """Forget every look-up answer of this process (tests: the platform was emptied in between)."""
    with _metadata_lock:
        _metadata.clear()
    clear_sandbox_verdicts()
    forget_platform_objects()


def forget_platform_objects() -> None:
    """Forget the objects this process read and the marker listings (tests: the platform was emptied);
    spec and sandbox look-ups stay, as the platform's catalogues do."""
    with _metadata_lock:
        _marker_indexes.clear()
    READS.clear()


# --- check: look-ups skipped for inputs the last deployment checked ----------------------------------

_check_state = threading.local()  # the provider process serves several calls at once, on one provider


@contextlib.contextmanager
def _lookups_skipped(skip: bool) -> Iterator[None]:
    _check_state.skip_lookups = skip
    try:
        yield
    finally:
        _check_state.skip_lookups = False


# --- marker look-ups: one listing per collection and process ----------------------------------------

MarkerIndex = dict[str, list[str]]  # marker -> ids of the objects carrying it
_marker_indexes: dict[tuple[str, ...], MarkerIndex] = {}
_marker_listing_locks: dict[tuple[str, ...], threading.Lock] = {}


def _marker_key(client: AEPClient, sandbox: str, collection: str) -> tuple[str, ...]:
    return (client.settings.endpoint, client.settings.org_id, sandbox, collection)


def marked_ids(client: AEPClient, sandbox: str, collection: str, marker: str, list_marked: Callable[[], MarkerIndex]) -> list[str]:
    """Ids of the objects of ``collection`` carrying ``marker``, from one listing per process (``list_marked``).

    Objects left by an interrupted create were made by an earlier command, so they are in a listing made
    at the first create of this one; what this process creates afterwards is added by ``note_marked``.
    Concurrent creates wait for the one listing."""
    key = _marker_key(client, sandbox, collection)
    with _metadata_lock:
        listing_lock = _marker_listing_locks.setdefault(key, threading.Lock())
    with listing_lock:
        with _metadata_lock:
            index = _marker_indexes.get(key)
        if index is None:
            index = list_marked()
            with _metadata_lock:
                _marker_indexes[key] = index
    with _metadata_lock:
        return list(index.get(marker, ()))


def note_marked(client: AEPClient, sandbox: str, collection: str, marker: str, object_id: str) -> None:
    """Add an object this process just created to its collection's index (when one was listed)."""
    with _metadata_lock:
        index = _marker_indexes.get(_marker_key(client, sandbox, collection))
        if index is not None:
            index.setdefault(marker, []).append(object_id)


class AEPProvider(ResourceProvider, Generic[ArgsT]):
    """Base of every AEP resource provider. See the module docstring for what a subclass provides."""

    args_model: ClassVar[type[AEPArgs]]
    replace_on: ClassVar[frozenset[str]] = frozenset()
    secret_inputs: ClassVar[frozenset[str]] = frozenset()
    server_outputs: ClassVar[tuple[str, ...]] = ()
    # The server output that always equals the resource id (e.g. ``dataset_id``); see AEPResource.
    id_output: ClassVar[str | None] = None
    # Inputs that only steer ``check`` (e.g. a schema's version, unknown while that schema changes in the
    # same deployment): never diffed, never sent to AEP, never read back.
    check_only_inputs: ClassVar[frozenset[str]] = frozenset()
    in_use_codes: ClassVar[frozenset[str]] = frozenset()
    # Codes of a create refused because an object like it exists already (a title unique per sandbox): the
    # marker look-up (``find_marked``) then runs only after such a refusal instead of before every create.
    exists_codes: ClassVar[frozenset[str]] = frozenset()
    # Where ``find_marked`` looks, listed once per process by ``list_marked`` (None: ``find_marked`` decides).
    marker_collection: ClassVar[str | None] = None
    # ``check`` first makes sure the sandbox exists (preflight.py); a Sandbox, which makes one, does not.
    checks_sandbox: ClassVar[bool] = True
    delete_before_replace: ClassVar[bool | None] = None
    delete_timeout_seconds: ClassVar[float] = 60.0
    read_after_write_seconds: ClassVar[float] = 10.0

    # Safe because __getstate__ pickles nothing: no credential can reach the state file.
    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._reset()

    def _reset(self) -> None:
        self._lookup: ConfigLookup = _unconfigured
        self._settings: Settings | None = None
        self._client: AEPClient | None = None
        self._lock = threading.Lock()

    # --- pickling: a by-reference stub ------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        # Not empty: pickle skips __setstate__ for a falsy state, and we need _reset() to run.
        return {"stub": 1}

    def __setstate__(self, _state: dict[str, Any]) -> None:
        self._reset()

    # --- configuration ---------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        """Remember how to read stack config; settings are built on first use so a preview
        without credentials still works (check and diff never call AEP)."""
        with self._lock:
            self._lookup = req.config.get
            self._settings = None
            self._client = None

    @property
    def settings(self) -> Settings:
        with self._lock:
            if self._settings is None:
                self._settings = Settings.from_config(self._lookup)
            return self._settings

    @property
    def client(self) -> AEPClient:
        settings = self.settings
        with self._lock:
            if self._client is None:
                self._client = AEPClient(settings)
            return self._client

    @property
    def reader(self) -> AEPClient:
        """A client for the checks ``create``/``update`` make before writing (a referenced schema, a flow's
        connections): a GET this process already made is answered from ``client.READS``, which forgets
        whatever this process writes, so an object changed earlier in the same deployment is read again."""
        return AEPClient(self.settings, shared_reads=True)

    @property
    def default_sandbox(self) -> str:
        return configured_sandbox(self._lookup)

    def sandbox_of(self, args: AEPArgs) -> str:
        return args.sandbox or self.default_sandbox

    # --- hooks for subclasses ----------------------------------------------------------------

    def validate(self, args: ArgsT, known: frozenset[str]) -> Iterable[CheckFailure]:
        """Semantic and cross-field rules on the inputs named in ``known`` (the others are unknown)."""
        return ()

    def validate_change(self, old: ArgsT, new: ArgsT, known: frozenset[str]) -> Iterable[CheckFailure]:
        """Rules between the previous inputs and the new ones (e.g. additive-only evolution)."""
        return ()

    def create_object(self, args: ArgsT, sandbox: str) -> str | tuple[str, dict[str, Any]]:
        """POST the object; its id, or (id, the whole object) when the answer holds it (no read-back then)."""
        raise NotImplementedError

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def find_marked(self, args: ArgsT, sandbox: str) -> str | None:
        """The id of an object carrying ``args.resource_marker`` (made by an interrupted create of this
        resource), or None. Types that set ``marker_collection`` answer from one ``list_marked`` listing per
        process (``marked_ids``); others override this (one server-side filtered call), or keep no marker."""
        if self.marker_collection is None or not args.resource_marker:
            return None
        found = marked_ids(
            self.client, sandbox, self.marker_collection, args.resource_marker, lambda: self.list_marked(sandbox)
        )
        return found[0] if found else None

    def list_marked(self, sandbox: str) -> MarkerIndex:
        """Every marked object of ``marker_collection`` in the sandbox, as marker -> ids (see ``find_marked``)."""
        raise NotImplementedError

    def id_from_server(self, obj: dict[str, Any], requested_id: str) -> str:
        """The id to keep in state for an object read by ``requested_id`` (adoption may use an alias)."""
        return requested_id

    def outputs_from_server(self, obj: dict[str, Any], args: ArgsT) -> dict[str, Any]:
        """The server-computed outputs (ids, version, ...) of an object managed with ``args``."""
        raise NotImplementedError

    def inputs_from_server(self, obj: dict[str, Any], current: ArgsT) -> dict[str, Any]:
        """The server object expressed as inputs (same names and shapes as ``args_model``).

        ``current`` holds the inputs in state: keep its value for anything the server does not
        report, or reports with a server default the user never set.
        """
        raise NotImplementedError

    def update_object(
        self, object_id: str, old: ArgsT, new: ArgsT, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        raise NotImplementedError

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        """Delete the object; raising an ``AEPApiError`` 404 (or returning) when it is gone is fine."""
        raise NotImplementedError

    def differences(self, args: ArgsT, obj: dict[str, Any]) -> list[str]:
        """What differs between declared inputs and a server object, as readable lines."""
        found = self._readable_inputs(obj, args)
        lines = []
        for name, server_value in found.items():
            declared = getattr(args, name)
            if self._normal(name, declared) != self._normal(name, server_value):
                lines.append(f"{name}: declared {declared!r}, found {server_value!r}")
        return lines

    def replaced_inputs(self, changed: list[str], olds: Mapping[str, Any]) -> list[str]:
        """Of the ``changed`` inputs, those whose change replaces the object (``olds``: previous outputs)."""
        return [name for name in changed if name in self.replace_on or name in COMMON_INPUTS]

    def is_in_use(self, error: AEPApiError) -> bool:
        """Whether a delete failed only because something still references the object.

        Codes compare by number whatever the envelope (``FLOW-1418-400`` in a ``type`` URI, a bare
        ``"code": "1418-400"``, an ``errorCode``...): see ``AEPApiError.has_code``."""
        return error.status == 409 or error.has_code(self.in_use_codes)

    # --- ResourceProvider --------------------------------------------------------------------

    @plainly_reported
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        problems = settings_problems(self._lookup)
        if problems:  # the stack settings come first: nothing else can be judged without them
            return CheckResult(news, [CheckFailure("", problem) for problem in problems])
        inputs = user_inputs(news)
        fields = fields_of(self.args_model)
        failures = [
            CheckFailure(name, f"unknown input; valid inputs are: {', '.join(sorted(fields))}")
            for name in inputs
            if name not in fields
        ]
        known, unknown, field_failures = self._validate_fields(inputs)
        failures += field_failures
        if not failures and not unknown:
            failures += self._model_failures(inputs)  # model-level validators, if any
        if failures:
            return CheckResult(news, self._secret_safe(failures, news))
        args = self.args_model.model_construct(**known)
        platform = self._platform_failure(args, frozenset(known))
        if platform is not None:  # unreachable endpoint, refused org, unknown sandbox: say that alone
            return CheckResult(news, [platform])
        with _lookups_skipped(self._unchanged(olds, news)):
            failures += self.validate(args, frozenset(known))  # type: ignore[arg-type]
        old_inputs = user_inputs(olds)
        if old_inputs:
            old_known, _, _ = self._validate_fields(old_inputs)
            old_args = self.args_model.model_construct(**old_known)
            both = frozenset(known) & frozenset(old_known)
            failures += self.validate_change(old_args, args, both)  # type: ignore[arg-type]
        return CheckResult(self.with_defaults(news), self._secret_safe(failures, news))

    @plainly_reported
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        new_inputs = user_inputs(news)
        changed = [
            name
            for name in self._owned_inputs()
            if contains_unknown(new_inputs.get(name))
            or self._normal(name, olds.get(name)) != self._normal(name, new_inputs.get(name))
        ]
        new_sandbox = new_inputs.get("sandbox")
        if contains_unknown(new_sandbox) or (new_sandbox or self.default_sandbox) != (
            olds.get("sandbox") or self.default_sandbox
        ):
            changed.append("sandbox")
        new_adopt = new_inputs.get("adopt_id")
        if contains_unknown(new_adopt) or (new_adopt and new_adopt not in (id_, olds.get("adopt_id"))):
            changed.append("adopt_id")  # adopting a different object means a different resource
        replaces = self.replaced_inputs(changed, olds)
        return DiffResult(
            changes=bool(changed), replaces=replaces, delete_before_replace=self.delete_before_replace
        )

    @plainly_reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self._parse(props)
        sandbox = self.sandbox_of(args)
        if args.adopt_id:
            object_id, obj = self._adopt(args, sandbox)
            return CreateResult(object_id, self._outputs(args, sandbox, obj))
        object_id, obj = self._create_or_adopt(args, sandbox, props)
        outputs = self._outputs(args, sandbox, obj)
        if self.id_output and not outputs.get(self.id_output):
            outputs[self.id_output] = object_id  # read-back failed: the id is kept, refresh completes the rest
        return CreateResult(object_id, outputs)

    def _create_or_adopt(self, args: ArgsT, sandbox: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The marked object of an interrupted create, adopted, or a new one. With ``exists_codes`` the
        marker is looked for only when the platform refuses the create for one of them (an interrupted
        create left an object of that title): one call fewer on every create that goes through."""
        adopted = None if self.exists_codes else self._adopt_marked(args, sandbox, props)
        if adopted is not None:
            return adopted
        try:
            made = self.create_object(args, sandbox)
        except AEPApiError as exc:
            adopted = self._adopt_marked(args, sandbox, props) if exc.has_code(self.exists_codes) else None
            if adopted is None:
                raise
            return adopted
        object_id, answer = made if isinstance(made, tuple) else (made, None)
        if self.marker_collection is not None and args.resource_marker:
            note_marked(self.client, sandbox, self.marker_collection, args.resource_marker, object_id)
        return object_id, answer if answer is not None else self._read_back(object_id, sandbox)

    def _adopt_marked(self, args: ArgsT, sandbox: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The object an interrupted create of this resource made, adopted (and finished in place when it
        differs in what can change in place); None when there is none, or when it differs in what would
        replace it (then it is another generation of this resource, e.g. the original of a replacement)."""
        if not args.resource_marker:
            return None
        found_id = self.find_marked(args, sandbox)
        obj = self.read_object(found_id, sandbox) if found_id else None
        if found_id is None or obj is None:
            return None
        found = args.model_copy(update=self._readable_inputs(obj, args))
        outputs = self._outputs(found, sandbox, obj)  # type: ignore[arg-type]
        verdict = self.diff(found_id, outputs, dict(props))
        if verdict.replaces:
            log.warning("%s carries this resource's marker but differs in %s: left alone", found_id, verdict.replaces)
            return None
        if verdict.changes:
            self.update_object(found_id, found, args, sandbox, outputs)  # type: ignore[arg-type]
            obj = self.read_existing(found_id, sandbox)
        return self.id_from_server(obj, found_id), obj

    def _read_back(self, object_id: str, sandbox: str) -> dict[str, Any]:
        """The object just created; ``{}`` when it cannot be read now: the POST succeeded, so the id is kept
        (a failed create here would leave the object untracked) and the next read completes the outputs."""
        try:
            return self.read_existing(object_id, sandbox)
        except AEPProviderError as exc:
            log.warning("created %s but could not read it back (%s); a refresh completes its outputs", object_id, exc)
            return {}

    @plainly_reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        known, _, _ = self._validate_fields(user_inputs(props))
        current = self.args_model.model_construct(**known)
        sandbox = props.get("sandbox") or self.default_sandbox
        obj = self.read_object(id_, sandbox)
        if obj is None:
            return ReadResult(None, {})  # gone: refresh drops it from state
        current = current.model_copy(update=self._readable_inputs(obj, current))  # type: ignore[arg-type]
        outputs = self._outputs(current, sandbox, obj)  # type: ignore[arg-type]
        return ReadResult(id_, outputs, inputs=self.with_defaults(self._declared_inputs(outputs)))

    @plainly_reported
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        known, _, _ = self._validate_fields(user_inputs(olds))
        old = self.args_model.model_construct(**known)
        new = self._parse(news)
        sandbox = olds.get("sandbox") or self.sandbox_of(new)
        self.update_object(id_, old, new, sandbox, olds)  # type: ignore[arg-type]
        obj = self.read_existing(id_, sandbox)
        return UpdateResult(self._outputs(new, sandbox, obj))

    @plainly_reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        sandbox = props.get("sandbox") or self.default_sandbox
        deadline = time.monotonic() + self.delete_timeout_seconds
        attempt = 0
        while True:
            try:
                self.delete_object(id_, sandbox, props)
                return
            except AEPApiError as exc:
                if exc.not_found:
                    return  # already gone: deletes are idempotent
                attempt += 1
                pause = backoff_pause(attempt)
                if not self.is_in_use(exc):
                    raise
                if time.monotonic() + pause > deadline:
                    exc.args = (
                        f"{exc}\nStill in use after waiting {self.delete_timeout_seconds:.0f}s: delete or "
                        "detach what uses it (or retain this resource too), then run the command again.",
                    )
                    raise
                time.sleep(pause)

    # --- helpers for subclasses -------------------------------------------------------------

    def lookup(self, field: str, fetch: Callable[[AEPClient], T | None], missing: str) -> T | CheckFailure | None:
        """A read-only lookup for ``validate``: the value, a ``CheckFailure`` on ``field``, or None.

        ``fetch`` gets the client and returns None when AEP does not know the object; the failure then
        says ``missing`` (write what is wrong and the fix). A lookup AEP cannot answer is a failure
        too. Without credentials (an offline preview) nothing is asked and None comes back: the
        server-side rules are then checked by AEP itself at create/update.
        """
        if getattr(_check_state, "skip_lookups", False):
            return None  # the inputs are those the last deployment checked and wrote (see ``_unchanged``)
        try:
            client = lookup_client(self.settings)
        except ConfigurationError:
            return None
        try:
            found = fetch(client)
        except AEPApiError as exc:
            # A transport, gateway or server failure is about the platform or the settings, not the input.
            explained = lookup_failure_text(exc, client.settings)
            if explained is None:
                return CheckFailure(field, f"cannot be checked against AEP: {exc}")
            return CheckFailure(field if exc.status >= 500 else "", explained)  # settings: named by their key
        except AEPProviderError as exc:  # e.g. a look-up by name that matched nothing: its text says why
            return CheckFailure(field, str(exc))
        return CheckFailure(field, missing) if found is None else found

    def _unchanged(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        """Whether every input is as the last deployment wrote it (``olds``: the inputs in state).

        Such inputs were checked then, look-ups included; a converged preview asks the platform nothing
        about them again (1 call per process for the sandbox at most). What changed on the platform since
        is what ``refresh`` reads. Local rules still run."""
        old_inputs, new_inputs = user_inputs(olds), user_inputs(news)
        if not old_inputs or contains_unknown(new_inputs):
            return False
        return all(
            self._normal(name, old_inputs.get(name)) == self._normal(name, new_inputs.get(name))
            for name in fields_of(self.args_model)
            if name != "resource_marker"
        )

    def _platform_failure(self, args: AEPArgs, known: frozenset[str]) -> CheckFailure | None:
        """The sandbox (and with it the endpoint and the org) judged once per run; None when fine or offline."""
        if not self.checks_sandbox or "sandbox" not in known:
            return None
        try:
            client = lookup_client(self.settings)
        except ConfigurationError:
            return None  # no credentials: an offline preview
        where = "sandbox" if args.sandbox else "aep:sandbox"
        problem = sandbox_problem(client, self.sandbox_of(args), where)
        if problem is None:
            return None
        return CheckFailure("sandbox", problem.removeprefix("sandbox: ")) if where == "sandbox" else CheckFailure("", problem)

    def _secret_safe(self, failures: Iterable[CheckFailure], news: Mapping[str, Any] | None = None) -> list[CheckFailure]:
        """Failures on secret inputs, and on inputs holding a map (or a list of maps), moved off the property: the engine
        prints a failing property's *value* next to the reason, secret or not, and a structured one in Go's
        notation ("property fields value {map[crmId:{map[type:{strng}]}]} has a problem"). The reason then
        starts with the input's name, joined to the sub-path it names (``fields.crmId.type: ...``)."""
        values = news or {}
        return [
            CheckFailure("", f"{f.property}: {f.reason}")
            if f.property in self.secret_inputs
            else CheckFailure("", _named(f.property, f.reason))
            if _structured(values.get(f.property))
            else f
            for f in failures
        ]

    def known_sandbox(self, args: AEPArgs, known: frozenset[str]) -> str | None:
        """The sandbox of ``args`` in ``validate``, or None while it is unknown (preview)."""
        return self.sandbox_of(args) if "sandbox" in known else None

    def read_existing(self, object_id: str, sandbox: str) -> dict[str, Any]:
        """Read an object just written; tolerate a short read-after-write delay, then fail."""
        deadline = time.monotonic() + self.read_after_write_seconds
        attempt = 0
        while True:
            obj = self.read_object(object_id, sandbox)
            if obj is not None:
                return obj
            attempt += 1
            if time.monotonic() > deadline:
                raise AEPProviderError(f"{object_id} was written but cannot be read back in sandbox {sandbox!r}")
            time.sleep(min(backoff_pause(attempt), 2.0))

    # --- internals ---------------------------------------------------------------------------

    def _owned_inputs(self) -> list[str]:
        skipped = set(COMMON_INPUTS) | self.check_only_inputs
        return [name for name in fields_of(self.args_model) if name not in skipped]

    def _parse(self, props: Mapping[str, Any]) -> ArgsT:
        try:
            return self.args_model.model_validate(user_inputs(props))  # type: ignore[return-value]
        except ValidationError as exc:
            reasons = "; ".join(f"{f.property}: {f.reason}" for f in self._failures(exc))
            raise AEPProviderError(f"invalid inputs: {reasons}") from None

    def _validate_fields(self, inputs: Mapping[str, Any]) -> tuple[dict[str, Any], set[str], list[CheckFailure]]:
        """Validate each known field on its own: (valid values, unknown names, failures)."""
        known: dict[str, Any] = {}
        unknown: set[str] = set()
        failures: list[CheckFailure] = []
        for name, info in fields_of(self.args_model).items():
            value = inputs.get(name)
            if contains_unknown(value):
                unknown.add(name)
            elif value is None:
                if info.is_required():
                    failures.append(CheckFailure(name, f"required: {self._describe(name)}"))
                else:
                    known[name] = info.get_default(call_default_factory=True)
            else:
                try:
                    known[name] = _field_adapter(self.args_model, name).validate_python(value)
                except ValidationError as exc:
                    failures += self._failures(exc, prefix=name)
        return known, unknown, failures

    def _model_failures(self, inputs: Mapping[str, Any]) -> list[CheckFailure]:
        try:
            self.args_model.model_validate(inputs)
        except ValidationError as exc:
            return self._failures(exc)
        return []

    def _failures(self, exc: ValidationError, prefix: str | None = None) -> list[CheckFailure]:
        failures = []
        for err in exc.errors(include_url=False, include_input=False):
            loc = [str(part) for part in err["loc"]]
            if prefix is not None:
                loc = [prefix, *loc]
            name = loc[0] if loc else "inputs"
            where = ".".join(loc[1:]).replace(".[key]", " (as a name)")
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "missing":
                message = f"required: {self._describe(loc[-1]) if len(loc) == 1 else 'set it'}"
            elif err["type"] == "extra_forbidden":
                message = "not a known property; check the spelling"
            hint = f" ({self._describe(name)})" if name in fields_of(self.args_model) and not where else ""
            failures.append(CheckFailure(name, f"{where + ': ' if where else ''}{message}{hint}"))
        return failures

    def _describe(self, name: str) -> str:
        info = self.args_model.model_fields.get(name)
        text = (info.description if info else None) or name
        return text.replace("``", "'").rstrip(".")

    def _normal(self, name: str, value: Any) -> Any:
        """One input in canonical JSON form, so equal meanings compare equal."""
        adapter = _field_adapter(self.args_model, name)
        if value is None:
            info = fields_of(self.args_model)[name]
            if info.is_required():
                return None
            return adapter.dump_python(info.get_default(call_default_factory=True), mode="json")
        try:
            return adapter.dump_python(adapter.validate_python(value), mode="json")
        except ValidationError:
            return value  # e.g. state written by an older release: compare as stored

    def with_defaults(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """``inputs`` with each unset input's default when it is not null (``profile_enabled: false``, ``tags: {}``).

        Outputs echo every input, defaults included, and the engine shows a replacement (or an update) in
        preview as the old outputs against the new inputs: an unset input would show as removed. Checked
        inputs (and refreshed ones) carry the defaults, so it shows unchanged. ``diff`` compares normalised
        values, so state written without them (an earlier release) previews clean. Sandbox, adoption and
        marker inputs, check-only and secret inputs are left as they are."""
        skipped = set(COMMON_INPUTS) | self.check_only_inputs | self.secret_inputs
        filled = dict(inputs)
        for name, info in fields_of(self.args_model).items():
            if name in skipped or info.is_required() or inputs.get(name) is not None:
                continue
            default = self._normal(name, None)
            if default is not None:
                filled[name] = default
        return filled

    def _declared_inputs(self, outputs: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs as a program would declare them: defaults left out, so previews show no noise."""
        inputs = {}
        for name in fields_of(self.args_model):
            value = outputs.get(name)
            if name == "sandbox" and value == self.default_sandbox:
                continue
            if value is not None and self._normal(name, value) != self._normal(name, None):
                inputs[name] = value
        return inputs

    def _readable_inputs(self, obj: dict[str, Any], current: ArgsT) -> dict[str, Any]:
        unreadable = self.secret_inputs | set(COMMON_INPUTS) | self.check_only_inputs
        found = self.inputs_from_server(obj, current)
        return {name: self._typed(name, value) for name, value in found.items() if name not in unreadable}

    def _typed(self, name: str, value: Any) -> Any:
        """A server value as the input's type, or as it is when it does not fit (it then shows as drift)."""
        if value is None:
            return None
        try:
            return _field_adapter(self.args_model, name).validate_python(value)
        except ValidationError:
            return value

    def _adopt(self, args: ArgsT, sandbox: str) -> tuple[str, dict[str, Any]]:
        assert args.adopt_id is not None
        obj = self.read_object(args.adopt_id, sandbox)
        if obj is None:
            raise AdoptionMismatchError(
                f"adopt_id {args.adopt_id!r} does not exist in sandbox {sandbox!r}; "
                "remove adopt_id to create a new object, or fix the id or the sandbox"
            )
        differences = self.differences(args, obj)
        if differences:
            raise AdoptionMismatchError(
                f"cannot adopt {args.adopt_id!r}: it differs from the declared inputs:\n  "
                + "\n  ".join(differences)
                + "\nChange the inputs to match the existing object (then change them in a later update)."
            )
        return self.id_from_server(obj, args.adopt_id), obj

    def _outputs(self, args: ArgsT, sandbox: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {**args.model_dump(mode="json"), "sandbox": sandbox, **self.outputs_from_server(obj, args)}


_SUB_PATH = re.compile(r"^[\w.\[\]-]+: ")


def _structured(value: Any) -> bool:
    """A map, or a list holding one: what the engine would print in Go's notation (a list of ids reads fine)."""
    return isinstance(value, Mapping) or (isinstance(value, (list, tuple)) and any(isinstance(v, Mapping) for v in value))


def _named(name: str, reason: str) -> str:
    """``fields`` + ``crmId.type: not a type`` -> ``fields.crmId.type: not a type``; else ``name: reason``."""
    if reason.startswith((f"{name}.", f"{name}:", f"{name}[")):
        return reason  # the reason names the input already
    return f"{name}.{reason}" if _SUB_PATH.match(reason) else f"{name}: {reason}"


@functools.cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = fields_of(model)[name]
    return TypeAdapter(Annotated[info.annotation, info])  # type: ignore[name-defined]


class AEPResource(pulumi.dynamic.Resource):
    """Base of every AEP resource class users instantiate.

    ``Resource("name", SomeArgs.model_construct(...))`` or ``Resource("name", field=value, ...)``;
    values may be ``pulumi.Input``s. Subclasses set ``provider_class``.
    """

    provider_class: ClassVar[type[AEPProvider[Any]]]

    sandbox: pulumi.Output[str]  # every provider outputs the sandbox it used

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Stable type token pulumi-python:dynamic/aep:<ClassName>; renaming changes every URN.
        name = kwargs.pop("name", cls.__name__)
        cls._aep_type_name = name
        kwargs.pop("module", None)
        super().__init_subclass__(module="aep", name=name, **kwargs)

    def __init__(
        self,
        resource_name: str,
        args: AEPArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **inputs: Any,
    ) -> None:
        provider = self.provider_class()
        props = self._props(provider, args, inputs)
        if props.get("resource_marker") is None:
            props["resource_marker"] = self.marker_of(resource_name, opts)
        secrets = sorted(provider.secret_inputs)
        for name in secrets:
            if props.get(name) is not None:
                props[name] = pulumi.Output.secret(props[name])
        if secrets:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=secrets))
        for name in provider.server_outputs:
            props.setdefault(name, None)  # declared so it becomes an attribute (e.g. dataset.dataset_id)
        super().__init__(provider, resource_name, props, opts)
        if provider.id_output:
            # Dynamic providers cannot preview, so during an in-place update every output but the id
            # is unknown in `pulumi preview`; dependents wired to an unknown id output (a dataset's
            # schema_id) would show a replacement that `up` never makes. The id stays known.
            setattr(self, provider.id_output, self.id)

    @classmethod
    def marker_of(cls, resource_name: str, opts: pulumi.ResourceOptions | None) -> str:
        """This resource's marker: what makes its URN (organization, project, stack, parent, type, name)."""
        parent = opts.parent if opts is not None else None
        parent_key = f"{getattr(parent, '_type', '')}::{getattr(parent, '_name', '')}" if parent is not None else ""
        try:
            organization = pulumi.get_organization() or ""
        except Exception:  # noqa: BLE001 - an engine that knows no organization
            organization = ""
        type_token = f"pulumi-python:dynamic/aep:{getattr(cls, '_aep_type_name', cls.__name__)}"
        return resource_marker(organization, pulumi.get_project() or "", pulumi.get_stack() or "", type_token, resource_name, parent_key)

    @classmethod
    def _props(cls, provider: AEPProvider[Any], args: AEPArgs | None, inputs: dict[str, Any]) -> dict[str, Any]:
        model = provider.args_model
        if args is not None:
            if inputs:
                raise TypeError(f"{cls.__name__}: pass either an args object or keyword inputs, not both")
            if not isinstance(args, model):
                raise TypeError(f"{cls.__name__}: args must be a {model.__name__}, got {type(args).__name__}")
            inputs = {name: getattr(args, name) for name in args.model_fields_set}
        unknown = sorted(set(inputs) - set(fields_of(model)))
        if unknown:
            raise TypeError(
                f"{cls.__name__} got unknown input(s) {', '.join(unknown)}; "
                f"valid inputs are: {', '.join(sorted(fields_of(model)))}"
            )
        return {name: inputs.get(name) for name in fields_of(model)}
