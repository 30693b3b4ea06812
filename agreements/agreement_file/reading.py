"""What every schema's reader shares: loading YAML without losing what was written, and checks.

YAML turns an unquoted ``9.10`` into the float 9.1 and ``010`` into the integer 8, so a
clause number read naively is silently not the agreement's. The loader here keeps the text
of every number as written beside its value; the reader accepts a number where a whole
number is meant and refuses one where a clause number or code is meant, showing the fix.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, NoReturn, overload

import yaml

from core.bounds import CONTROL_CHARACTERS, EARLIEST_DAY, LATEST_DAY, day_in_bounds, has_control_characters

#: Codes become part of URL paths (/agreements/<slug>/commitments/<code>/): letters, digits and
#: the marks that need no escaping and cannot be read as a path step ("/", ".", "..").
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~()-]*$")
CODE_MAX = 40
KEY_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def code_problem(code: str) -> str | None:
    """The problem with an item or obligation code, which becomes part of a web address."""
    if len(code) > CODE_MAX or not CODE_RE.match(code):
        return (
            f"{code!r} cannot be part of a web address: use at most {CODE_MAX} letters, digits "
            "and the marks . - _ ~ ( ), starting with a letter or digit (no '/', spaces or '#')"
        )
    return None


class AgreementFileError(ValueError):
    """A data file that cannot be imported; the message names file, field and problem."""

    def __init__(self, path: str | Path, field_path: str, problem: str) -> None:
        self.path = str(path)
        self.field_path = field_path
        self.problem = problem
        super().__init__(f"{self.path}: {field_path}: {problem}")


class Number:
    """A YAML number with the text it was written as (``9.10`` stays ``9.10`` here)."""

    __slots__ = ("text", "value")

    def __init__(self, value: int | float, text: str) -> None:
        self.value = value
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Number):
            return self.value == other.value
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)


#: libyaml's parser when PyYAML was built with it (the wheels are): a 20,000-clause file reads
#: in about a second instead of ten. The constructors (ours below) are the same Python code.
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextKeepingLoader(_SafeLoader):
    """A SafeLoader whose numbers remember how they were written."""


def _number(constructor: Any) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Number:
        return Number(constructor(loader, node), node.value)

    return construct


_TextKeepingLoader.add_constructor("tag:yaml.org,2002:int", _number(yaml.SafeLoader.construct_yaml_int))
_TextKeepingLoader.add_constructor("tag:yaml.org,2002:float", _number(yaml.SafeLoader.construct_yaml_float))


def load_yaml(path: str | Path) -> Any:
    """The file's YAML, numbers as `Number`; refusals name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AgreementFileError(path, "(file)", "no such file") from None
    except UnicodeDecodeError as exc:
        raise AgreementFileError(path, "(file)", f"is not UTF-8 text: {exc}") from None
    raw = CONTROL_CHARACTERS.search(text)
    if raw is not None:
        # YAML refuses most control characters written as they are (NUL, ESC), naming only a
        # position in the stream. Read again with each swapped for a mark YAML accepts, so the
        # refusal names the field that holds it.
        marked = _load(path, CONTROL_CHARACTERS.sub(_MARK, text))
        line = text[: raw.start()].count("\n") + 1
        field = _field_holding(marked, "", lambda s: _MARK in s) or f"(file) line {line}"
        raise AgreementFileError(path, field, CONTROL_CHARACTER_PROBLEM)
    data = _load(path, text)
    # Escapes ("\0", "\x1b") and NEL pass YAML's own check; nothing stores them either.
    escaped = _field_holding(data, "", has_control_characters)
    if escaped is not None:
        raise AgreementFileError(path, escaped, CONTROL_CHARACTER_PROBLEM)
    return data


CONTROL_CHARACTER_PROBLEM = "holds a control character (such as NUL) that cannot be stored; remove it"

#: What a raw control character is read as while looking for its field: a noncharacter, which
#: YAML accepts and no text exchanged between people contains.
_MARK = "\ufdd0"


def _load(path: str | Path, text: str) -> Any:
    if text.lstrip().startswith("{"):
        # JSON is YAML too, and json reads it ten times faster; numbers keep their text as in
        # YAML. Anything json refuses (a comment, a duplicate-free YAML extension) goes to YAML.
        try:
            return json.loads(text, parse_int=_json_number(int), parse_float=_json_number(float))
        except ValueError:
            pass
    try:
        return _load_in_parts(text)
    except yaml.YAMLError as exc:
        raise AgreementFileError(path, "(file)", f"is not valid YAML: {exc}") from None


class _PartsLoader(_TextKeepingLoader):
    """The loader composing one node at a time from libyaml's events (PyYAML's own composer).

    libyaml's composer only builds a whole document: every node of a 20,000-clause file at once
    (about 100 MB, far more than the values they become). PyYAML's composer, run over the same
    events, builds one value's nodes, which are dropped once the value is made.
    """

    anchors: dict[str, yaml.Node]
    compose_node = yaml.composer.Composer.compose_node
    compose_scalar_node = yaml.composer.Composer.compose_scalar_node
    compose_sequence_node = yaml.composer.Composer.compose_sequence_node
    compose_mapping_node = yaml.composer.Composer.compose_mapping_node


def _load_in_parts(text: str) -> Any:
    """What `yaml.load` gives, made one top-level field (and one item of a top-level list) at a time.

    The nodes of one item (a clause) live only while it is made, so reading holds the file's
    values, not their nodes as well. A document of any other shape (not a mapping; a merge key,
    an anchor or a tag at the top; more than one document) is read by `yaml.load` as before,
    which also gives its refusals their usual words.
    """
    loader = _PartsLoader(text)
    loader.anchors = {}
    try:
        data = _parts(loader)
    finally:
        loader.dispose()
    if data is _WHOLE:
        return yaml.load(text, Loader=_TextKeepingLoader)  # noqa: S506 - a SafeLoader subclass
    return data


#: `_parts`'s answer for a document it leaves to `yaml.load`.
_WHOLE = object()
_PLAIN_TAGS = (None, "!")


def _parts(loader: _PartsLoader) -> Any:
    events = yaml.events
    loader.get_event()  # the stream's start
    if not loader.check_event(events.DocumentStartEvent):
        return _WHOLE  # an empty stream
    loader.get_event()
    start = loader.peek_event()
    if not isinstance(start, events.MappingStartEvent) or start.anchor or start.tag not in _PLAIN_TAGS:
        return _WHOLE
    loader.get_event()
    data: dict[Any, Any] = {}
    while not loader.check_event(events.MappingEndEvent):
        key_node = _next_node(loader)
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag in _SPECIAL_KEYS:
            return _WHOLE
        key = loader.construct_document(key_node)
        value = loader.peek_event()
        if isinstance(value, events.SequenceStartEvent) and value.anchor is None and value.tag in _PLAIN_TAGS:
            loader.get_event()
            items = []
            while not loader.check_event(events.SequenceEndEvent):
                items.append(loader.construct_document(_next_node(loader)))
            loader.get_event()
            data[key] = items
        else:
            data[key] = loader.construct_document(_next_node(loader))
    loader.get_event()  # the mapping's end
    loader.get_event()  # the document's end
    if not loader.check_event(events.StreamEndEvent):
        return _WHOLE  # a second document: yaml.load refuses it
    return data


def _next_node(loader: _PartsLoader) -> yaml.Node:
    """The next value's nodes (its place in the document matters only to path resolvers: none)."""
    return loader.compose_node(None, None)  # type: ignore[arg-type,return-value]


#: Keys SafeConstructor treats specially in a mapping (``<<`` merges, ``=`` is a value key).
_SPECIAL_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _json_number(kind: Callable[[str], int | float]) -> Callable[[str], Number]:
    return lambda text: Number(kind(text), text)


def _field_holding(value: Any, where: str, bad: Callable[[str], bool]) -> str | None:
    """The path (``parties[0].name``) of the first text, or mapping key, for which `bad` holds."""
    if isinstance(value, str):
        return where if bad(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and bad(key):
                return where or "(file)"
            found = _field_holding(item, f"{where}.{key}" if where else str(key), bad)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _field_holding(item, f"{where}[{i}]", bad)
            if found is not None:
                return found
    return None


def plain(value: Any) -> Any:
    """The value with every `Number` replaced by its int or float (as yaml.safe_load gives)."""
    if isinstance(value, Number):
        return value.value
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class Reader:
    """Field checks that raise AgreementFileError naming the file, the field and the problem."""

    def __init__(self, path: str | Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> NoReturn:
        raise AgreementFileError(self.path, where, problem)

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping of fields")
        return value

    def only(self, data: dict, allowed: set[str], where: str) -> None:
        """Refuse a field the schema does not have (a misspelt one would be silently ignored)."""
        for key in data:
            if str(key) not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(f"{where}.{key}" if where else str(key), f"is not a field here (fields: {known})")

    def items(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> list:
        if key not in data or data[key] is None:
            if required:
                self.fail(f"{where}{key}", "is missing")
            return []
        value = data[key]
        if not isinstance(value, list):
            self.fail(f"{where}{key}", "must be a list")
        return value

    def text(self, data: dict, key: str, where: str, *, required: bool = True, default: str = "") -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{where}.{key}", "is missing")
            return default
        if isinstance(value, Number):
            return value.text.strip()
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(f"{where}.{key}", "must be text")
        return str(value).strip()

    @overload
    def number_text(self, data: dict, key: str, where: str, *, required: Literal[True] = ...) -> str: ...
    @overload
    def number_text(self, data: dict, key: str, where: str, *, required: bool) -> str | None: ...
    def number_text(self, data: dict, key: str, where: str, *, required: bool = True) -> str | None:
        """A clause number or code: text exactly as written; a YAML number is refused with the fix.

        An integer written plainly (``7``) reads the same as text and is accepted; ``9.10``
        (read as 9.1), ``010`` (read as 8) and any other number are refused.
        """
        value = data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, Number):
            if isinstance(value.value, int) and str(value.value) == value.text:
                return value.text
            self.fail(
                f"{where}.{key}",
                f"{value.text} is read by YAML as the number {value.value!r}, not as the text "
                f'{value.text!r}; write it in quotes exactly as in the agreement: "{value.text}"',
            )
        return self.text(data, key, where)

    def code(self, data: dict, key: str, where: str) -> str:
        """An item or obligation code, which becomes part of the item's web address."""
        code = self.number_text(data, key, where) or ""
        if problem := code_problem(code):
            self.fail(f"{where}.{key}", problem)
        return code

    @overload
    def date(self, data: dict, key: str, where: str, *, required: Literal[True] = ...) -> datetime.date: ...
    @overload
    def date(self, data: dict, key: str, where: str, *, required: bool) -> datetime.date | None: ...
    def date(self, data: dict, key: str, where: str, *, required: bool = True) -> datetime.date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is missing")
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            text = value.text if isinstance(value, Number) else str(value)
            try:
                value = datetime.date.fromisoformat(text)
            except ValueError:
                self.fail(f"{where}.{key}", f"{text!r} is not a date (use YYYY-MM-DD)")
        if not day_in_bounds(value):
            # 0001-01-01 or 9999-12-31 is a slip; stored, it breaks every page counting from it.
            self.fail(
                f"{where}.{key}",
                f"{value.isoformat()} is not a day an agreement can concern: "
                f"use a day between {EARLIEST_DAY:%Y-%m-%d} and {LATEST_DAY:%Y-%m-%d}",
            )
        return value

    @overload
    def integer(
        self, data: dict, key: str, where: str, *, minimum: int = 1, required: Literal[True] = ...
    ) -> int: ...
    @overload
    def integer(
        self, data: dict, key: str, where: str, *, minimum: int = 1, required: bool
    ) -> int | None: ...
    def integer(
        self, data: dict, key: str, where: str, *, minimum: int = 1, required: bool = True
    ) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is missing")
            return None
        number = value.value if isinstance(value, Number) else value
        if isinstance(number, bool) or not isinstance(number, int) or number < minimum:
            shown = value.text if isinstance(value, Number) else repr(value)
            self.fail(f"{where}.{key}", f"{shown} is not a whole number of at least {minimum}")
        return number

    def boolean(self, data: dict, key: str, where: str, *, default: bool = False) -> bool:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", f"{value!r} must be true or false")
        return value
