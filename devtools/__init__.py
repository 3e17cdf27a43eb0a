"""Developer tooling for this repository: running the locally built Pulumi CLI offline.

Kept apart from ``aep_provider`` on purpose: the product package must not carry dev tooling.
"""
