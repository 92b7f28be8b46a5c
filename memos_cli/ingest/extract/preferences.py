"""English preferences, and the everyday ways of saying one changed.

Each pattern gives a polarity and a kind; the object is the named group `obj` (a favourite's
category is `what`). "I've gone off spicy food", "I gave up coffee", "I'm over country music"
and "Photography doesn't interest me anymore" are all a dislike now, and resolution lets the
latest said win, so they replace what was said before.
"""

from __future__ import annotations

import re

from memos_cli.ingest.extract.phrases import head, subject_key

Found = tuple[str, dict[str, str]]

# Words between "I" and the verb that change nothing: "I really do like", "I've just".
_ADV = (r"(?:\s+(?:really|truly|absolutely|just|also|still|actually|totally|do|kind of|kinda|"
        r"sort of|honestly|seriously|definitely|genuinely|now|recently|finally|completely|"
        r"pretty much|officially|absolutely|quite|always|have|'ve|already|even|so|super|very|"
        r"pretty))*")
_I = r"\bI(?:'ve|'d|'ll| have| had| will| would)?" + _ADV
_NOT = r"(?:don't|do not|dont|didn't|did not|never|no longer|won't|wouldn't|can't|cannot)"
_DOING = (r"(?:like|love|enjoy|care for|care about|want|eat|drink|play|watch|listen to|read|do"
          r"|go to|go for|go|use|wear|fancy|feel like|buy|order|cook|make|smoke|miss|follow"
          r"|support|bake|collect|visit|need)")
_LIKE_VERB = r"(?:like|love|enjoy|adore|prefer|fancy)"
# Words between a thing and what is said of it: "Jazz just bores me", "aren't really my thing".
_BY_THE_WAY = (r"(?:\s+(?:just|really|totally|kind of|kinda|sort of|simply|honestly|now|"
               r"actually|quite|exactly|so|definitely|officially))*")
_GERUND = r"(?:liking|loving|enjoying|eating|drinking|playing|watching|doing|going to|using)"


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# (pattern, polarity, kind), tried in order; negatives first, so that "I don't like" is not
# read as "like".
_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?:not|no longer)\s+(?:allergic)\s+to\s+(?P<obj>.+)"),
     "+", "allergy"),
    (_p(r"\bI(?:'ve| have)?\s+(?:outgrown|outgrew)\s+my\s+(?P<obj>.+?)\s+allerg(?:y|ies)"),
     "+", "allergy"),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+allergic\s+to\s+(?P<obj>.+)"), "-", "allergy"),
    (_p(r"\bI have an?\s+(?P<obj>[\w\s-]{2,30}?)\s+allergy\b"), "-", "allergy"),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?P<obj>lactose[- ]intolerant|gluten[- ]free|"
        r"coeliac|celiac|diabetic)\b"), "+", "intolerance"),
    (_p(_I + r"\s+" + _NOT + _ADV + r"\s+" + _DOING + r"(?:ing|d|ed)?\s+(?P<obj>.+)"), "-",
     "likes"),
    (_p(_I + r"\s+(?:used to|once)\s+(?:" + _LIKE_VERB + r"|be into|be a fan of)\s+(?P<obj>.+)"),
     "-", "likes"),
    (_p(_I + r"\s+(?:hate|hated|dislike|detest|loathe|despise|avoid|can't stand|cannot stand"
        r"|can't bear|cannot bear|can't deal with|cannot deal with|can't handle|can't take"
        r"|can't tolerate|gave up|given up|give up|quit|quitted|stopped|stop|gone off|went off"
        r"|go off|lost interest in|lost my taste for|fell out of love with|fallen out of love"
        r"|grown tired of|grew tired of|got tired of|gotten tired of|got bored of|got sick of"
        r"|dropped out of|haven't touched|have not touched|haven't played|have not played"
        r" with|grew out of|grown out of|moved on from|cut out|cut back on|ditched"
        r"|dropped(?!\s+off\b))\s+"
        + r"(?:" + _GERUND + r"\s+)?(?P<obj>.+)"), "-", "likes"),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?:not|no longer)" + _ADV + r"\s+(?:a\s+)?(?:big\s+|huge\s+"
        r"|great\s+)?(?:fan of|into|keen on|fond of|crazy about|a fan of|interested in"
        r"|excited about)\s+(?P<obj>.+)"), "-", "likes"),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?:not|no longer)" + _ADV
        + r"\s+an?\s+(?P<obj>[\w-]+(?:\s[\w-]+)?)\s+person\b"), "-", "likes"),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?:over(?!\s+the\s+moon)|done with|sick of|tired of"
        r"|fed up with|bored of"
        r"|bored with|sick and tired of|off(?!\s+(?:to|for|now|home|out|work|today|tonight"
        r"|tomorrow|on|again|soon|the|a|an|my|our|back|away|duty|sick)\b))\s+(?P<obj>.+)"),
     "-", "likes"),
    (_p(r"^(?P<obj>[\w' -]{2,40}?)\s+(?:doesn't|does not|don't|do not|no longer)\s+(?:really\s+)?"
        r"(?:interest|appeal to|excite|do it for|agree with)\s+me\b"), "-", "likes"),
    (_p(r"^(?P<obj>[\w' -]{2,40}?)\s+(?:isn't|aren't|is not|are not|'s not|'re not|is no longer"
        r"|are no longer)" + _BY_THE_WAY + r"\s+(?:for me|my thing|my cup of tea|my scene|my jam"
        r"|my style)\b"), "-", "likes"),
    (_p(r"^(?P<obj>[\w' -]{2,40}?)" + _BY_THE_WAY + r"\s+(?:bores|bore|disgusts|disgust|annoys"
        r"|annoy|makes me sick|make me sick|grosses me out|gross me out|stress me out|stresses me"
        r" out|scares me|scare me|depresses me|depress me|tires me out|tire me out|got old|gets"
        r" old|has gotten"
        r" old|lost its appeal|has lost its appeal|does nothing for me|do nothing for me"
        r"|(?:is|are|'s|'re) too (?:much|\w+) for me)\b"), "-", "likes"),
    (_p(r"^(?P<obj>[\w' -]{2,40}?)\s+(?:has|have|'s)?" + _BY_THE_WAY + r"\s+(?:grown on me|grew on"
        r" me)\b"), "+", "likes"),
    (_p(r"^(?P<obj>[\w' -]{2,40}?)\s+(?:is|are|'s|'re)" + _BY_THE_WAY + r"\s+(?:for me|my thing"
        r"|my cup of tea|my jam|my passion|my happy place|my go-to|my obsession|my guilty pleasure"
        r"|my weakness|my comfort food|my addiction"
        r"|life|everything to me|(?:hands down |by far )?the best)\b"), "+", "likes"),
    (_p(_I + r"\s+(?:" + _LIKE_VERB + r"|am into|'m into|grew to (?:love|like|enjoy)"
        r"|grown to (?:love|like|enjoy)|came to (?:love|like)|come to (?:love|like)"
        r"|started (?:to )?(?:like|love|enjoy)(?:ing)?|began (?:to )?(?:like|love|enjoy)(?:ing)?"
        r"|got into|gotten into|get into|fell in love with|fallen in love with"
        r"|can't get enough of|live for|am obsessed with|'m obsessed with|developed a taste for"
        r"|acquired a taste for|warmed up to|warmed to|come around to|came around to)\s+"
        r"(?P<obj>.+)"), "+", "likes"),
    # Habits: "I drink a lot of soda", "I play the guitar every day".
    (_p(_I + r"\s+(?:drink|eat|play|watch|read|listen to|do|go)\s+(?:a lot of|lots of|loads of"
        r"|tons of|plenty of)\s+(?P<obj>.+)"), "+", "likes"),
    (_p(_I + r"\s+(?:drink|eat|play|watch|read|listen to|practi[cs]e|go)\s+(?P<obj>[\w' -]{2,40}?)"
        r"\s+(?:every day|every morning|every night|every week|daily|all the time|constantly"
        r"|religiously)\b"), "+", "likes"),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?:a\s+)?(?:big\s+|huge\s+|great\s+)?(?:fan of|keen on|"
        r"fond of|passionate about|obsessed with|hooked on|crazy about|mad about|addicted to"
        r"|really into|into|loving|enjoying|liking)\s+(?P<obj>.+)"), "+", "likes"),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+an?\s+(?:big\s+|huge\s+|great\s+)?"
        r"(?P<obj>[\w-]+(?:\s[\w-]+)?)\s+(?:person|fan|lover|addict|enthusiast|nut|junkie)\b"),
     "+", "likes"),
]
# A pick among options the assistant offered: kept with what was offered (rules.py).
_CHOICE = _p(r"\bI(?:'ll| will|'d| would|'ve| have)?(?:\s+like to)?\s+(?:choose|chose|pick|picked|"
             r"go with|went with|opt for|opted for|select|selected|decided on|settled on|book"
             r"|booked|take|'ll take)\s+(?P<obj>.+)")

_FAVOURITE_FIRST = _p(
    r"\bmy\s+(?:new\s+|current\s+|all[- ]time\s+|absolute\s+|ultimate\s+|very\s+)*"
    r"(?:favou?rite|go-to)\s+"
    r"(?P<what>[\w\s-]{1,30}?)\s+(?:is|are|was|has to be|would be|has become|is now|now is|"
    r"'s)\s+(?:now\s+|probably\s+|definitely\s+)?(?P<obj>.+)")
_FAVOURITE_LAST = _p(
    r"^(?:(?:and|but|so|now|these days|nowadays)\s+)?(?P<obj>[\w' .-]{1,40}?)\s+(?:is|are|has"
    r" become|have become|became|is now|'s)\s+(?:now\s+|definitely\s+)?my\s+(?:new\s+|current\s+"
    r"|all[- ]time\s+|absolute\s+)*favou?rite(?:\s+(?P<what>[\w\s-]{1,30}?))?(?:\s+now)?"
    r"\s*(?:[.!,]|$)")
_SWITCH = _p(_I + r"\s+(?:switched|swapped|changed|traded|went|moved|converted)\s+from\s+"
             r"(?P<old>.+?)\s+to\s+(?P<new>.+)")
_DIET_WORDS = r"(?:vegetarian|vegan|pescatarian|pescetarian|flexitarian|carnivore|keto|paleo)"
_DIET = [
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?:not|no longer)\s+(?:an?\s+)?(?:strict\s+)?"
        r"(?P<obj>" + _DIET_WORDS + r")\b"), "not "),
    (_p(_I + r"\s+(?:quit|stopped|gave up|given up|came off|dropped)\s+(?:being\s+|doing\s+"
        r"|following\s+|eating\s+)?(?:an?\s+|the\s+)?(?P<obj>"
        + _DIET_WORDS + r")\b"), "not "),
    (_p(_I + r"\s+(?:started|began|am|'m)\s+eating\s+(?P<obj>meat|fish|animal products)"),
     "eats "),
    (_p(_I + r"\s+(?:eat|'ll eat|will eat)\s+(?P<obj>everything|anything|meat)\b"), "eats "),
    (_p(r"\bI(?:'m| am)" + _ADV + r"\s+(?:an?\s+)?(?:strict\s+|fully\s+|full\s+)?(?P<obj>"
        + _DIET_WORDS + r")\b"), ""),
    (_p(_I + r"\s+(?:went|gone|turned|became|become|switched to|am going|'m going)\s+"
        r"(?:fully\s+|full\s+)?(?P<obj>" + _DIET_WORDS + r")\b"), ""),
]


# What follows "I love" that is no thing liked: "how art lets us...", "that you chose...", a
# clause ("...something I love is awesome").
_NOT_A_THING = re.compile(r"^(?:how|that|the way|what|when|it when|is|are|was|were|to see)\b",
                          re.IGNORECASE)
# A wish, not a taste: "I'd love to help", "I would like to see it".
_WISH = _p(r"\bI(?:'d| would)" + _ADV + r"\s+(?:love|like|prefer|enjoy)\s+to\b")


def _preference(obj: str, polarity: str, kind: str, **extra: str) -> Found | None:
    if _NOT_A_THING.match(obj.strip()):
        return None
    named = head(obj)
    if not named:
        return None
    return "preference", {"object": subject_key(named), "polarity": polarity, "kind": kind,
                          **extra}


def find_preferences(clause: str) -> list[Found]:
    """The preferences one clause states ([] for none): usually one; a switch gives two."""
    if _WISH.search(clause):
        return []
    for pattern, prefix in _DIET:
        match = pattern.search(clause)
        if match:
            diet = prefix + {"pescetarian": "pescatarian"}.get(match["obj"].lower(),
                                                              match["obj"].lower())
            return [("preference", {"object": diet, "polarity": "+", "kind": "diet"})]
    switch = _SWITCH.search(clause)
    if switch:
        found = [_preference(switch["old"], "-", "likes"), _preference(switch["new"], "+", "likes")]
        return [f for f in found if f is not None]
    favourite = _favourite(clause)
    if favourite is not None:
        return [favourite]
    for pattern, polarity, kind in _PATTERNS:
        match = pattern.search(clause)
        if match:
            found_one = _preference(match["obj"], polarity, kind)
            if found_one is not None:
                return [found_one]
    choice = _CHOICE.search(clause)
    if choice:
        obj = " ".join(choice["obj"].strip(" .!,;").lower().split())
        if obj:
            return [("preference", {"object": obj, "polarity": "+", "kind": "choice"})]
    return []


def _favourite(clause: str) -> Found | None:
    match = _FAVOURITE_FIRST.search(clause) or _FAVOURITE_LAST.search(clause)
    if not match or not match["what"]:
        return None
    category = subject_key(head(match["what"]) or match["what"].strip().lower())
    return _preference(match["obj"], "+", "favourite", category=category)
