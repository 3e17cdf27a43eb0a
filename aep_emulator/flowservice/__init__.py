"""Flow Service (``/data/foundation/flowservice``): sources, connections, dataflows and runs.

Emulated
    ``GET /connectionSpecs[/{id}]`` and ``GET /flowSpecs[/{id}]`` (a fixed catalogue, ``data/*.json``);
    ``connections``, ``sourceConnections``, ``targetConnections``, ``flows``: create, get, list, PATCH
    (JSON Patch under ``If-Match``), DELETE; ``POST /flows/{id}/action?op=enable|disable``;
    ``GET /connections/{id}/test`` and ``/explore`` (Amazon S3); ``GET /runs``, ``GET /runs/{id}``,
    ``POST /runs``; listing with ``property`` filters, ``orderby``, ``limit``, ``continuationToken``,
    ``count``. S3 and Kinesis connections are checked with boto3 against ``EmulatorConfig.aws_endpoint``.
    ``PUT /runs/{id}`` and ``RE_TRIGGER`` (``runs.py``); the ``/search`` endpoints (``search.py``);
    Sources SDK specs, ``/configs``, spec ``/explore`` and the provider-only connection actions
    (``sources_sdk.py``).

Not emulated
    explore of connectors other than S3 and preview of parquet files; a run scheduler (runs stay
    ``scheduled``: nothing ingests data); a provider's ``finalize``/``publish``; permissions and labels
    (``labels``/``policy`` are stored, not
    enforced; no 2111–2121); the ``x-sandbox-id`` header; destination (export) flows.

Where the facts come from (``shared/aep-api.md``)
    §1.5 id and etag formats; §5.1 envelopes; §5.2/§5.3 spec ids, provider ids, auth spec names and params;
    §5.4–§5.7 request bodies and rules; §5.8/§5.9 PATCH, actions, deletes; §5.10 runs; §5.11 listing;
    §5.12 the FLOW envelope and codes (titles from the Flow Service and sources error catalogues); §10
    items 31–50. The streaming flow spec follows the streaming seed's ``GET /flowSpecs`` answer.

Emulator choices (where the sources are silent or UNCONFIRMED)
    - Secret auth params (``"format": "password"`` in the spec) are stored and shown as ``"********"``
      (§11 #10); the HTTP API connection gets a 64-hex ``inletId`` and ``inletUrl``, kept across updates.
    - Missing ``x-sandbox-name`` is 2105-400; an unknown sandbox 2100-404. Unknown ids are 404:
      FLOW-1439-404 for flows, FLOW-1101-404 for the other resources (``report.type`` names it).
    - A missing required field is 1304-400 and a value a spec's JSON Schema refuses 1312-400 (sources
      codes), both naming the field; wrong JSON types and malformed bodies are 1100-400; an empty body 1405.
    - References that do not exist (base connection, source/target connection of a flow, dataset) are
      1100-400 ("... does not exist"), checked when the referencing object is created or patched (§11 #7);
      a reference of the wrong connector is 1413-400; a target ``data.schema.id`` other than the
      dataset's schema is 1100-400 (``$id`` and ``meta:altId`` count as the same schema).
    - ``dataSetId`` absent or null is 1324-400, an empty string 1325-400.
    - Deleting a base connection used by a flow is 1418-400; a source or target connection used by a
      flow is 1447-400.
    - Repeating the current state (enable an enabled flow) answers 200 and writes nothing: same etag (§11 #17).
    - Flow writes pass through transitional states for ``EmulatorConfig.flow_transition_seconds`` (CLI
      ``--flow-transition-seconds``) and refuse PATCH, DELETE and actions meanwhile (1416/1420/1421/1422);
      flow specs' ``apiFeatures`` refuse PATCH or DELETE with the generic 1100-400 (see ``flows.py``).
    - Schedule: a start time up to 300 s in the past is accepted (clients send "now"). After the start
      time, switching to ``once`` is 1403-400, changing ``backfill`` 1404-400, moving ``startTime``
      1366-400 (the sources catalogue reuses 1403/1404, also FLOW codes for If-Match; the status tells
      them apart for 1404). Values are stored in the types of the spec's DTOs (§11 #12): ``startTime``
      an integer, ``interval`` a string, ``backfill`` a boolean, ``mappingVersion`` and spec
      ``version``s strings, whatever JSON type the request used.
    - PATCH: server-owned fields (id, audit fields, ``state``, ``etag``...) are 1365-400 (invalid path);
      ``/flowSpec`` like ``/connectionSpec`` is 1414-400; ops other than add/replace/remove are 1434-400.
      ``If-Match`` is compared without surrounding quotes (§11 #11).
    - Lists: default page 100, at most 1000 (§11 #22); the continuation token carries the whole query;
      comparisons and ``orderby`` are ordinal (case-sensitive); a path no object has matches nothing.
    - ``POST /runs`` answers 201 ``{id, etag}`` as the spec says (the docs show the whole run).
    - ``GET /connections/{id}/test`` answers ``{"result": bool}``; true when nothing can be checked.
    - S3 and Kinesis objects carry ``emulatorVerification`` (not an AEP field): ``verified`` when AWS
      answered, ``skipped`` when no ``aws_endpoint`` is configured. Wrong credentials are 1100-400.
    - Names not found in the sources: the two HTTP API flow specs, the Data Lake spec's provider id
      (the batch one is used). The SFTP spec id is aepp's ``bf367b0d-…`` as in aep-api §5.2 (the SFTP
      tutorials use ``b7bf2577-…``). Unknown top-level request fields are ignored and not stored.
"""
