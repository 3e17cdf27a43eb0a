"""Request-body models in AEP's wire style, and one readable account of why a body was refused.

Services declare pydantic models on ``WireModel`` (snake_case in Python, AEP's camelCase on the wire,
exact JSON types, unknown fields refused) and turn a ``ValidationError`` into their own 400 with
``body_problem``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

ProblemKind = Literal["unknown", "missing", "invalid"]


class WireModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", strict=True)


@dataclass(frozen=True)
class BodyProblem:
    """The first thing wrong with a body: where, what kind, and a sentence for the error detail."""

    location: str
    kind: ProblemKind
    detail: str


def body_problem(exc: ValidationError, prefix: str = "") -> BodyProblem:
    first = exc.errors()[0]
    location = ".".join(
        f"[{part}]" if isinstance(part, int) else str(part) for part in (prefix, *first["loc"]) if part != ""
    ).replace(".[", "[")
    location = location or "body"
    if first["type"] == "extra_forbidden":
        return BodyProblem(location, "unknown", f"Unknown field '{location}'")
    if first["type"] == "missing":
        return BodyProblem(location, "missing", f"Field '{location}' is required")
    message = first["msg"].removeprefix("Value error, ")  # pydantic's prefix for a validator's ValueError
    return BodyProblem(location, "invalid", f"Field '{location}': {message}")
