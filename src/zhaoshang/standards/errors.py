"""The one error class of the project's pure code: a message for people in Chinese and in English.

Every pure module (parsers, coordinates, geometry, shapefiles, matching, complexity, CPM, gaps) raises a thin
subclass of ``BilingualError``; the Django shell shows ``message(language)`` to the user, ``str()`` is Chinese.
"""

from __future__ import annotations

from typing import Any


def in_language(zh: str, en: str, language: str | None) -> str:
    """``zh`` for a Chinese language code (``zh-hans``, ``zh-cn``) or none, else ``en``."""
    return zh if not language or language.lower().startswith("zh") else en


def _rebuilt(cls: type[BilingualError], args: tuple[Any, ...]) -> BilingualError:
    # BaseException.__new__ sets args without calling __init__, whose signature subclasses may change.
    return cls.__new__(cls, *args)


class BilingualError(ValueError):
    """Bad input, said in both languages: ``zh`` and ``en``; ``str()`` is ``zh``.

    Both messages go to ``args`` and the error pickles with every extra attribute a subclass sets (task queues,
    multiprocessing), whatever that subclass's ``__init__`` takes.
    """

    zh: str
    en: str

    def __init__(self, zh: str, en: str, *extra: Any) -> None:
        super().__init__(zh, en, *extra)
        self.zh = zh
        self.en = en

    def __str__(self) -> str:
        return self.zh

    def message(self, language: str | None) -> str:
        """The message for a language code such as Django's ``get_language()``: Chinese unless English."""
        return in_language(self.zh, self.en, language)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (type(self), self.args), self.__dict__)
