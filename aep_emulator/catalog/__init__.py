"""Catalog Service (``/data/foundation/catalog``): datasets, batches, and every other operation of catalog.yaml.

Emulated:

- ``POST /dataSets`` -> 201 ``["@/dataSets/<24 hex>"]`` and a ``Location`` header.
  ``requestDataSource=true|false`` is accepted (Catalog is said to create the data source itself; no
  ``dataSourceId`` is generated). Validation: ``name`` is a non-empty string; ``schemaRef.id`` is a
  schema (``$id`` or ``meta:altId``) of the same sandbox, ``schemaRef.contentType`` an
  ``application/vnd.adobe.xed[-full][-notext]+json;version=1`` media type; ``tags`` maps names to
  arrays of strings; ``fileDescription`` follows the spec (``format`` from the spec's enum: "", csv,
  text, parquet, json, sequencefile, avro). A ``unifiedProfile`` tag holding ``enabled:true`` (or
  ``enabled: true``) needs a union-enabled schema, else 400 "To enable profile datasets the schema
  should be valid". The legacy ``profile``/``identity`` tags of an older tutorial are ordinary tags:
  accepted, no rule applied. A dataset without ``schemaRef`` is accepted (the legacy ``schema`` URI,
  when given, becomes ``schemaRef``).
- Unknown top-level fields are refused (400): the spec lists the request fields, and refusing catches
  a client's typo here before it silently does nothing on AEP (emulator choice). Server-managed fields
  (``version``, ``created``, ``imsOrg``, ``viewId``, ...) and expandable ``@...`` link fields
  (``files``) may be sent back unchanged (a GET-modify-PUT round trip) but never changed (400).
  ``null`` is never a field value.
- ``GET /dataSets/{id}`` -> ``{id: {...}}`` with ``version`` "1.0.0", ``created``/``updated`` (ms),
  ``createdClient``, ``createdUser``, ``updatedUser``, ``imsOrg``, ``tags``, ``viewId``,
  ``files: "@/dataSetFiles?dataSetId=<id>"``, ``schemaRef``, ``fileDescription`` (default
  ``{"persisted": true, "containerFormat": "parquet", "format": "parquet"}``), ``state: "DRAFT"`` and,
  once batches exist, ``lastBatchId``/``lastBatchStatus``/``lastSuccessfulBatch``/``lastFailedBatch``.
  ``properties=`` projects top-level fields. The version goes out in the ``E-Tag`` header, bare
  (``E-Tag: 1.0.0``), as help/catalog/api/appendix.md ("If-Match") names it; no ``ETag`` header.
- What Catalog adds by itself (the dataset GET of platform-learn.en
  ``help/tutorial-comprehensive-technical/modules/datadistiller/module5.1/ex8.md``): ``sandboxId``;
  ``classification: {"dataBehavior": "time-series"|"record", "managedBy": "CUSTOMER"}`` (the
  schema's behavior); the system tags
  ``adobe/pqs/table`` (the name as a table name: ``demo_system_..._v1_1``), ``adobe/siphon/table/format``,
  ``aep/siphon/partitions``, ``acp_validationContext``, ``acp_granular_validation_flags`` at create
  (a client's own value of one of them wins); and ``enabledAt:<UTC yyyy-MM-dd HH:mm:ss>`` beside
  ``enabled:true`` in ``unifiedProfile`` whenever a write leaves it enabled without one (a value
  already there is kept). When the platform adds its tags (at create or at first ingestion) is not
  documented: here at create.
- ``GET /dataSets`` and ``GET /batches``: id-keyed object; ``limit`` (default 20, 1..100), ``start``,
  ``properties``, ``orderBy``, ``property`` expressions, simple and wildcard filters, ``tags``,
  ``createdAfter``/``createdBefore`` (see ``filters.py``).
- ``PATCH /dataSets/{id}``: ``application/json`` merges top-level fields (nested objects replaced
  whole); ``application/json-patch+json`` applies RFC 6902. ``PATCH /v2/dataSets/{id}`` deep-merges.
  ``PUT /dataSets/{id}`` replaces every writable field. All answer 200 ``["@/dataSets/<id>"]``, bump the
  patch part of ``version`` and refresh ``updated``/``updatedUser``, and validate the result like a
  create. Optional ``If-Match: <version>`` (quotes and ``W/`` tolerated) -> 412 on mismatch.
- ``Pragma: validate-only`` on POST/PUT/PATCH validates without saving and answers 200 ``[]``
  (emulator choice: the platform's answer is not documented).
- ``DELETE /dataSets/{id}`` -> 200 ``["@/dataSets/<id>"]``; unknown or already deleted -> 200 ``[]``.
  Flows targeting the dataset do not block it; their reference is left dangling, as on AEP.
- ``GET /batches/{id}``; ``POST /batches``, ``POST/PUT/PATCH/DELETE /batches/{id}``, ``/lastBatches``,
  ``/batches/uniques/{field}``, ``/tags/{tag}``, ``/dataSets/{id}/credentials`` (``batches.py``), and
  the multi-request ``POST /`` with ``<<id.attr>>`` references and rollback (``multirequest.py``).
  The Flow Service run simulation writes batches too (``models.add_batch`` / ``set_batch_status``);
  generated ids are 26-character ULID-like strings.
- Errors: AEP documents no Catalog error body nor code, so the body is the generic problem shape
  ``{"type": "/placeholder/type/uri", "status" (number), "title", "detail"}`` with no code (see
  ``exceptions.py``). A missing ``x-sandbox-name`` is 400, an unknown sandbox 404, a stale ``If-Match``
  412. Malformed JSON, wrong types and bad parameters are 400, never 500.

Not emulated: ``extensions.adobe_lakeHouse`` metrics (there is no data), data sources, dataset
files and views (``files`` is a link that leads nowhere), ``observableSchema`` size limits (max page
20), ``If-None-Match``, real dataset credentials, and the data itself.
"""
