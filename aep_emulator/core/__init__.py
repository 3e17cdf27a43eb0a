"""Shared machinery of the emulator: storage, request context, errors, gateway, test hooks.

Services (``aep_emulator/<service>/``) depend on this package; it never imports a service.
"""
