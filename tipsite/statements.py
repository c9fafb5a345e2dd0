"""Queries that Django's ORM builds and compiles once per process, then runs with new values.

A page kind asks the same questions on every request with other values: the tip at this
address, its sources, its first comments. Building such a queryset (resolving each lookup and
join) and compiling it to SQL costs the worker more than the database takes to answer it:
~1 ms for a tip page's five-table select, against well under a millisecond of PostgreSQL.

:class:`Prepared` builds its queryset once with stand-in values, compiles it, and notes where
each value went among the SQL's parameters (as the database backend adapted it). A call puts
the real values there, adapted the same way, and lets the ORM run the SQL and make its rows
as it always does: the same objects or tuples, converters and all. Nothing is cached but the
SQL and the compiler's account of its columns; every call reads the database.

Values that change the SQL's shape rather than its parameters, such as a choice of order, are
named in ``shape``: each shape is compiled once. A list of ids is a parameter per id, so its
length is part of the shape, and so is a value left out (None). A statement made with
``window=True`` reads rows ``start`` to ``stop`` of its query: the number of rows is part of
the shape, and where they start is a parameter (so page 500 of a listing is compiled once with
page 1).
"""

import copy
import datetime
import functools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Different shapes kept per statement (a listing's pages, say): the oldest go beyond this.
SHAPES = 64
# Stand-ins, unlike any value a page asks for; integers within any database's INTEGER.
_INT = 1_987_000_000
_OFFSET = 1_987_654_321
# The name a windowed statement's first row goes by among its values.
_START = "start"
_MOMENT = datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class _Slot:
    index: int  # among the SQL's parameters
    name: str
    item: int | None  # the position in a list value
    adapt: Callable | None  # how the backend adapted the value, if it did


@dataclass(frozen=True)
class _Compiled:
    compiler: SQLCompiler | None  # None: the query can have no rows
    sql: str
    params: tuple
    slots: tuple[_Slot, ...]
    queryset: QuerySet | None
    # Whether a column is a composite key's, whose converters Django works out column by column.
    composite: bool = False
    # How the backend and the fields convert each column's values, per connection: Django
    # works them out afresh for every run (3% of a tip page's instructions: 60 columns).
    converters: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)


class Prepared:
    """``build(**values)``'s query, compiled once per shape and database, run for each call.

    ``build`` must pass each value straight to a lookup (``filter(slug=slug)``, ``pk__in=ids``):
    strings, integers, aware datetimes, and lists of integers. A call returns the rows as a
    list, never a queryset: the queryset behind it holds the stand-ins.
    """

    def __init__(
        self, build: Callable[..., QuerySet], *, shape: tuple[str, ...] = (), window: bool = False
    ):
        self.build = build
        self.shape = shape
        self.window = window
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()
        functools.update_wrapper(self, build)

    @classmethod
    def windowed(cls, build: Callable[..., QuerySet]) -> "Prepared":
        """``@Prepared.windowed``: a statement called with ``start`` and ``stop``, the rows to
        read (see the module's docstring)."""
        return cls(build, window=True)

    def __call__(self, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        rows = None
        if self.window:
            start, stop = values.pop("start"), values.pop("stop")
            if stop <= start:
                return []
            rows = stop - start
        forms = ((name, self._form(name, value)) for name, value in sorted(values.items()))
        key = (using, rows, *forms)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(using, values, rows)
            with self._lock:
                if len(self._compiled) >= SHAPES:
                    self._compiled.pop(next(iter(self._compiled)))
                self._compiled[key] = compiled
        if compiled.compiler is None:
            return []
        if self.window:
            values[_START] = start
        params = list(compiled.params)
        for slot in compiled.slots:
            value = values[slot.name] if slot.item is None else values[slot.name][slot.item]
            params[slot.index] = slot.adapt(value) if slot.adapt else value
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[using]
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, tuple(params))
        if not compiled.composite:
            compiler.get_converters = functools.partial(_converters, compiled, compiler)
        queryset = compiled.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def _form(self, name: str, value):
        """What of ``value`` decides the SQL: itself for a shape's value; else its being None,
        its length (a list), or its type (a parameter's stand-in)."""
        if name in self.shape:
            return ("shape", value)
        if value is None:
            return None
        return len(value) if isinstance(value, list | tuple) else type(value)

    def _compile(self, using: str, values: dict, rows: int | None) -> _Compiled:
        try:
            queryset, compiler, sql, params, slots = self._sql(using, values, rows)
        except EmptyResultSet:
            return _Compiled(None, "", (), (), None)
        held = {slot.name for slot in slots} - {_START}
        if held != self._parameters(values):
            # A value that no parameter holds must change nothing (a topic without categories
            # needs no day for its tip of the day): the SQL made with other stand-ins says so.
            # One that Django turned into something else ("%word%") is refused.
            _, _, other_sql, other_params, _ = self._sql(using, values, rows, variant=1)
            unheld = {slot.index for slot in slots}
            if other_sql != sql or [p for i, p in enumerate(params) if i not in unheld] != [
                p for i, p in enumerate(other_params) if i not in unheld
            ]:
                missing = sorted(self._parameters(values) - held)
                raise TypeError(f"{self.build.__qualname__}: no parameter holds {missing}")
        columns = [column for column, *_ in compiler.select[: compiler.col_count]]
        composite = compiler.has_composite_fields(columns)
        return _Compiled(compiler, sql, tuple(params), tuple(slots), queryset, composite)

    def _parameters(self, values: dict) -> set[str]:
        """The names of the values that go into the SQL as parameters."""
        return {
            name
            for name, value in values.items()
            if self._form(name, value) not in (None, 0) and name not in self.shape
        }

    def _sql(self, using: str, values: dict, rows: int | None, variant: int = 0):
        connection = connections[using]
        stand_ins, found = {}, {}
        for number, (name, value) in enumerate(sorted(values.items())):
            if name in self.shape or value is None:
                stand_ins[name] = value
            elif isinstance(value, list | tuple):
                stand_ins[name] = [
                    _stand_in(0, number, item, variant) for item in range(len(value))
                ]
                for item, stand_in in enumerate(stand_ins[name]):
                    found[stand_in] = (name, item)
            else:
                stand_ins[name] = _stand_in(value, number, 0, variant)
                found[stand_ins[name]] = (name, None)
        queryset = self.build(**stand_ins)
        if rows is not None:
            queryset = queryset[_OFFSET : _OFFSET + rows]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        adapters = (None, connection.ops.adapt_datetimefield_value)
        for index, param in enumerate(params):
            for adapt in adapters:
                for stand_in, (name, item) in found.items():
                    if _same(stand_in, param, adapt):
                        slots.append(_Slot(index, name, item, adapt))
        if rows is not None:
            # Django writes a slice's bounds into the SQL, last: the start becomes a parameter.
            offset = f" OFFSET {_OFFSET}"
            if not sql.endswith(offset):
                raise TypeError(f"{self.build.__qualname__}: no OFFSET at the end of {sql!r}")
            sql = sql.removesuffix(offset) + " OFFSET %s"
            params = (*params, _OFFSET)
            slots.append(_Slot(len(params) - 1, _START, None, None))
        return queryset, compiler, sql, params, slots


def _converters(compiled: _Compiled, compiler: SQLCompiler, expressions) -> dict:
    """``compiler.get_converters(expressions)``, worked out once per connection: a statement's
    columns are the same on every run."""
    found = compiled.converters.get(compiler.connection)
    if found is None:
        found = type(compiler).get_converters(compiler, expressions)
        compiled.converters[compiler.connection] = found
    return found


def _stand_in(value, number: int, item: int = 0, variant: int = 0):
    if isinstance(value, bool):
        raise TypeError("a Prepared value cannot be a bool (the database may inline it)")
    if isinstance(value, int):
        return _INT + variant * 500_000 + number * 1000 + item
    if isinstance(value, str):
        return f"\x1fprepared-{number}-{variant}\x1f"
    if isinstance(value, datetime.datetime):
        return _MOMENT + datetime.timedelta(microseconds=number + 1, seconds=variant)
    raise TypeError(f"a Prepared value cannot be a {type(value).__name__}")


def _same(stand_in, param, adapt) -> bool:
    if adapt is None:
        return type(param) is type(stand_in) and param == stand_in
    if not isinstance(stand_in, datetime.datetime):
        return False
    adapted = adapt(stand_in)
    return adapted is not stand_in and type(param) is type(adapted) and param == adapted
