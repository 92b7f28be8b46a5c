"""Whether a history is English, told from a sample of its texts, without a language model:
MiniLM (the default) reads only English, so a new store of any other language gets the
multilingual model. CJK text is told by its script; text in Latin or other alphabets by how
many of its words are English function words, which make up a third of any English text and
almost none of Spanish, German or Russian."""

from __future__ import annotations

import re
from collections.abc import Iterable

from memos_cli.text.scripts import cjk_share

# Words of no other common language ("a", "in", "so", "was", "die" are Spanish, German or
# Italian words too).
_ENGLISH = frozenset("""
about after all and are at been but by can could did do does don't for from had has have he
her him his how i'm i've if is it it's just like my not of on or our she than that the their
them then there they this to up us we were what when which who will with would you your
""".split())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

# A sample at least this CJK by words is a CJK history.
CJK_FROM = 0.3
# A sample of at least MIN_WORDS other words of which fewer than this share are English
# function words is not English (English runs at 0.3-0.5; Spanish, German, French under 0.05).
ENGLISH_FROM = 0.12
MIN_WORDS = 20


def english_share(texts: Iterable[str]) -> tuple[float, int]:
    """The share of alphabetic words that are English function words, and how many words."""
    english = total = 0
    for text in texts:
        for word in _WORD.findall(text.lower()):
            total += 1
            english += word in _ENGLISH
    return (english / total if total else 0.0), total


def is_english(texts: list[str]) -> bool:
    """False when the sample is CJK, or enough words of another language; an empty or tiny
    sample counts as English (the default model)."""
    if cjk_share(texts) >= CJK_FROM:
        return False
    share, words = english_share(texts)
    return words < MIN_WORDS or share >= ENGLISH_FROM
