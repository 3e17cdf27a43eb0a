"""The Data Prep expression language: a syntax check (``POST /languages/el/validate``) and a small
evaluator for ``POST /mappingSets/preview``.

What the check enforces, from help/data-prep/functions.md:
- fields are identifiers (letters, digits, ``$`` and ``_``, not starting with a digit), dotted for
  sub-fields; any other name is wrapped as ``${First Name}``; the reserved words (``new``, ``mod``,
  ``or``, ``break``, ``var``, ``lt``, ``for``, ``false``, ``while``, ``eq``, ``gt``, ``div``, ``not``,
  ``null``, ``continue``, ``else``, ``and``, ``ne``, ``true``, ``le``, ``if``, ``ge``, ``return``,
  ``_errors``) are never bare field names;
- a call names a documented function (``functions.FUNCTION_NAMES``), a method call one of
  ``equals``, ``equalsIgnoreCase``, ``get``;
- literals: numbers, strings in double or single quotes, ``true``, ``false``, ``null``, arrays
  ``[a, b]`` and objects ``{"k": v}`` (the sample expressions use both);
- operators: those of ``/languages/el/operators`` (unary ``! - ~ not``; ``* / % div mod``,
  ``+ -``, ``< <= > >= lt le gt ge``, ``== != eq ne``, ``&& and``, ``|| or``) and ``c ? a : b``.
A syntax error names what is wrong and where (character offset).

The evaluator runs fields, literals, operators and the pure functions a preview of sample rows needs
(strings, case, trimming, padding, substrings, splitting, conversions, hashing, arrays, ``iif``,
``decode``, ``coalesce``, ``min``/``max``, ``uuid``); a documented function it does not run (dates,
user agents, URLs) is a transformation error for that mapping, as Data Prep reports a failed
transformation (help/data-prep/troubleshooting-guide.md: the target is null, the error recorded).
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

from .functions import FUNCTION_NAMES, METHODS

RESERVED = frozenset(
    {"new", "mod", "or", "break", "var", "lt", "for", "false", "while", "eq", "gt", "div", "not", "null",
     "continue", "else", "and", "ne", "true", "le", "if", "ge", "return", "_errors"}
)  # fmt: skip
_WORD_OPERATORS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">",
                   "ge": ">=", "div": "/", "mod": "%"}  # fmt: skip
_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[lLfFdD]?)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<wrapped>\$\{(?:[^}\\]|\\.)*\})
      | (?P<name>[^\W\d]\w*|[$_][\w$]*)
      | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!~?:.,()\[\]{}])
    """,
    re.VERBOSE | re.UNICODE,
)


class ExpressionError(ValueError):
    """A syntax error: the message names what is wrong and the character offset."""


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, field, name, op, end
    text: str
    at: int


def tokenize(expression: str) -> list[Token]:
    tokens, at = [], 0
    while at < len(expression):
        match = _TOKEN.match(expression, at)
        if match is None:
            if expression[at] in "\"'":
                raise ExpressionError(f"unterminated string starting at offset {at}")
            raise ExpressionError(f"unexpected character '{expression[at]}' at offset {at}")
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "wrapped":
            tokens.append(Token("field", text[2:-1].replace("\\.", "\0").replace("\\", ""), at))
        elif kind == "name" and text in _WORD_OPERATORS:
            tokens.append(Token("op", _WORD_OPERATORS[text], at))
        elif kind != "space":
            tokens.append(Token(kind, text, at))
        at = match.end()
    tokens.append(Token("end", "", len(expression)))
    return tokens


# --- the syntax tree ----------------------------------------------------------------------------
# Nodes are tuples: ("lit", value) ("field", [parts]) ("call", name, [args]) ("method", target, name,
# [args]) ("index", target, key) ("unary", op, operand) ("binary", op, left, right)
# ("cond", test, then, else) ("array", [items]) ("object", [(key, value)]).

Node = tuple

_BINARY_LEVELS = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%"))


class _Parser:
    def __init__(self, expression: str) -> None:
        self.tokens = tokenize(expression)
        self.at = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def accept(self, text: str) -> bool:
        if self.token.kind == "op" and self.token.text == text:
            self.at += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise ExpressionError(f"expected '{text}' at offset {self.token.at}, found {self._found()}")

    def expect_separator(self, closing: str) -> None:
        if not self.accept(","):
            raise ExpressionError(f"expected ',' or '{closing}' at offset {self.token.at}, found {self._found()}")

    def _found(self) -> str:
        return "the end of the expression" if self.token.kind == "end" else f"'{self.token.text}'"

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExpressionError("the expression is empty")
        node = self.conditional()
        if self.token.kind != "end":
            raise ExpressionError(f"unexpected {self._found()} at offset {self.token.at}")
        return node

    def conditional(self) -> Node:
        test = self.binary(0)
        if self.accept("?"):
            then = self.conditional()
            self.expect(":")
            return ("cond", test, then, self.conditional())
        return test

    def binary(self, level: int) -> Node:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.token.kind == "op" and self.token.text in _BINARY_LEVELS[level]:
            op = self.take().text
            node = ("binary", op, node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        if self.token.kind == "op" and self.token.text in ("!", "-", "~"):
            return ("unary", self.take().text, self.unary())
        return self.postfix(self.primary())

    def arguments(self, closing: str) -> list[Node]:
        items: list[Node] = []
        if self.accept(closing):
            return items
        while True:
            items.append(self.conditional())
            if self.accept(closing):
                return items
            self.expect_separator(closing)

    def postfix(self, node: Node) -> Node:
        while True:
            if self.accept("."):
                name = self.take()
                if name.kind not in ("name", "field"):
                    raise ExpressionError(f"expected a field or method name after '.' at offset {name.at}")
                if self.accept("("):
                    if name.text not in METHODS:
                        raise ExpressionError(
                            f"unknown method '{name.text}' at offset {name.at}; methods: {', '.join(sorted(METHODS))}"
                        )
                    node = ("method", node, name.text, self.arguments(")"))
                elif node[0] == "field":
                    node = ("field", [*node[1], name.text])
                else:
                    node = ("index", node, ("lit", name.text))
            elif self.accept("["):
                key = self.conditional()
                self.expect("]")
                node = ("index", node, key)
            else:
                return node

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            text = token.text.rstrip("lLfFdD")
            return ("lit", float(text) if any(c in text for c in ".eE") else int(text))
        if token.kind == "string":
            return ("lit", re.sub(r"\\(.)", r"\1", token.text[1:-1]))
        if token.kind == "field":
            return ("field", [part.replace("\0", ".") for part in token.text.split(".")])
        if token.kind == "name":
            return self.name(token)
        if token.kind == "op" and token.text == "(":
            node = self.conditional()
            self.expect(")")
            return node
        if token.kind == "op" and token.text == "[":
            return ("array", self.arguments("]"))
        if token.kind == "op" and token.text == "{":
            return self.object_literal()
        where = "the end of the expression" if token.kind == "end" else f"'{token.text}' at offset {token.at}"
        raise ExpressionError(f"expected a value, found {where}")

    def name(self, token: Token) -> Node:
        literals = {"true": True, "false": False, "null": None}
        if token.text in literals:
            return ("lit", literals[token.text])
        if self.accept("("):
            if token.text not in FUNCTION_NAMES:
                raise ExpressionError(
                    f"unknown function '{token.text}' at offset {token.at}; the functions are listed by "
                    "GET /languages/el/functions (help/data-prep/functions.md)"
                )
            return ("call", token.text, self.arguments(")"))
        if token.text in RESERVED:
            raise ExpressionError(
                f"'{token.text}' at offset {token.at} is a reserved word: wrap a field of that name as ${{{token.text}}}"
            )
        return ("field", [token.text])

    def object_literal(self) -> Node:
        pairs: list[tuple[Node, Node]] = []
        if self.accept("}"):
            return ("object", pairs)
        while True:
            key = self.primary()
            self.expect(":")
            pairs.append((key, self.conditional()))
            if self.accept("}"):
                return ("object", pairs)
            self.expect_separator("}")


def parse(expression: str) -> Node:
    """The syntax tree of an expression; ExpressionError when it is not valid."""
    return _Parser(expression).parse()


# --- evaluation (preview) -----------------------------------------------------------------------


class NotEvaluated(ExpressionError):
    """A valid expression the emulator does not run (e.g. date and user-agent functions)."""


def _field(row: Any, parts: list[str]) -> Any:
    value = row
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: Any) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        text = _text(value)
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        raise ExpressionError(f"'{_text(value)}' is not a number") from None


def _hash(algorithm: str) -> Any:
    return lambda text, charset="UTF-8": hashlib.new(algorithm, _text(text).encode(charset)).hexdigest()


def _decode(key: Any, *options: Any) -> Any:
    pairs = list(zip(options[0::2], options[1::2]))
    default = options[-1] if len(options) % 2 else None
    return next((value for option, value in pairs if option == key), default)


def _to_array(include_nulls: Any, *values: Any) -> list[Any]:
    return [v for v in values if include_nulls or v is not None]


def _pad(text: Any, count: Any, padding: Any, left: bool) -> str:
    text, padding = _text(text), _text(padding) or " "
    fill = (padding * int(count))[: max(int(count) - len(text), 0)]
    return fill + text if left else text + fill


_FUNCTIONS: dict[str, Any] = {
    "concat": lambda *parts: "".join(_text(p) for p in parts),
    "lower": lambda s: _text(s).lower(), "lcase": lambda s: _text(s).lower(),
    "upper": lambda s: _text(s).upper(), "ucase": lambda s: _text(s).upper(),
    "trim": lambda s: _text(s).strip(), "ltrim": lambda s: _text(s).lstrip(), "rtrim": lambda s: _text(s).rstrip(),
    "substr": lambda s, start, length: _text(s)[int(start) : int(start) + int(length)],
    "left": lambda s, n: _text(s)[: int(n)], "right": lambda s, n: _text(s)[-int(n) :] if int(n) else "",
    "lpad": lambda s, n, p: _pad(s, n, p, True), "rpad": lambda s, n, p: _pad(s, n, p, False),
    "replacestr": lambda s, find, repl: _text(s).replace(_text(find), _text(repl)),
    "split": lambda s, sep: _text(s).split(_text(sep)),
    "explode": lambda s, regex=",": re.split(_text(regex), _text(s)),
    "join": lambda sep, items: _text(sep).join(_text(i) for i in items or []),
    "instr": lambda s, sub, *_: _text(s).find(_text(sub)) + 1,
    "matches_regex": lambda s, regex: re.fullmatch(_text(regex), _text(s)) is not None,
    "to_integer": lambda s: int(_number(s)), "to_bigint": lambda s: _number(s),
    "to_decimal": lambda s: float(_number(s)), "to_float": lambda s: float(_number(s)),
    "sha1": _hash("sha1"), "sha256": _hash("sha256"), "sha512": _hash("sha512"), "md5": _hash("md5"),
    "crc32": lambda s, charset="UTF-8": f"{zlib.crc32(_text(s).encode(charset)):08x}",
    "coalesce": lambda *values: next((v for v in values if v is not None), None),
    "first": lambda *values: values[0] if values else None, "last": lambda *values: values[-1] if values else None,
    "to_array": _to_array, "add_to_array": lambda array, *values: [*(array or []), *values],
    "join_arrays": lambda *arrays: [item for array in arrays for item in (array or [])],
    "size_of": lambda value: len(value) if value is not None else 0,
    "is_empty": lambda value: not value,
    "iif": lambda test, then, other: then if test else other, "decode": _decode,
    "min": lambda *values: min(values), "max": lambda *values: max(values),
    "to_object": lambda *pairs: dict(zip(pairs[0::2], pairs[1::2])),
    "nullify": lambda: None,
    "uuid": lambda: str(uuid.uuid4()), "guid": lambda: str(uuid.uuid4()),
}  # fmt: skip

_BINARY = {
    "*": lambda a, b: _number(a) * _number(b), "%": lambda a, b: _number(a) % _number(b),
    "/": lambda a, b: _number(a) / _number(b), "-": lambda a, b: _number(a) - _number(b),
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}  # fmt: skip


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, str) or isinstance(right, str):
        return _text(left) + _text(right)
    return _number(left) + _number(right)


def evaluate(node: Node, row: Any) -> Any:
    """The value of a parsed expression over one source row."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "field":
        return _field(row, node[1])
    if kind == "array":
        return [evaluate(item, row) for item in node[1]]
    if kind == "object":
        return {_text(evaluate(k, row)): evaluate(v, row) for k, v in node[1]}
    if kind == "cond":
        return evaluate(node[2] if evaluate(node[1], row) else node[3], row)
    if kind == "unary":
        value = evaluate(node[2], row)
        return {"!": lambda: not value, "-": lambda: -_number(value), "~": lambda: ~int(_number(value))}[node[1]]()
    if kind == "binary":
        op, left = node[1], evaluate(node[2], row)
        if op in ("&&", "||"):  # short-circuit, as the language does
            return (bool(left) and bool(evaluate(node[3], row))) if op == "&&" else (bool(left) or bool(evaluate(node[3], row)))
        right = evaluate(node[3], row)
        return _add(left, right) if op == "+" else _BINARY[op](left, right)
    if kind == "index":
        target, key = evaluate(node[1], row), evaluate(node[2], row)
        if isinstance(target, list) and isinstance(key, int):
            return target[key] if -len(target) <= key < len(target) else None
        return target.get(_text(key)) if isinstance(target, dict) else None
    if kind == "method":
        target, args = evaluate(node[1], row), [evaluate(a, row) for a in node[3]]
        if node[2] == "get":
            return target.get(_text(args[0])) if isinstance(target, dict) and args else None
        same = _text(target).lower() == _text(args[0]).lower() if node[2] == "equalsIgnoreCase" else target == args[0]
        return same
    name, args = node[1], [evaluate(a, row) for a in node[2]]
    if name not in _FUNCTIONS:
        raise NotEvaluated(f"the emulator does not run '{name}' in a preview")
    try:
        return _FUNCTIONS[name](*args)
    except (TypeError, ValueError, re.error, LookupError) as exc:
        raise ExpressionError(f"{name}: {exc}") from None
