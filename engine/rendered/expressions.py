"""A small evaluator for GitHub Actions expressions, enough to read a workflow's conditions.

It knows the operators the workflows use (``==``, ``!=``, ``&&``, ``||``, ``!``,
parentheses), string, boolean and null literals, and context lookups such as
``github.event.pull_request.head.repo.full_name``. As on GitHub, strings compare without
regard to case, ``&&``/``||`` return one of their operands and a missing property is null.
A step's or a job's output that the given contexts do not hold is an *unknown*:
``outcomes`` evaluates the expression once for every assignment of 'true'/'false' to them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))"
    r"|(?P<name>[A-Za-z_][\w.\-\[\]']*))"
)


def tokens(expression: str) -> Iterator[tuple[str, str]]:
    expression = expression.strip()
    if expression.startswith("${{") and expression.endswith("}}"):
        expression = expression[3:-2]
    position = 0
    while expression[position:].strip():
        match = TOKEN.match(expression, position)
        if not match:
            raise ValueError(f"cannot read {expression[position:]!r}")
        kind = match.lastgroup or ""
        yield kind, match.group(kind)
        position = match.end()


def references(expression: str) -> list[str]:
    return [value for kind, value in tokens(expression) if kind == "name" and value not in LITERALS]


LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    return bool(left == right)


class _Parser:
    def __init__(self, expression: str, lookup: Mapping[str, Any]) -> None:
        self.items = list(tokens(expression))
        self.lookup = lookup

    def parse(self) -> Any:
        value = self.disjunction()
        if self.items:
            raise ValueError(f"unexpected {self.items[0][1]!r}")
        return value

    def take(self, *ops: str) -> str | None:
        if self.items and self.items[0][0] == "op" and self.items[0][1] in ops:
            return self.items.pop(0)[1]
        return None

    def disjunction(self) -> Any:
        value = self.conjunction()
        while self.take("||"):
            right = self.conjunction()
            value = value or right
        return value

    def conjunction(self) -> Any:
        value = self.comparison()
        while self.take("&&"):
            right = self.comparison()
            value = value and right
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while op := self.take("==", "!="):
            right = self.unary()
            value = _equal(value, right) == (op == "==")
        return value

    def unary(self) -> Any:
        if self.take("!"):
            return not self.unary()
        if self.take("("):
            value = self.disjunction()
            if not self.take(")"):
                raise ValueError("missing )")
            return value
        kind, text = self.items.pop(0)
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "name" and text in LITERALS:
            return LITERALS[text]
        if kind == "name":
            return self.lookup.get(text)  # GitHub: a missing property is null
        raise ValueError(f"unexpected {text!r}")


def evaluate(expression: str, contexts: Mapping[str, Any]) -> Any:
    """The value of ``expression`` with every lookup taken from ``contexts`` (dotted names)."""
    return _Parser(expression, contexts).parse()


def outcomes(expression: str, contexts: Mapping[str, Any]) -> set[Any]:
    """Every value ``expression`` can take, trying 'true' and 'false' for each unknown."""
    unknown = sorted(
        {name for name in references(expression) if name.startswith(("steps.", "needs.")) and name not in contexts}
    )
    return {
        evaluate(expression, {**contexts, **dict(zip(unknown, values, strict=True))})
        for values in itertools.product(["true", "false"], repeat=len(unknown))
    }


def as_string(value: Any) -> str:
    """How GitHub writes an expression's value into an env variable or an output."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
