"""What a statement is about, as a key that survives paraphrase.

"sushi, it's my favourite food", "sushi anymore, raw fish makes me sick" and "Sushi" all name
sushi; "playing video games" and "video games" the same pastime; "Valencia last week" the city
of Valencia. Resolution compares these keys, so two wordings of one subject must meet.
"""

from __future__ import annotations

import re

# Where the thing named ends and what the user adds about it begins.
_CLAUSE_END = re.compile(
    r"[.!?;:,()\[\]\"]|\s+-\s+|\s+(?:and|but|or|because|cause|since|so|as|though|although|"
    r"which|that|who|when|while|whenever|if|unless|until|after|before|during|every|each|"
    r"in|at|on|with|without|for|from|by|near|like|than|these days|nowadays|now that|"
    r"anymore|any more|any longer|lately|recently|again|at all|last|this|next|yesterday|today|"
    r"tomorrow|tonight|ago|a few|a while|for good|for years|for ages)\b",
    re.IGNORECASE)
# The same, for a place or an employer, which may hold "of" and "on" ("Stratford-upon-Avon").
_VALUE_END = re.compile(
    r"[.!?;:,()\[\]\"]|\s+-\s+|\s+(?:and|but|or|because|cause|since|so|as|though|which|who|"
    r"when|while|with|for|after|before|until|from now on|a few|ago|recently|now|these days|"
    r"nowadays|anymore|again|permanently|for good|this|last|next|yesterday|today|tomorrow|"
    r"in (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|spring|summer|autumn|fall|winter|the spring|the summer|the autumn|the fall|"
    r"the winter|\d{4}))\b",
    re.IGNORECASE)
_LEADING = re.compile(
    r"^(?:(?:the|a|an|my|our|some|any|all|this|that|these|those|new|eating|drinking|playing|"
    r"watching|doing|having|listening to|going to|going|visiting|being|really|so|very|much|"
    r"enjoying|liking|loving)\s+)+", re.IGNORECASE)
_TRAILING = re.compile(
    r"(?:\s+(?:any\s?more|these days|nowadays|lately|now|at all|too|either|so much|very much|"
    r"much|a lot|anyway|really|though|still|again|personally|honestly|for good|as well|"
    r"any longer|altogether|completely|entirely))+$", re.IGNORECASE)
_PRONOUNS = frozenset({"it", "them", "that", "this", "those", "these", "him", "her", "you",
                       "one", "ones", "stuff", "things", "thing", "something", "everything",
                       "anything", "nothing", "so", "to", "myself", "me", "us"})
# What is left of "I don't play anymore" once the verb is taken: no thing is named.
_NOTHING_NAMED = frozenset({"anymore", "any more", "again", "now", "lately", "much", "at all",
                            "a lot", "anyway", "either", "too", "any longer", "these days"})
# "cycling to work": the activity, not where it goes.
_GERUND_TO = re.compile(r"^(\w{3,}ing)\s+(?:to|into)\s+\S.*$")
# Where an activity is done, not what it is.
_SETTINGS = frozenset({"class", "classes", "lesson", "lessons", "course", "courses", "session",
                       "sessions", "club", "practice"})
_SPELLINGS = {"colour": "color", "colours": "color", "favourite": "favorite",
              "tv": "tv", "tv shows": "tv show", "film": "movie", "films": "movie"}
_INVARIANT = frozenset({
    "news", "series", "species", "chess", "jeans", "clothes", "glasses", "pants", "shorts",
    "trousers", "scissors", "maths", "pilates", "diabetes", "sweets", "yes", "bus", "gas",
    "lens", "plus", "atlas", "canvas", "christmas", "us", "this", "its", "his", "is", "was",
    "physics", "mathematics", "politics", "economics", "athletics", "gymnastics", "aerobics",
    "ethics", "linguistics", "statistics", "genetics", "electronics", "robotics", "graphics",
    "tennis", "always", "perhaps", "thanks", "texas", "paris", "athens", "brussels", "wales",
    "lyons", "marseilles", "los", "angeles", "vegas", "dallas", "memphis", "kansas",
})
_IE_NOUNS = frozenset({
    "movie", "cookie", "zombie", "selfie", "smoothie", "brownie", "pie", "tie", "lie",
    "rookie", "goalie", "indie", "foodie", "newbie", "veggie", "hoodie", "beanie", "genie",
    "calorie", "auntie", "boogie", "hippie", "prairie", "sortie", "birdie", "techie", "yuppie",
})
_OE_NOUNS = frozenset({"shoe", "toe", "canoe", "oboe", "hoe", "foe", "horseshoe", "tiptoe"})


def head(phrase: str) -> str:
    """The thing a phrase names, lower-cased: its words up to the first clause boundary, with
    leading articles and verbs of doing and trailing words of time and degree dropped; ''
    when what is left is a pronoun ("I love it")."""
    phrase = _tidy(_CLAUSE_END.split(phrase.strip(), maxsplit=1)[0])
    return _GERUND_TO.sub(r"\1", phrase)


def value_head(phrase: str) -> str:
    """A single-valued fact's value (a city, a company, a job): cut at what follows it."""
    phrase = _VALUE_END.split(phrase.strip(), maxsplit=1)[0]
    return _tidy(phrase)


def _tidy(phrase: str) -> str:
    phrase = phrase.strip(" ,:-'\u2019").lower()
    for _ in range(2):
        phrase = _TRAILING.sub("", phrase)
        phrase = _LEADING.sub("", phrase).strip(" ,:-'\u2019")
    phrase = " ".join(phrase.split())
    return "" if not phrase or phrase in _PRONOUNS or phrase in _NOTHING_NAMED else phrase


def subject_key(phrase: str) -> str:
    """The form two wordings of one thing share: one spelling, the last word singular
    ("video games" and "video game", "colours" and "color")."""
    phrase = _SPELLINGS.get(phrase, phrase)
    words = phrase.split()
    if not words:
        return ""
    words = [_SPELLINGS.get(word, word) for word in words]
    if len(words) > 1 and words[-1] in _SETTINGS:  # "pottery class" is pottery
        words = words[:-1]
    words[-1] = singular(words[-1])
    return " ".join(words)


def singular(word: str) -> str:
    """A plural noun's singular; any other word unchanged. Consistency matters more than
    grammar: a word and its plural must meet."""
    if len(word) <= 3 or word in _INVARIANT or not word.endswith("s") or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-1] if word[:-1] in _IE_NOUNS else word[:-3] + "y"
    if word.endswith("oes"):
        return word[:-1] if word[:-1] in _OE_NOUNS else word[:-2]
    if word.endswith(("ches", "shes", "xes", "sses", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ics", "ous")):
        return word
    return word[:-1]


_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
          "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
NUMBER_WORDS = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
                r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
                r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
                r"|one|two|three|four|five|six|seven|eight|nine|ten)")


def number(text: str) -> int | None:
    """18, "eighteen", "twenty-six", "26th" -> the number; None for anything else."""
    text = text.strip().lower()
    digits = re.match(r"^(\d{1,3})(?:st|nd|rd|th)?$", text)
    if digits:
        return int(digits.group(1))
    words = [_ordinal(word) for word in re.split(r"[- ]", text)]
    if len(words) == 1:
        return _UNITS.get(words[0], _TENS.get(words[0]))
    if len(words) == 2 and words[0] in _TENS and words[1] in _UNITS:
        return _TENS[words[0]] + _UNITS[words[1]]
    return None


_IRREGULAR_ORDINALS = {"first": "one", "second": "two", "third": "three", "fifth": "five",
                       "eighth": "eight", "ninth": "nine", "twelfth": "twelve"}


def _ordinal(word: str) -> str:
    """"thirtieth" -> "thirty", "sixth" -> "six": the cardinal an ordinal word names."""
    if word in _IRREGULAR_ORDINALS:
        return _IRREGULAR_ORDINALS[word]
    if word.endswith("ieth"):
        return word[:-4] + "y"
    if word.endswith("th") and word[:-2] in _UNITS:
        return word[:-2]
    return word
