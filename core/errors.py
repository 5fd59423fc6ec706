"""The one error convention of every package (the spaCy way).

Each package keeps its messages in one catalogue, a `Catalogue` enum whose member names are the codes and whose
values are the message templates (`G002 = "no {kind} with id {id!r}"`), and has one base exception, a subclass
of `GovKGError` that names that catalogue. A raise site names the entry and fills its placeholders:

    raise NotFound(Errors.G002, kind="entity", id=entity_id)

The exception then carries `code` ("G002") and `message` (the filled template, without the code), and reads
"[G002] no entity with id 'ent_1'". `api/errors.py` maps every `GovKGError` subclass to HTTP in one place, and
`tools/error_table.py` writes the README's table of codes from the catalogues.
"""
from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar


class Catalogue(str, Enum):
    """A package's coded messages: the member name is the code, the value its message template."""

    @property
    def code(self) -> str:
        return self.name

    def text(self, **kwargs: object) -> str:
        """The message with its placeholders filled, without the code."""
        return str(self.value).format(**kwargs)

    def format(self, **kwargs: object) -> str:  # type: ignore[override]
        """The message as it reads in logs and reports: "[CODE] message"."""
        return f"[{self.name}] {self.text(**kwargs)}"


class GovKGError(Exception):
    """Base class of every GovKG error. A package's base class sets `catalogue` (its `Catalogue` enum) and
    `package`; its exceptions are raised with an entry of that catalogue only, never with a free-text message."""

    catalogue: ClassVar[type[Catalogue]]
    package: ClassVar[str]

    def __init__(self, error: Catalogue, **kwargs: object) -> None:
        catalogue = getattr(type(self), "catalogue", None)
        if catalogue is None or not isinstance(error, catalogue):
            expected = catalogue.__module__ + "." + catalogue.__qualname__ if catalogue else "a package catalogue"
            raise TypeError(f"{type(self).__name__} takes an entry of {expected}, not {error!r}")
        self.code: str = error.name
        self.message: str = error.text(**kwargs)
        super().__init__(f"[{self.code}] {self.message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable with its attributes (a loader worker process sends its errors back to the importer)
        return _rebuild, (type(self), self.args, dict(self.__dict__))


def _rebuild(cls: type[GovKGError], args: tuple[object, ...], state: dict[str, object]) -> GovKGError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


def family_of(cls: type[GovKGError]) -> type[GovKGError]:
    """The package base class that `cls` derives from."""
    for base in cls.__mro__:
        if GovKGError in base.__bases__:
            return base
    raise TypeError(f"{cls.__name__} is not a package error")
