"""Identity Service namespaces (``/data/core/idnamespace``; ``identity-service.yaml`` of
AdobeDocs/experience-platform-apis, help/identity-service/api/list-namespaces.md and
create-custom-namespace.md, help/identity-service/features/namespaces.md).

Emulated: the standard namespaces (the ones whose code, id and type a documented answer shows), custom
namespaces per sandbox (create, list, look-up, update of name and description), the documented error
bodies (400 INVALID_REQUEST_PARAMS, 404 NAMESPACE_NOT_FOUND, 409 NAMESPACE_CODE_CONFLICT).

Not emulated: identities, graphs and clusters (``/identity/...``), the deprecated
``/idnamespace/orgs/{ORG}/identities`` paths, and the 429 rate limit. Namespaces have no delete on the
platform ("once a namespace has been created, it cannot be deleted"), so none here either.
"""
