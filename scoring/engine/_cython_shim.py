"""A stand-in for Cython's pure-Python-mode names when Cython is not installed.

The hot modules do::

    try:
        import cython
    except ImportError:
        from scoring.engine import _cython_shim as cython

so their annotations and decorators mean nothing in pure Python: types are Python's own,
decorators return the function unchanged, ``declare`` and ``cast`` return the value.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F")

compiled = False

# C types, usable as annotations: Python's own types stand for them.
int = builtins.int
long = builtins.int
longlong = builtins.int
short = builtins.int
char = builtins.int
uint = builtins.int
ulong = builtins.int
ulonglong = builtins.int
Py_ssize_t = builtins.int  # noqa: N816
size_t = builtins.int
Py_UCS4 = builtins.str  # noqa: N816
Py_UNICODE = builtins.str  # noqa: N816
bint = builtins.bool
float = builtins.float
double = builtins.float
longdouble = builtins.float
complex = builtins.complex
object = builtins.object
void = None
# Pointers: never dereferenced in pure Python, annotations only.
p_int = p_long = p_double = p_char = p_Py_ssize_t = builtins.object  # noqa: N816


def _identity(func: F) -> F:
    return func


# Decorators without arguments.
cfunc = ccall = inline = final = cclass = nogil = _identity
ufunc = _identity


def locals(**_types: Any) -> Callable[[F], F]:
    return _identity


def _flag(_flag: builtins.bool = True) -> Callable[[F], F]:
    return _identity


boundscheck = wraparound = cdivision = initializedcheck = nonecheck = _flag
overflowcheck = profile = linetrace = always_allow_keywords = _flag


def exceptval(*_args: Any, **_kwargs: Any) -> Callable[[F], F]:
    return _identity


returns = exceptval


def declare(type: Any = None, value: Any = None, **_kwargs: Any) -> Any:
    return value


def cast(_type: Any, value: Any, *_args: Any, **_kwargs: Any) -> Any:
    return value


def sizeof(_value: Any) -> builtins.int:
    return 1


def typeof(value: Any) -> str:
    return type(value).__name__


def address(value: Any) -> Any:
    return value
