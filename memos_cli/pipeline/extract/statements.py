"""First-person statements in a user's message -> preference and fact candidates.

Rules, not a model: a sentence (or the statement before a trailing question) that speaks about
the user in the first person and matches one of the patterns below. Each match keeps the user's
own words, with relative dates resolved, and structured attributes (object and polarity for
preferences, slot and value for single-valued facts) for later resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from memos_cli.pipeline.extract.dates import annotate_dates, has_relative_date
from memos_cli.text.scripts import has_cjk

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'll|I'd|im|ive)\b|\b(?:my|me|mine|myself)\b",
                           re.IGNORECASE)
_QUESTION_TAIL = re.compile(
    r",\s*(?:so\s+|and\s+|but\s+)?(?:what|which|where|when|who|how|can|could|would|should|do|does"
    r"|is|are|any|anything)\b[^,]*\?$",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:what|which|where|when|who|whom|whose|why|how|can|could|would|should|do|does|did|is|are"
    r"|am|was|were|will|shall|may|might|have|has)\b",
    re.IGNORECASE,
)
_I = r"\bI(?:'m| am)?"
_ADV = r"(?:\s+(?:really|truly|absolutely|just|also|still|actually|totally|do|kind of|kinda))*"


@dataclass(frozen=True, slots=True)
class Statement:
    kind: str  # "preference" or "fact"
    text: str
    attributes: dict[str, str]


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# (pattern, polarity, what): the object is the named group `obj`.
_PREFERENCES: list[tuple[re.Pattern[str], str, str]] = [
    (_p(r"\bI" + _ADV + r"\s+(?:don't|do not|dont|didn't|never)" + _ADV
        + r"\s+(?:like|love|enjoy|care for|want|eat|drink)\s+(?P<obj>.+)"), "-", "likes"),
    (_p(r"\bI" + _ADV + r"\s+(?:hate|dislike|detest|loathe|can't stand|cannot stand|can't bear"
        r"|avoid)\s+(?P<obj>.+)"), "-", "likes"),
    (_p(r"\bI(?:'m| am)\s+(?:not\s+(?:a\s+)?(?:big\s+)?(?:fan of|into|keen on|fond of))"
        r"\s+(?P<obj>.+)"), "-", "likes"),
    (_p(r"\bI(?:'m| am)\s+allergic to\s+(?P<obj>.+)"), "-", "allergy"),
    (_p(r"\bI have an? (?P<obj>[\w\s-]{2,30}?) allergy\b"), "-", "allergy"),
    (_p(r"\bI" + _ADV + r"\s+(?:like|love|enjoy|adore|prefer|fancy|am into|'m into)\s+(?P<obj>.+)"),
     "+", "likes"),
    (_p(r"\bI(?:'m| am)\s+(?:a\s+)?(?:big\s+|huge\s+)?(?:fan of|keen on|fond of|passionate about)"
        r"\s+(?P<obj>.+)"), "+", "likes"),
    (_p(r"\bmy\s+(?:all[- ]time\s+|absolute\s+)?favou?rite\s+(?P<what>[\w\s-]{1,30}?)\s+"
        r"(?:is|are|was|has to be)\s+(?P<obj>.+)"), "+", "favourite"),
    (_p(r"\bI(?:'ll| will|'d| would|'ve| have)?(?:\s+like to)?\s+(?:choose|chose|pick|picked|"
        r"go with|went with|opt for|opted for|select|selected|decided on|settled on|book|booked)"
        r"\s+(?P<obj>.+)"), "+", "choice"),
    (_p(r"\bI(?:'m| am)\s+(?:a\s+)?(?P<obj>vegetarian|vegan|pescatarian|teetotal"
        r"|lactose[- ]intolerant|gluten[- ]free)\b"), "+", "diet"),
]

# (pattern, slot): single-valued facts a newer statement replaces; the value is group `v`.
_SLOTS: list[tuple[re.Pattern[str], str]] = [
    (_p(r"\bmy name is (?P<v>[\w' -]{1,40})"), "name"),
    (_p(r"\b(?:call me|I'm called|I am called) (?P<v>[\w' -]{1,40})"), "name"),
    (_p(r"\bI(?:'ve| have)? (?:live|lived|am living|'m living|reside|moved|relocated) "
        r"(?:in|to) (?P<v>.+)"), "home"),
    (_p(r"\bI(?:'m| am) (?:from|based in) (?P<v>.+)"), "home"),
    (_p(r"\bI(?:'m| am)? ?(?:work|working) (?:at|for) (?P<v>.+)"), "employer"),
    (_p(r"\bI(?:'m| am)? ?(?:work|working) as (?:an? )?(?P<v>.+)"), "job"),
    (_p(r"\bmy (?:job|profession|occupation) is (?:an? )?(?P<v>.+)"), "job"),
    (_p(r"\bI(?:'m| am) (?P<v>\d{1,3}) (?:years old|yrs old|years of age)"), "age"),
    (_p(r"\bI(?: just)? turned (?P<v>\d{1,3})\b"), "age"),
    (_p(r"\bI(?:'m| am|'ve been| have been)? ?(?:now |just |recently )?(?P<v>single|married|"
        r"divorced|engaged|widowed|separated|in a relationship|dating someone)\b"),
     "relationship_status"),
]

# Other first-person facts: family, pets, health, plans, events, possessions, activities.
_FACTS = _p(
    r"\bmy (?:wife|husband|partner|spouse|son|daughter|kids?|children|child|baby|mom|mum|mother"
    r"|dad|father|parents?|brother|sister|siblings?|boyfriend|girlfriend|fianc[eé]e?|grandma"
    r"|grandmother|grandpa|grandfather|family|aunt|uncle|cousin|friend|best friend|boss"
    r"|colleague|roommate|dog|cat|pet|puppy|kitten|horse|bird|fish|rabbit|hamster"
    r"|knees?|back|legs?|arms?|head|shoulders?|doctor|therapist|birthday|home|house|car|team"
    r"|company|school|class|project|goal|dream|plan|hobby|hobbies)\b"
    r"|\bI(?:'m| am) (?:planning|going|about|hoping|trying|thinking|looking forward|training"
    r"|learning|studying|saving|preparing|moving|starting|working on|volunteering)\b"
    r"|\bI (?:plan|intend|want|hope|need|decided|started|began|finished|joined|adopted|bought"
    r"|got|went|visited|travell?ed|ran|run|walked|hiked|swam|attended|took|met|lost|won"
    r"|graduated|signed up|completed|made|painted|wrote|read|saw|watched|tried|cooked|baked"
    r"|built|moved|quit|retired|volunteer|volunteered|play|played|practice|practise|teach"
    r"|study|studied|own|have|had|'ve|'ve been|have been|was|became|broke|hurt|injured)\b",
)


def _clause(sentence: str) -> str:
    """The statement part of a sentence; '' when the whole sentence is a question."""
    sentence = sentence.strip()
    if sentence.endswith("?"):
        head = _QUESTION_TAIL.sub("", sentence)
        if head == sentence:
            return ""
        sentence = head
    if _QUESTION_START.match(sentence):
        return ""
    return sentence


# Words that say when or how much, not what: "spicy food any more" is "spicy food".
_TRAILING = re.compile(
    r"(?:\s+(?:any\s?more|these days|nowadays|lately|now|at all|too|either|so much|very much|"
    r"a lot|anyway|really|though|still|again|either way))+$", re.IGNORECASE)


def _clean_object(obj: str) -> str:
    obj = re.split(r"[.!?;]|,\s*(?:but|and|because|since|so|which|though)\b|\s+but\s+", obj,
                   maxsplit=1)[0]
    obj = obj.strip(" ,:-\"'")
    return _TRAILING.sub("", obj).strip(" ,:-\"'").lower()


_CONJUNCTION = re.compile(r"\s*,?\s+(?:and|but|so|also)\s+(?=(?:I|I'm|I've|my)\b)")


# Questionnaire lines: "Favourite food: sushi", "Dislikes: horror films", "Allergies: nuts".
_FORM_LINE = _p(r"^\s*[-*•]?\s*(?:my\s+)?(?:(?P<fav>favou?rite)\s+(?P<what>[\w\s]{1,30}?)"
                r"|(?P<field>likes|loves|dislikes|hates|allergies|allergic to))"
                r"(?:\s*[:=]|\s+[-\u2013])\s*(?P<obj>.+)$")


def _form_line(line: str) -> Statement | None:
    match = _FORM_LINE.match(line)
    if not match or not _clean_object(match["obj"]):
        return None
    obj = _clean_object(match["obj"])
    if match["fav"]:
        return Statement("preference", line.strip(), {
            "object": obj, "polarity": "+", "kind": "favourite",
            "category": match["what"].strip().lower()})
    field = match["field"].lower()
    polarity = "+" if field in ("likes", "loves") else "-"
    kind = "allergy" if field.startswith("allerg") else "likes"
    return Statement("preference", line.strip(), {"object": obj, "polarity": polarity,
                                                  "kind": kind})


def find_statements(text: str, said: datetime | None) -> list[Statement]:
    """Every preference and fact the user states about themself in one message."""
    found: list[Statement] = []
    for sentence in _SENTENCE_END.split(text):
        if has_cjk(sentence):
            continue  # statements_zh.py reads it
        form = _form_line(sentence)
        if form is not None:
            found.append(form)
            continue
        clause = _clause(sentence)
        if len(clause) < 6 or not _FIRST_PERSON.search(clause):
            continue
        for part in _parts(clause):
            statement = _classify(part)
            if statement is not None:
                kind, attributes = statement
                found.append(Statement(kind, annotate_dates(part, said), attributes))
    return found


def _parts(clause: str) -> list[str]:
    """'My name is Bob and I live in Berlin' is two statements; 'I ran and my knees hurt' one:
    a clause splits only where every part carries a preference or a single-valued fact."""
    parts = _CONJUNCTION.split(clause)
    if len(parts) > 1 and all(_is_keyed(part) for part in parts):
        return parts
    return [clause]


def _is_keyed(part: str) -> bool:
    statement = _classify(part)
    return statement is not None and bool(statement[1])


def _classify(clause: str) -> tuple[str, dict[str, str]] | None:
    for pattern, polarity, what in _PREFERENCES:
        match = pattern.search(clause)
        if match:
            obj = _clean_object(match["obj"])
            if obj:
                attributes = {"object": obj, "polarity": polarity, "kind": what}
                if what == "favourite":
                    attributes["category"] = match["what"].strip().lower()
                return "preference", attributes
    for pattern, slot in _SLOTS:
        match = pattern.search(clause)
        if match:
            value = _clean_object(match["v"])
            if value:
                return "fact", {"slot": slot, "value": value}
    if _FACTS.search(clause) or has_relative_date(clause):
        return "fact", {}
    return None
