"""Words for BM25 in any script. Latin-script text passes through untouched (BM25's own
tokenizer lowercases and stems it), so an English store indexes exactly as before. Chinese is
cut into words by rjieba (jieba's dictionary and HMM in Rust, about 18x faster than jieba and
with no dictionary to build at start), in search mode, so a compound is also indexed by the
words inside it (麻辣火锅: 麻辣, 火锅); its characters are indexed too, so a one-character
query (辣) finds the words it is part of (太辣). Japanese kana and Korean hangul have no
segmenter here: they are indexed as overlapping character pairs, the way Lucene's CJK analyzer
does, which finds words inside longer runs at some cost in precision. Documents and queries go
through the same function on both backends, so their sparse vectors agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

from memos_cli.text.scripts import Script, runs
from memos_cli.text.stopwords import CHINESE


def _han_words(run: str) -> Iterator[str]:
    import rjieba  # a Rust extension: loaded only for text that needs it

    for word in rjieba.cut_for_search(run):  # the words, and the words inside compounds
        if word not in CHINESE:
            yield word
    for word in rjieba.cut(run):
        if len(word) > 1 and word not in CHINESE:
            yield from word


def _pairs(run: str) -> Iterator[str]:
    if len(run) == 1:
        yield run
        return
    for i in range(len(run) - 1):
        yield run[i:i + 2]


def bm25_text(text: str) -> str:
    """The text as BM25 should tokenize it: CJK words separated by spaces."""
    if text.isascii():
        return text
    # NFKC folds full-width letters and digits (Ｇｏｏｇｌｅ, ２０２５) into ASCII.
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for script, run in runs(text):
        if script is Script.OTHER:
            out.append(run)
        elif script is Script.HAN:
            out.extend(_han_words(run))
        else:
            out.extend(_pairs(run))
    return " ".join(out)


Segmenter = Callable[[str], str]
# The store records the segmenter that made its sparse vectors: "none" is what stores made
# before CJK segmentation used (whole runs as one token), kept so that they search as indexed.
SEGMENTERS: dict[str, Segmenter] = {"cjk": bm25_text, "none": lambda text: text}
DEFAULT_SEGMENTER = "cjk"
