"""English single-valued facts: one value per slot, a newer statement replaces an older one.

Slots: name, home, hometown, employer, job, studies, age, relationship_status. Each slot
lists the everyday ways of saying its value and of saying it changed ("I moved to Valencia",
"we relocated to", "I left Google and joined Meta", "I turned 30", "we broke up"). Ending
a value is a value too: "I quit my job" sets employer to "none".
"""

from __future__ import annotations

import re

from memos_cli.ingest.extract.phrases import NUMBER_WORDS, number, value_head

Found = tuple[str, dict[str, str]]

_ADV = (r"(?:\s+(?:just|now|recently|finally|also|actually|currently|officially|still|"
        r"already|really|happily|eventually|then|have|'ve))*")
_WE = r"\b(?:I|we|and)(?:'ve| have|'re| are|'m| am)?" + _ADV
_I_AM = r"\bI(?:'m| am)" + _ADV
_A = r"(?:an?\s+|the\s+)?"

# People's jobs, for "I'm a nurse" (any "I'm a ..." would take "I'm a big fan" for a job).
_JOBS = (
    "accountant actor actress administrator analyst architect artist assistant astronaut "
    "attorney author baker banker barber barista bartender biologist bookkeeper builder "
    "butcher carpenter cashier chef chemist cleaner clerk coach consultant contractor cook "
    "counselor counsellor courier dancer data scientist dentist designer detective developer "
    "dietitian director doctor driver economist editor electrician engineer entrepreneur "
    "farmer firefighter fisherman freelancer gardener geologist graphic designer hairdresser "
    "historian illustrator instructor intern investor janitor journalist judge labourer "
    "laborer landscaper lawyer lecturer librarian lifeguard manager mechanic midwife miner "
    "musician nanny nurse officer optician painter paramedic pharmacist photographer "
    "physician physicist physiotherapist pilot plumber poet police officer politician "
    "postman principal producer product manager professor programmer project manager "
    "psychologist realtor receptionist reporter researcher salesman salesperson scientist "
    "secretary security guard singer social worker software engineer soldier solicitor "
    "student surgeon tailor teacher technician therapist trainer translator tutor "
    "veterinarian vet waiter waitress web developer welder writer youtuber"
).split()
_JOB_HEADS = frozenset(_JOBS)
_DIETS = re.compile(r"\b(?:vegetarian|vegan|pescatarian|pescetarian|flexitarian|keto|paleo)\b")


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# (pattern, slot): the value is group `v`; a literal value replaces it where the group is
# absent (`fixed`).
_SLOTS: list[tuple[re.Pattern[str], str, str | None]] = [
    (_p(r"\bmy\s+(?:first\s+|full\s+|real\s+)?name(?:\s+is|'s)\s+(?P<v>[\w' -]{1,40})"),
     "name", None),
    (_p(r"\bname's\s+(?P<v>[A-Z][\w'-]{1,30})"), "name", None),
    (_p(r"\b(?:please\s+)?call\s+me\s+(?P<v>[\w'-]{1,30}(?:\s[A-Z][\w'-]+)?)"), "name", None),
    (_p(r"\b(?:I'm|I am|I go|I went)\s+(?:called|by|known as)\s+(?P<v>[\w'-]{1,30})"), "name",
     None),
    (_p(r"\b(?:everyone|people|my friends)\s+calls?\s+me\s+(?P<v>[\w'-]{1,30})"), "name", None),
    (_p(_WE + r"\s+(?:changed|legally changed)\s+my\s+name\s+to\s+(?P<v>[\w' -]{1,40})"),
     "name", None),
    (_p(r"\b(?:I|we)(?:\s+am|'m|\s+are|'re)\s+(?:originally\s+)?from\s+(?P<v>.+)"), "hometown",
     None),
    (_p(r"\b(?:I|we)\s+(?:grew up|was born|were born|was raised|were raised)\s+in\s+(?P<v>.+)"),
     "hometown", None),
    (_p(_WE + r"\s+(?:live|lived|living|reside|resided|residing|moved|relocated|moving|"
        r"relocating|settled|moved house|moved back|moved out|emigrated|immigrated|been living"
        r"|am living|'m living|are living|'re living|'ve moved)\s+(?:back\s+|house\s+|out\s+|"
        r"here\s+|over\s+)?(?:with\s+(?:my|our)\s+\w+(?:\s+\w+)?\s+)?(?:in|to|into|at)\s+"
        r"(?:the\s+city\s+of\s+)?(?P<v>.+)"), "home", None),
    (_p(_WE + r"\s+(?:now\s+)?call\s+(?P<v>.+?)\s+home\b"), "home", None),
    (_p(_WE + r"\s+(?:rent|rented|bought|buy|own|have|got|found|share)\s+(?:an?|our|my)\s+"
        r"(?:new\s+|little\s+|small\s+|big\s+|own\s+)*(?:flat|apartment|house|home|place|condo|"
        r"studio|cottage)\s+in\s+(?P<v>.+)"), "home", None),
    (_p(r"\bmy\s+(?:new\s+|current\s+)?(?:home|place|flat|apartment|house)\s+is\s+(?:now\s+)?"
        r"in\s+(?P<v>.+)"), "home", None),
    (_p(_I_AM + r"\s+(?:now\s+)?(?:based|living|staying)\s+in\s+(?P<v>.+)"), "home", None),
    # A proper name only: "home is where the heart is" names no place.
    (re.compile(r"\b[Hh]ome(?:\s+for\s+(?:me|us))?(?:\s+is|'s)\s+(?:now\s+)?"
                r"(?P<v>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*)"), "home", None),
    (re.compile(r"^(?P<v>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*)\s+is\s+(?:now\s+)?(?:my|our)\s+"
                r"home\b"), "home", None),
    (_p(r"\bI\s+(?:quit|left|lost|resigned from|walked out of)\s+my\s+job\b"), "employer", "none"),
    (_p(r"\bI\s*(?:'ve|have|was|got|'ve been|have been|just got)?" + _ADV
        + r"\s+(?:laid off|fired|let go|made redundant|sacked)\b"), "employer", "none"),
    (_p(r"\b(?:I|and)(?:'m| am)?" + _ADV + r"\s+(?:work|working|worked)" + _ADV
        + r"\s+(?:at|for)\s+(?P<v>.+)"), "employer", None),
    (_p(r"\bI(?:'ve| have)\s+been\s+working\s+(?:at|for)\s+(?P<v>.+)"), "employer", None),
    (_p(_I_AM + r"\s+(?:employed|hired)\s+(?:by|at)\s+(?P<v>.+)"), "employer", None),
    (_p(r"\bI(?:'ve|'m)?(?:\s+(?:was|got|have|has|been|just|recently|now|finally|officially|am))*"
        r"\s+hired\s+(?:by|at)\s+(?P<v>.+)"), "employer", None),
    (_p(r"\bI" + _ADV + r"\s+(?:got|landed|took|accepted|started|began|found|have|start)\s+"
        r"(?:a|an|the|my)\s+(?:new\s+|first\s+)?(?:job|position|role|internship)\s+(?:at|with)\s+"
        r"(?P<v>.+)"), "employer", None),
    (_p(r"\bmy\s+(?:new\s+)?(?:employer|company)\s+is\s+(?P<v>.+)"), "employer", None),
    # A proper name only: "I joined Google", not "I joined a gym".
    (re.compile(r"\b(?:I|and)" + _ADV + r"\s+(?:joined|started at|start at|moved to|went to work"
                r" for|switched to|signed with)\s+(?P<v>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*)"),
     "employer", None),
    (_p(_I_AM + r"\s+(?:now\s+)?(?:retired)\b"), "job", "retired"),
    (_p(r"\bI" + _ADV + r"\s+(?:retired|have retired|'ve retired)\b"), "job", "retired"),
    (_p(_I_AM + r"\s+(?:unemployed|out of work|between jobs|jobless)\b"), "job", "unemployed"),
    (_p(r"\b(?:I|and)(?:'m| am)?" + _ADV + r"\s+(?:work|working)\s+as\s+" + _A + r"(?P<v>.+)"),
     "job", None),
    (_p(r"\bmy\s+(?:new\s+)?(?:job|profession|occupation|job title|title|role)\s+is\s+"
        + _A + r"(?P<v>.+)"), "job", None),
    (_p(r"\bI" + _ADV + r"\s+(?:became|become|retrained as|trained as|qualified as|"
        r"got promoted to|was promoted to|been promoted to|got a promotion to|am training to be"
        r"|'m training to be)\s+" + _A + r"(?P<v>.+)"), "job", None),
    (_p(_I_AM + r"\s+(?:now\s+)?(?:majoring|specialising|specializing)\s+in\s+(?P<v>.+)"),
     "studies", None),
    (_p(r"\bI" + _ADV + r"\s+(?:switched|changed)\s+(?:my\s+)?(?:major|degree|course|studies)"
        r"\s+to\s+(?P<v>.+)"), "studies", None),
    (_p(r"\bmy\s+(?:major|degree|course)\s+is\s+(?:in\s+)?(?P<v>.+)"), "studies", None),
    (_p(r"\bI" + _ADV + r"\s+(?:switched|changed|moved|transferred|started|began)\s+(?:to\s+)?"
        r"(?:studying|reading|majoring in)\s+(?P<v>(?!for\b|hard\b|abroad\b|at\b|a lot\b|again\b)"
        r"[a-z].+)"), "studies", None),
    (_p(r"\bI(?:'m| am)?" + _ADV + r"\s+(?:doing|taking|pursuing|studying for|working on|"
        r"starting|started)\s+(?:an?|my)\s+(?:degree|masters|master's|phd|doctorate|diploma|ba|"
        r"bsc|ma|msc|mba|bachelor's|course)\s+in\s+(?P<v>.+)"), "studies", None),
    (_p(r"\b(?:I|and)(?:'m| am)?" + _ADV + r"\s+(?:study|studying|studied|major in|majoring in|"
        r"reading)\s+(?P<v>(?!for\b|hard\b|abroad\b|at\b|a lot\b|together\b)[a-z].+)"),
     "studies", None),
    (_p(_I_AM + r"\s+(?:an?\s+)?(?!an?\b)(?P<v>[a-z]+(?:\s[a-z]+)?)\s+(?:student|major)\b"),
     "studies", None),
    (_p(_I_AM + r"\s+(?P<v>\d{1,3}|" + NUMBER_WORDS + r")(?:\s+(?:years?|yrs?)(?:\s+old|\s+of"
        r" age)?)?(?=\s*(?:[,.!;]|$)|\s+(?:now|today|and|but|this|as of|going on)\b)"),
     "age", None),
    (_p(r"(?:\bI(?:'ve| have)?" + _ADV + r"|^(?:just\s+)?)\s*(?:turned|hit|reached|turn|am turning"
        r"|'m turning)\s+(?P<v>\d{1,3}|" + NUMBER_WORDS + r")\b"), "age", None),
    (_p(r"\bmy\s+(?P<v>\d{1,3}(?:st|nd|rd|th)|[a-z]+(?:-[a-z]+)?(?:th|st|nd|rd))\s+birthday\s+"
        r"(?:was|is)\s+(?:yesterday|today|last|on|this)\b"), "age", None),
    (_p(r"\bI" + _ADV + r"\s+(?:celebrated|had|celebrate|am celebrating|'m celebrating)\s+my\s+"
        r"(?P<v>\d{1,3}(?:st|nd|rd|th)|[a-z]+(?:-[a-z]+)?(?:th|st|nd|rd))\s+birthday\b"),
     "age", None),
    (_p(r"\b(?:I|we|\w+ and I|my\s+(?:\w+\s+)?(?:boyfriend|girlfriend|partner|wife|husband|"
        r"fianc[eé]e?|ex) and I)" + _ADV + r"\s+(?:broke up|split up|split|separated|"
        r"called it off|called off (?:the|our) engagement|ended things|parted ways)\b"),
     "relationship_status", "single"),
    (_p(r"\bI" + _ADV + r"\s+(?:broke up|split up)\s+with\b"), "relationship_status", "single"),
    (_p(r"\b(?:I|we)(?:'m|'re|'ve|\s+am|\s+are|\s+have|\s+were|\s+was)?" + _ADV
        + r"\s+(?:(?:got|get|getting|gotten|been|are|am|were|was)\s+)?"
        r"(?P<v>married|engaged|divorced|separated|widowed)\b"),
     "relationship_status", None),
    (_p(r"\bI(?:'m| am|'ve been| have been)" + _ADV + r"\s+(?:single|unattached|not seeing"
        r" anyone|not dating)\b"),
     "relationship_status", "single"),
    (_p(r"\bI(?:'m| am|'ve been| have been)?" + _ADV + r"\s+(?:in a relationship|dating someone"
        r"|seeing someone|with someone|taken)\b"), "relationship_status", "in a relationship"),
    (_p(r"\bI\s+(?:have|'ve got|have got|got)\s+an?\s+(?:new\s+)?(?:boyfriend|girlfriend|"
        r"partner)\b"), "relationship_status", "in a relationship"),
    (_p(r"\bmy\s+(?:wife|husband|spouse)\s+and\s+I\s+(?:have\s+been|'ve\s+been)\s+"
        r"(?:together|married)\b"), "relationship_status", "married"),
    (_p(r"\b(?:my\s+(?:boyfriend|girlfriend|partner|fianc[eé]e?)\s+and\s+I|we)\s+(?:have\s+been|"
        r"'ve\s+been|are|'re)\s+(?:together|dating|going out|a couple|an item)\b"),
     "relationship_status", "in a relationship"),
]
_JOB = _p(_I_AM + r"\s+(?:now\s+)?an?\s+(?P<v>[a-z]+(?:[\s-][a-z]+){0,3})")
_JOB_END = re.compile(r"\s+(?:at|for|in|by|with|on|and|but|who|from|since)\b")


# "an engineer at Shopify": a job that names its employer (a proper name) says both.
_EMPLOYER_AFTER_JOB = re.compile(r"\s(?:at|for|with)\s+(?P<v>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*)")
# Jobs that end any employment.
_NO_EMPLOYER = frozenset({"unemployed", "retired"})


def find_slots(clause: str) -> list[Found]:
    """The single-valued facts one clause states: its slot, and with a job the employer the
    same words name ("I'm a nurse at St Mary's", "I'm retired")."""
    found = find_slot(clause)
    if found is None:
        return []
    if found[1]["slot"] != "job":
        return [found]
    if found[1]["value"] in _NO_EMPLOYER:
        return [found, ("fact", {"slot": "employer", "value": "none"})]
    at = _EMPLOYER_AFTER_JOB.search(clause)
    employer = value_head(at["v"]) if at else ""
    return [found, ("fact", {"slot": "employer", "value": employer})] if employer else [found]


def find_slot(clause: str) -> Found | None:
    """The single-valued fact one clause states, if any."""
    for pattern, slot, fixed in _SLOTS:
        match = pattern.search(clause)
        if not match:
            continue
        value = fixed or _value(slot, match["v"])
        if value:
            return "fact", {"slot": slot, "value": value}
    job = _JOB.search(clause)
    if job:
        title = value_head(_JOB_END.split(job["v"], maxsplit=1)[0])
        words = title.split()
        if words and (words[-1] in _JOB_HEADS or " ".join(words[-2:]) in _JOB_HEADS):
            return "fact", {"slot": "job", "value": title}
    return None


def _value(slot: str, raw: str) -> str:
    if slot == "age":
        found = number(raw)
        return str(found) if found and 0 < found < 130 else ""
    value = value_head(raw)
    if slot == "job" and _DIETS.search(value):  # "I became vegan" is a diet (preferences.py)
        return ""
    if slot == "name":
        value = value.split(" from ")[0].strip()
    return value
