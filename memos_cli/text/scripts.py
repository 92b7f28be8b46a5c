"""Which script each stretch of a text is in. Chinese, Japanese and Korean are written without
spaces between words (Korean with spaces between phrases), so everything that looks for words
asks this module first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import Enum


class Script(Enum):
    HAN = "han"  # Chinese characters, also Japanese kanji
    KANA = "kana"  # Japanese hiragana and katakana
    HANGUL = "hangul"
    OTHER = "other"  # Latin, digits, punctuation, spaces: what BM25's own tokenizer reads


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_KANA = "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_RUNS = re.compile(f"([{_HAN}]+)|([{_KANA}ー]+)|([{_HANGUL}]+)|([^{_HAN}{_KANA}{_HANGUL}]+)")
_CJK_CHAR = re.compile(f"[{_HAN}{_KANA}{_HANGUL}]")
_LETTER = re.compile(r"[^\W\d_]")


def runs(text: str) -> Iterator[tuple[Script, str]]:
    """The text as maximal runs of one script each, in order."""
    for match in _RUNS.finditer(text):
        han, kana, hangul, _ = match.groups()
        script = (Script.HAN if han else Script.KANA if kana else Script.HANGUL if hangul
                  else Script.OTHER)
        yield script, match.group()


def has_cjk(text: str) -> bool:
    return not text.isascii() and _CJK_CHAR.search(text) is not None


def cjk_share(texts: Iterable[str]) -> float:
    """The share of letters that are CJK characters. A CJK character carries about a word's
    meaning, so it is weighed like a word (four Latin letters)."""
    cjk = latin = 0
    for text in texts:
        found = len(_CJK_CHAR.findall(text)) if not text.isascii() else 0
        cjk += found
        latin += len(_LETTER.findall(text)) - found
    weighted_latin = latin / 4
    return cjk / (cjk + weighted_latin) if cjk + weighted_latin else 0.0
