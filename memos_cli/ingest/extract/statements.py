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

from memos_cli.ingest.extract.dates import annotate_dates, has_relative_date
from memos_cli.ingest.extract.phrases import head, subject_key
from memos_cli.ingest.extract.preferences import find_preferences
from memos_cli.ingest.extract.slots import find_slots
from memos_cli.text.scripts import has_cjk

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'll|I'd|im|ive|we|we've|we're)\b"
                           r"|\b(?:my|me|mine|myself|our)\b",
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
@dataclass(frozen=True, slots=True)
class Statement:
    kind: str  # "preference" or "fact"
    text: str
    attributes: dict[str, str]


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Other first-person facts: family, pets, health, plans, events, possessions, activities.
# Many-valued: a second pet or a second trip is one more fact, never a replacement.
_FACTS = _p(
    r"\bmy (?:wife|husband|partner|spouse|son|daughter|kids?|children|child|baby|mom|mum|mother"
    r"|dad|father|parents?|brother|sister|siblings?|boyfriend|girlfriend|fianc[eé]e?|grandma"
    r"|grandmother|grandpa|grandfather|family|aunt|uncle|cousin|friend|best friend|boss"
    r"|colleague|roommate|dog|cat|pet|puppy|kitten|horse|bird|fish|rabbit|hamster"
    r"|knees?|back|legs?|arms?|head|shoulders?|doctor|therapist|birthday|home|house|car|team"
    r"|company|school|class|project|goal|dream|plan|hobby|hobbies)\b"
    r"|\bI(?:'m| am) (?:planning|going|about|hoping|trying|thinking|looking forward|training"
    r"|learning|studying|saving|preparing|moving|starting|working on|volunteering)\b"
    r"|\bI(?:\s+(?:just|recently|finally|also|really|actually|already|first|then|still|"
    r"never|once))* (?:plan|intend|want|hope|need|decided|started|began|finished|joined"
    r"|adopted|bought|got|went|visited|travell?ed|ran|run|walked|hiked|swam|attended|took|met"
    r"|lost|won|graduated|signed up|completed|made|painted|wrote|read|saw|watched|tried|cooked"
    r"|baked|built|moved|quit|retired|volunteer|volunteered|play|played|practice|practise"
    r"|teach|study|studied|own|have|had|'ve|'ve been|have been|was|became|broke|hurt"
    r"|injured|rescued|welcomed|gave birth|had a baby)\b"
    r"|^(?:please\s+)?remind me\b",
)
_PET = _p(r"\b(?:adopted|got|have|bought|rescued|brought home|welcomed)\s+(?:an?|our|my|a new)"
          r"\s+(?:new\s+|little\s+|baby\s+)?(?P<animal>puppy|dog|cat|kitten|rabbit|bunny|hamster"
          r"|parrot|bird|horse|pony|fish|goldfish|turtle|tortoise|lizard|snake|guinea pig|ferret)"
          r"(?:\s+(?:named|called)\s+(?P<name>[A-Z][\w'-]*))?")

# What is said to the assistant rather than about oneself: a request, not a fact.
_REQUEST = _p(
    r"^(?:please|pls|kindly|can you|could you|would you|will you|can u|help|tell me|show me"
    r"|give me|find me|send me|get me|let me know|i need you|i want you|i'd like you"
    r"|i would like you|i need help|i want help|i need some help|i need advice"
    r"|i(?:'d| would) like (?:a|an|the|some|to (?:know|ask|order|book|reserve|cancel|change"
    r"|reset|return|report|speak|talk|get|see|check|update|make|buy|request))"
    r"|i (?:need|want) (?:a|an|the|some|my|to (?:know|ask|order|reserve|cancel|change|reset"
    r"|return|report|speak|talk|check|update|find out|log in|login|sign in|access|recover"
    r"|unlock|delete|remove|fix|download|upload|install|get help)))\b")
# Greetings and interjections that open a sentence and say nothing about the user.
_OPENER = _p(
    r"^(?:(?:hi|hello|hey|hiya|heya|yo|howdy|greetings|good (?:morning|afternoon|evening)|oh|ah"
    r"|um|uh|well|so|ok|okay|yeah|yep|yes|no|nope|honestly|actually|funny|anyway|anyways|btw"
    r"|by the way|guess what|update|fun fact|ps|p\.s\.|lol|haha|wow|sorry|thanks|thank you"
    r"|dear \w+)(?:\s+there)?(?:\s*[,!:.\u2014-]+\s*|\s+))+")
# A statement that speaks of what is to come: its weekdays are the next ones.
_AHEAD = _p(r"\b(?:will|'ll|shall|going to|gonna|plan(?:ning)? to|intend to|hope to|want to"
            r"|need to|have to|has to|must|about to|remind|reminder|upcoming|appointment"
            r"|scheduled|booked for|is due|deadline|tomorrow|coming up|looking forward)\b")


def _clause(sentence: str) -> str:
    """The statement part of a sentence; '' when the whole sentence is a question."""
    sentence = sentence.strip()
    if sentence.endswith("?"):
        statement = _QUESTION_TAIL.sub("", sentence)
        if statement == sentence:
            return ""
        sentence = statement
    if _QUESTION_START.match(sentence):
        return ""
    return sentence


# Chat drops the "I" of news about oneself: "Turned 61 yesterday!", "Just moved to Austin".
_DROPPED_I = _p(r"^(?=(?:just|finally|recently|officially)?\s*(?:turned|moved|relocated|got|"
                r"started|joined|quit|left|retired|became|switched|graduated|adopted|broke up|"
                r"landed|celebrated)\b)")


_CONJUNCTION = re.compile(r"\s*,?\s+(?:and|but|so|also)\s+(?=(?:I|I'm|I've|my)\b)")


# Questionnaire lines: "Favourite food: sushi", "Dislikes: horror films", "Allergies: nuts".
_FORM_LINE = _p(r"^\s*[-*•]?\s*(?:my\s+)?(?:(?P<fav>favou?rite)\s+(?P<what>[\w\s]{1,30}?)"
                r"|(?P<field>likes|loves|dislikes|hates|allergies|allergic to))"
                r"(?:\s*[:=]|\s+[-\u2013])\s*(?P<obj>.+)$")


def _form_line(line: str) -> Statement | None:
    match = _FORM_LINE.match(line)
    obj = subject_key(head(match["obj"])) if match else ""
    if not match or not obj:
        return None
    if match["fav"]:
        return Statement("preference", line.strip(), {
            "object": obj, "polarity": "+", "kind": "favourite",
            "category": subject_key(match["what"].strip().lower())})
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
        clause = _clause(_OPENER.sub("", sentence.strip()))
        implied = _DROPPED_I.match(clause) is not None
        if implied:  # read with its "I", kept as written
            clause = "I " + clause
        if len(clause) < 5 or not _FIRST_PERSON.search(clause):
            continue
        for index, part in enumerate(_parts(clause)):
            ahead = _AHEAD.search(part) is not None
            written = part[2:] if implied and index == 0 else part
            for kind, attributes in _classify(part):
                found.append(Statement(kind, annotate_dates(written, said, ahead), attributes))
    return found


def _parts(clause: str) -> list[str]:
    """'My name is Bob and I live in Berlin' is two statements; 'I ran and my knees hurt' one:
    a clause splits only where every part carries a preference or a single-valued fact."""
    parts = _CONJUNCTION.split(clause)
    if len(parts) > 1 and all(_is_keyed(part) for part in parts):
        return parts
    return [clause]


def _is_keyed(part: str) -> bool:
    return any(attributes for _, attributes in _classify(part))


def _classify(clause: str) -> list[tuple[str, dict[str, str]]]:
    """The statements of one clause: a single-valued fact, preferences, or a plain fact."""
    slots = find_slots(clause)
    if slots:
        return slots
    preferences = find_preferences(clause)
    if preferences:
        return preferences
    pet = _PET.search(clause)
    if pet:
        attributes = {"kind": "pet", "animal": pet["animal"].lower()}
        if pet["name"]:
            attributes["name"] = pet["name"]
        return [("fact", attributes)]
    if _REQUEST.match(clause):
        return []
    if _FACTS.search(clause) or has_relative_date(clause):
        return [("fact", {})]
    return []
