"""IMS (Adobe Identity Management) OAuth server-to-server token endpoint.

Not emulated: user (authorization-code) flows, JWT exchange, token introspection, scopes checks
beyond echoing them.
"""
