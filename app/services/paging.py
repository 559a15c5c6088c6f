"""Keyset paging (SPEC §9): a page is the rows after (or before) one row's sort key, never an OFFSET.

A list sorts on NOT NULL columns that end in a unique one (the id), all in one direction, and has an index in
that order; a page reads size + 1 rows to learn whether another follows. The links carry the boundary row's
sort values as an opaque URL-safe token, so page 400 costs what page 1 costs.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, asc, bindparam, desc, func, select, tuple_

from app.extensions import db

PAGE_SIZE = 50


@dataclass(frozen=True)
class Order:
    columns: Sequence  # model columns, the last one unique
    descending: bool = False


@dataclass(frozen=True)
class PageRequest:
    """Where the reader stands: after (下一页) or before (上一页) a row's token, or at the first page."""

    after: str | None = None
    before: str | None = None
    size: int = PAGE_SIZE


@dataclass
class Page:
    items: list
    total: int | None  # None where counting would read the whole history (the audit trail)
    next_token: str | None  # the page after the last item, None on the last page
    previous_token: str | None  # the page before the first item, None on the first page


def page_of(query: Select, order: Order, key: Callable, wanted: PageRequest, load: Sequence = (),
            counted: bool = True) -> Page:
    """One page of the filtered query in `order`, its rows read with the `load` options (eager loads, computed
    columns) that the total leaves out; `key(item)` gives an item's sort values."""
    backwards = wanted.before is not None
    boundary = decoded(order, wanted.before if backwards else wanted.after)
    if boundary is None:
        backwards = False
    rows = read(query.options(*load), order, boundary, backwards, wanted.size + 1)
    more = len(rows) > wanted.size
    items = rows[: wanted.size]
    if backwards:
        items.reverse()
    has_next, has_previous = (True, more) if backwards else (more, boundary is not None)
    return Page(
        items=items,
        total=count(query) if counted else None,
        next_token=encoded(key(items[-1])) if items and has_next else None,
        previous_token=encoded(key(items[0])) if items and has_previous else None,
    )


def read(query: Select, order: Order, boundary: tuple | None, backwards: bool, limit: int) -> list:
    # Reading backwards walks the same index the other way, then the page is turned round.
    newest_first = order.descending != backwards
    if boundary is not None:
        sort_key = tuple_(*order.columns)
        values = tuple_(*(bindparam(None, value, type_=column.type) for column, value in zip(
            order.columns, boundary, strict=True)))
        query = query.where(sort_key < values if newest_first else sort_key > values)
    direction = desc if newest_first else asc
    query = query.order_by(None).order_by(*(direction(column) for column in order.columns)).limit(limit)
    result = db.session.execute(query)
    return list(result.scalars() if len(query.column_descriptions) == 1 else result)


def count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def encoded(values: Sequence) -> str:
    plain = [value.isoformat() if isinstance(value, date) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain, ensure_ascii=False).encode()).decode().rstrip("=")


def decoded(order: Order, token: str | None) -> tuple | None:
    """The sort values a token carries; a damaged or foreign token reads as no token (the first page)."""
    if not token:
        return None
    try:
        plain = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(plain, list) or len(plain) != len(order.columns):
            return None
        return tuple(typed(column, value) for column, value in zip(order.columns, plain, strict=True))
    except (ValueError, TypeError, binascii.Error):
        return None


def typed(column, value):
    kind = column.type.python_type
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if not isinstance(value, kind):
        raise TypeError(f"{column} wants {kind.__name__}")
    return value
