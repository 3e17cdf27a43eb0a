"""Schema Registry (XDM) emulation: ``/data/foundation/schemaregistry``.

Emulated
--------
- ``GET /stats``: ``tenantId``, counts, recently created/updated resources, class usage (tenant
  resources of the sandbox only).
- Global container (read-only): ``/global/classes|fieldgroups|mixins|datatypes|behaviors|schemas``
  lists and lookups by ``meta:altId`` or URL-encoded ``$id``, served from ``data/xdm_catalog.json``.
  That catalogue is derived from Adobe's XDM standard components (https://github.com/adobe/xdm),
  licensed CC BY 4.0, copyright Adobe; see ``scripts/build_xdm_catalog.py``.
- Tenant container: schemas, field groups (``/fieldgroups`` and the deprecated ``/mixins``; ``$id``
  and ``meta:altId`` always say ``mixins``), classes and data types: POST 201 with the full body, GET,
  list (``property``/``orderby``/``limit``/``start``, 300 per page), PATCH (RFC 6902, atomic), PUT,
  DELETE 204. Every write bumps the minor version ("1.0" -> "1.1") and the 64-hex eTag.
- ``Accept`` rules on every GET: ``xed-id+json`` / ``xed+json`` lists (a version there is refused,
  XDM-1006); lookups need ``version=1`` (XDM-1007 without, 406 for another major); ``xed-full``
  resolves ``allOf`` into ``properties``; ``-notext`` drops titles and descriptions; descriptors want
  ``xdm`` media types (XDM-1008 list, XDM-1009 lookup).
- Rules: one class per schema; every ``$ref`` resolves (standard catalogue or the same sandbox);
  field groups must be intended for the schema's class; titles unique across tenant resources
  (XDM-1521); custom fields of field groups and classes only under ``_{TENANT_ID}`` (XDM-1020..1024);
  one path with two types in a schema is refused.
- Descriptors: POST 201 (``@id`` 40 hex), GET (grouped ids/links/objects, or ``-v2`` results),
  ``property=xdm:sourceSchema==...`` filter, PUT 201 ``{"@id"}``, DELETE 204. Identity descriptors
  need an existing schema, a JSON pointer to a string field of it, a namespace code; one primary per
  schema. Deleting a schema deletes its descriptors.
- Profile: ``meta:immutableTags: ["union"]`` by PATCH or in the POST body, only with identityMap or a
  primary identity (XDM-1528); irreversible; such schemas cannot be deleted and only grow (parts,
  fields and types cannot go away); union members of one class must merge (XDM-1413). Unions per
  class: ``GET /tenant/unions``, ``/tenant/unions/{id}``, ``/tenant/schemas/{class $id}__union``.

Emulator choices (AEP's behaviour or code is not documented)
------------------------------------------------------------
- 404 codes by kind (the troubleshooting guide lists XDM-1010..1017-404 "depending on the resource
  type" and shows 1010 for a class; the rest of the assignment is the emulator's): class 1010, field
  group 1011, schema 1012, data type 1013, behavior 1014, descriptor 1015, union 1016, other 1017.
- Namespace codes: 1020 ``_{TENANT_ID}`` not an object, 1021 custom field outside it, 1022 another
  tenant's namespace, 1023 a standard (``xdm:``/``@``) name, 1024 an invalid field name.
- No invented codes: where AEP documents no code for a case the answer is generic (same envelope,
  ``type: "/placeholder/type/uri"`` as in the guide's older examples, no code), 400 unless noted:
  invalid body (malformed JSON, wrong types, unknown attributes), invalid JSON Patch, invalid query
  parameter, missing ``x-sandbox-name``, unknown sandbox (404), version not available (406), invalid
  composition, unresolved reference, field group not intended for the class, conflicting field types,
  read-only attribute (``$id``, the class of a schema), breaking change on a Profile-enabled schema,
  union tag removal, delete refused (in use: Profile-enabled, used by a dataset, a field group or data
  type used by another resource), descriptor invalid, second primary identity. The titles tell them
  apart; clients should key on the HTTP status and read the detail.
- ``Accept``: the ``xdm`` family is accepted wherever ``xed`` is (``application/vnd.adobe.xdm+json``,
  ``xdm-id+json``, ``xdm-full+json; version=1``...): the guide's XDM-1006 example says "A valid Accept
  value should look like application/vnd.adobe.{xed|xdm}+json" (help/xdm/troubleshooting-guide.md).
- Deleting a schema a dataset uses is refused (the UI's documented rule); set
  ``refuse_deleting_schema_used_by_dataset = False`` on the config to allow it.
- Schema evolution: AEP locks a schema once a dataset using it has ingested data. The emulator
  ingests no data, so only Profile enablement locks a schema; datasets alone do not.
- ``meta:immutableTags`` is accepted in the POST body (only PATCH is documented). A PUT that leaves
  the tag out keeps it (it is immutable); one that sends a list without ``union`` is refused.
- Lists without ``orderby`` are sorted by ``$id``; ``_links.next.href`` points at this emulator.
- PUT bumps the version like PATCH.
- The RPCs (``rpc.py``): ``/rpc/export/{id}`` (the resource and its tenant dependencies, tenant id as
  ``<XDM_TENANTID_PLACEHOLDER>``), ``/rpc/import`` (into the caller's sandbox, same ids, all or
  nothing, XDM-3005-400 on refusal), ``/rpc/sampledata/{id}`` and ``/rpc/auditlog/{id}`` (every
  create and update of a tenant resource is logged).
- A schema's ``description`` may be left out (it becomes ""), although the spec lists it as required.
- Server-computed attributes sent back in a PUT/PATCH body (``version``, ``refs``, ``meta:extends``,
  ``meta:registryMetadata``...) are ignored and recomputed; ``$id``/``meta:altId`` must not change.

Not emulated
------------
- Older minor versions (only the latest exists; asking for a later minor is 406), deletes in the
  audit log, ``/rpc/csv2schema``, ``xed-full-desc``/``xed-deprecatefield`` beyond a
  plain resolved view, relationship-descriptor union rules (XDM-1526/1527), identity-namespace
  existence (any well-formed code is accepted), ``meta:usageCount``, field constraints (enums,
  patterns, min/max) and the int/long/short/byte refinements of integers.
"""
