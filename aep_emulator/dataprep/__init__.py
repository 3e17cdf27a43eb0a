"""Data Prep (``/data/foundation/conversion``): versioned mapping sets.

Emulated:

- ``POST /mappingSets`` -> **200** ``{id (32 hex), version: 0, createdDate, modifiedDate, createdBy,
  modifiedBy}`` (dates in epoch ms, as the guides show; the spec says date-time strings). Both body
  dialects are accepted and stored in one canonical form:
  current ``outputSchema.schemaRef{id, contentType}`` + mappings ``sourceType`` (ATTRIBUTE |
  EXPRESSION | STATIC) / ``source`` / ``destination`` / ``name`` / ``description``; legacy
  ``xdmSchema`` (``$id`` or ``meta:altId``) / ``xdmVersion`` + mappings ``sourceAttribute`` /
  ``destinationXdmPath`` / ``identity`` / ``identityGroup`` / ``namespaceCode``. A legacy mapping's
  source type is ATTRIBUTE. Read-only fields a GET shows (``id``, ``version``, dates, ``status``,
  mapping ``id``s, ...) are ignored when sent back; unknown fields are refused.
- Validation on every create and update (emulator choice: the issue asks for destinations checked
  against the schema; ``?validate=true|false`` is accepted in any letter case and changes nothing):
  the output schema exists in the sandbox; every destination is a field path of that schema (array
  indices ignored; any path below a map or an object/array whose children the schema does not list is
  data, e.g. ``identityMap.Email[0].id``); no destination twice; expressions at most 4096 characters.
  The output schema is stored, and shown, as its ``$id`` even when the body named its altId.
- ``GET /mappingSets/{id}`` (newest), ``?version=N`` (older versions stay readable; unknown -> 404,
  not a whole number >= 0 -> 400), ``?expandSchema=true`` (``outputSchema.jsonSchema`` = the schema
  as the registry stores it). The read shape shows both dialects: ``sourceType`` as a media type
  (``text/x.schema-path`` attribute, ``text/x.aep-xl`` expression, ``text/plain`` constant: the last
  two follow Adobe's Destination SDK vocabulary, UNCONFIRMED for Data Prep), ``source``/``destination``
  and ``sourceAttribute``/``destinationXdmPath``, identity fields, ``matchScore``, generated mapping
  ids, ``outputSchema{id, version, schemaRef, jsonSchema}``, ``schemaRef``, ``xdmSchema``,
  ``xdmVersion``, ``status: "PUBLISHED"``, ``supportVersion: "1.1"``.
- ``PUT /mappingSets/{id}`` -> 200 with the full new version: ``version`` + 1, new mapping ids.
- ``GET /mappingSets?limit=&start=`` -> ``{"data", "_page": {"count" (items on this page), "limit"},
  "_links": {"next"?}}``; without them ``limit`` is 10 and ``start`` 0 (the data-prep spec's
  defaults), a bad value is a 400; ``name`` (exact), ``orderBy`` ``[+|-]createdDate``,
  ``[+|-]updatedDate`` or ``[+|-]lastUpdateDate`` (the spec's default value; default and bare
  ``lastUpdateDate``: most recently updated first), ``expandSchema``.
- ``GET /mappingSets/{id}/mappings`` (array, newest version) and ``/mappings/{mappingId}`` (any version).
- ``POST /mappingSets/validate`` -> ``{"validationResponse": [{"status": "SUCCESS"|"FAILED",
  "errors": null|[{source, destination, exception, columnName, sourceType}]}]}``, one per mapping;
  a body that is not a mapping set at all (shape, unknown schema) is a 400. Expressions are checked
  for syntax (``expressions.py``).
- ``POST /mappingSets/preview`` -> ``[{"data": <XDM>, "errors": null|[...]}]`` per sample row
  (ATTRIBUTE, STATIC and expressions applied, values in the destination's XDM type).
- ``POST /languages/el/validate`` -> ``{"validationStatus": "succeeded", "error": "none"}`` or 400
  "Invalid expression" naming the problem; ``GET /languages/el/functions`` and ``/operators`` list the
  documented functions and operators (``functions.py``).
- ``DELETE /mappingSets/{id}``: UNOFFICIAL (not in Adobe's spec; aepp calls it) -> 204, unknown -> 404;
  ``EmulatorConfig.mapping_set_delete = False`` answers 405 instead, as a platform without it.
- Errors: AEP documents no Data Prep error body or code (spec, mapping-set.md, troubleshooting guide),
  so the emulator invents none and answers the generic problem shape ``{"type":
  "/placeholder/type/uri", "status", "title", "detail"}`` (exceptions.py). A missing
  ``x-sandbox-name`` is 400, an unknown sandbox 404.

Not emulated: ``/mappingSets/suggestion``, date, URL and user-agent functions in a preview (their
mappings report a transformation error), ``inputSchema`` checks, source field validation,
``xdmBatchConversions``, PATCH of mapping sets (AEP has none either), and transformation of ingested data.
"""
