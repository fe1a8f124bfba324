"""A page's settings as a table: defaults, allowed values, URL round-trip.

Like TensorFlow Playground's state table, each setting is declared once; the
page's widgets, the shareable link (query parameters) and the workshop caps
all read the same declaration. Parsing is strict: anything unknown or
malformed in a link is dropped with a notice saying why, never a traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from nnkit.core.plaintext import quote

LOCK_PARAM = "lock"   # ?lock=epochs,lr  : instructor fixes these settings
HIDE_PARAM = "hide"   # ?hide=batch      : instructor hides these controls
IDENTITY = ("learner", "workshop")  # who is learning, where: kept by nnkit.ui.identity
RESERVED = (LOCK_PARAM, HIDE_PARAM, *IDENTITY)


@dataclass(frozen=True)
class Setting:
    """One learner-facing setting; its type is the type of `default`."""

    name: str
    default: Any
    choices: tuple | None = None      # allowed values (selectbox, radio, select_slider)
    low: float | None = None          # numeric range (slider, number_input)
    high: float | None = None
    workshop_high: float | None = None  # tighter cap in workshop mode

    def options(self, workshop: bool) -> tuple | None:
        """The allowed choices; in workshop mode only those up to `workshop_high`."""
        if self.choices is None or not workshop or self.workshop_high is None:
            return self.choices
        return tuple(c for c in self.choices if c <= self.workshop_high)

    def limit(self, workshop: bool) -> float | None:
        if workshop and self.workshop_high is not None:
            return self.workshop_high
        return self.high

    def parse(self, text: str, workshop: bool = False) -> Any:
        """The typed value of `text`, or ValueError with a learner-readable reason."""
        value = _convert(text, type(self.default))
        allowed = self.options(workshop)
        if allowed is not None and value not in allowed:
            raise ValueError(f"must be one of {', '.join(str(c) for c in allowed)}")
        high = self.limit(workshop) if self.choices is None else None
        if self.low is not None and value < self.low or high is not None and value > high:
            raise ValueError(f"must be between {self.low} and {high}")
        return value


@dataclass(frozen=True)
class SettingList(Setting):
    """Several of `choices` (a multiselect), at most `most`, as a list.

    Links carry it comma-separated, `?compare=sigmoid,ReLU`, as `encode` writes it.
    """

    most: int | None = None  # the multiselect's max_selections

    def parse(self, text: str, workshop: bool = False) -> list:
        names = [n.strip().strip("'\"") for n in text.strip().strip("[]").split(",")]
        names = list(dict.fromkeys(n for n in names if n))  # a multiselect refuses duplicates
        unknown = [n for n in names if n not in self.choices]
        if unknown:
            raise ValueError(f"names {quote(unknown[0])}, not one of {', '.join(map(str, self.choices))}")
        if self.most is not None and len(names) > self.most:
            raise ValueError(f"lists {len(names)}; at most {self.most} can be chosen")
        return names


def _convert(text: str, kind: type) -> Any:
    text = text.strip()
    if kind is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError("must be true or false")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError("must be a whole number") from None
    if kind is float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("must be a number") from None
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value
    return text


def defaults(schema: Sequence[Setting]) -> dict[str, Any]:
    return {s.name: s.default for s in schema}


def encode(values: Mapping[str, Any], schema: Sequence[Setting]) -> dict[str, str]:
    """Query parameters for `values`; settings at their default are left out."""
    return {s.name: _text(values[s.name]) for s in schema
            if s.name in values and values[s.name] != s.default}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):  # multi-choice settings read back "a,b"
        return ",".join(str(v) for v in value)
    return str(value)


def decode(params: Mapping[str, str], schema: Sequence[Setting],
           workshop: bool = False) -> tuple[dict[str, Any], list[str]]:
    """Settings found in `params`, and one notice per parameter that was ignored."""
    by_name = {s.name: s for s in schema}
    values, notices = {}, []
    for name, text in params.items():
        if name in RESERVED:
            continue
        setting = by_name.get(name)
        if setting is None:
            notices.append(f"Ignored unknown setting {quote(name)} in the link.")
            continue
        try:
            values[name] = setting.parse(text, workshop)
        except ValueError as reason:
            notices.append(f"Ignored {quote(f'{name}={text}', 60)} in the link: it {reason}.")
    return values, notices


def _listed(params: Mapping[str, str], key: str) -> set[str]:
    return {n.strip() for n in params.get(key, "").split(",") if n.strip()}


def name_list(params: Mapping[str, str], key: str, schema: Sequence[Setting]) -> set[str]:
    """Setting names listed in a comma-separated parameter such as ?lock=a,b."""
    return _listed(params, key) & {s.name for s in schema}


def list_notices(params: Mapping[str, str], schema: Sequence[Setting]) -> list[str]:
    """One notice per unknown name in ?lock= or ?hide=, so a typo does not fail silently."""
    known = {s.name for s in schema}
    return [f"Ignored {quote(name)} in {key}=: this page has no setting of that name."
            for key in RESERVED for name in sorted(_listed(params, key) - known)]
