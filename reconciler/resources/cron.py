"""Cron expressions of schedule triggers: checked field by field (minute hour day-of-month
month day-of-week, UTC), matched against a time, and made from a legacy schedule's timetable.

The grammar is the classic five-field one CircleCI's docs show: `*`, numbers, ranges `a-b`,
steps `*/n` and `a-b/n`, lists `a,b`, and month and day names (JAN, MON). A day of the week
is 0-7 (0 and 7 are Sunday). As in classic cron, when both day fields are restricted a time
matches either of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


@dataclass(frozen=True)
class Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    first_name: int = 0  # the number the first name stands for


FIELDS = (
    Field("minute", 0, 59),
    Field("hour", 0, 23),
    Field("day of month", 1, 31),
    Field("month", 1, 12, tuple(MONTHS), 1),
    Field("day of week", 0, 7, tuple(DAYS), 0),
)


class CronError(ValueError):
    """The expression is not a five-field cron expression; the message names the field."""


def _number(text: str, f: Field) -> int:
    upper = text.upper()
    if upper in f.names:
        return f.names.index(upper) + f.first_name
    if not text.isdigit():
        raise CronError(f"{f.name} field: {text!r} is not a number" + _named(f))
    value = int(text)
    if not f.low <= value <= f.high:
        raise CronError(f"{f.name} field: {value} is outside {f.low}-{f.high}")
    return value


def _named(f: Field) -> str:
    return f" or a name ({f.names[0]}...{f.names[-1]})" if f.names else ""


def _part(part: str, f: Field) -> set[int]:
    body, _, step_text = part.partition("/")
    step = 1
    if step_text or part.endswith("/"):
        if not step_text.isdigit() or int(step_text) == 0:
            raise CronError(f"{f.name} field: step {step_text!r} must be a whole number above 0")
        step = int(step_text)
    if body == "*":
        low, high = f.low, f.high
    elif "-" in body:
        a, _, b = body.partition("-")
        low, high = _number(a, f), _number(b, f)
        if low > high:
            raise CronError(f"{f.name} field: range {body!r} runs backwards")
    else:
        low = high = _number(body, f)
        if step_text:
            high = f.high  # `5/15`: from 5 on, every 15
    return set(range(low, high + 1, step))


def parse(expression: str) -> list[set[int] | None]:
    """The values each field allows (None: `*`, unrestricted), or CronError."""
    if not isinstance(expression, str):
        raise CronError("a cron expression is text: minute hour day-of-month month day-of-week")
    if not expression.isascii():  # `²` and `٣` are digits to Python, and NBSP a space
        raise CronError("a cron expression is written in ASCII: digits 0-9, names, * , - /")
    parts = expression.split()
    if len(parts) != len(FIELDS):
        raise CronError(
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), "
            f"not {len(parts)}"
        )
    out: list[set[int] | None] = []
    for text, f in zip(parts, FIELDS, strict=True):
        if text == "*":
            out.append(None)
            continue
        values: set[int] = set()
        for piece in text.split(","):
            if not piece:
                raise CronError(f"{f.name} field: {text!r} has an empty list item")
            values |= _part(piece, f)
        if f.name == "day of week" and 7 in values:
            values = (values - {7}) | {0}
        out.append(values)
    return out


def check(expression: str) -> str:
    parse(expression)
    return expression


def fires(expression: str, when: datetime) -> bool:
    """Whether the expression fires at `when` (UTC, to the minute)."""
    minute, hour, dom, month, dow = parse(expression)
    weekday = (when.weekday() + 1) % 7  # Monday is 1, Sunday 0
    if minute is not None and when.minute not in minute:
        return False
    if hour is not None and when.hour not in hour:
        return False
    if month is not None and when.month not in month:
        return False
    if dom is not None and dow is not None:
        return when.day in dom or weekday in dow
    if dom is not None:
        return when.day in dom
    return dow is None or weekday in dow


class Inexpressible(ValueError):
    """A timetable no single cron expression states."""


def from_timetable(timetable: Mapping[str, object]) -> str:
    """One cron expression that fires when the timetable does. A legacy schedule runs
    `per_hour` times in each listed hour, evenly spaced from the top of the hour: minutes
    0, 60/n, 2*60/n...; that needs n to divide 60."""
    per_hour = timetable.get("per_hour")
    if not isinstance(per_hour, int) or not 1 <= per_hour <= 60:
        raise Inexpressible("per_hour must be a whole number from 1 to 60")
    if 60 % per_hour:
        raise Inexpressible(
            f"per_hour {per_hour} does not divide an hour evenly: no single cron expression "
            "runs it (use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)"
        )
    minute = "0" if per_hour == 1 else "*" if per_hour == 60 else f"*/{60 // per_hour}"
    hours = _list(timetable.get("hours_of_day"), "hours_of_day")
    dom = timetable.get("days_of_month")
    dow = timetable.get("days_of_week")
    if dom and dow:
        raise Inexpressible("days_of_week and days_of_month together: cron would run on either")
    months = timetable.get("months")
    return " ".join(
        [
            minute,
            ",".join(str(h) for h in sorted(hours)),
            ",".join(str(d) for d in sorted(_list(dom, "days_of_month"))) if dom else "*",
            _names(months, MONTHS) if months else "*",
            _names(dow, DAYS) if dow else "*",
        ]
    )


def _list(value: object, what: str) -> list[int]:
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise Inexpressible(f"{what} must list at least one value")
    return [int(v) for v in value]


def _names(values: object, order: list[str]) -> str:
    assert isinstance(values, Sequence)
    wanted = {str(getattr(v, "value", v)) for v in values}
    return ",".join(n for n in order if n in wanted)
