"""Offices and titles as Position mentions.

A title is a head from the lexicon ("Director", "Secretary", "Senator", "Chief Deputy Whip", "member of
Congress") with what belongs to it as written (the annotation rule for Position spans):
- modifiers before it: Deputy, Acting, Principal Deputy, Senior, Associate, Assistant, Chief, Executive …
  ("Deputy Executive Director");
- a topic before it: "Litigation Director", "Labor Commissioner", "OAW Coordinator" — but not a place,
  party, demonym or a known organisation ("Texas Governor", "OLA Director": two mentions each);
- a fixed complement after it: "Secretary of Health and Human Services", "Director of Space Technology
  and Policy", "Special Assistant to the President" — but not a named organisation or place ("Secretary"
  of "the California Labor and Workforce Development Agency"; "President" of "the Republic of Ecuador").
Plurals count ("Senators", "Governors"). Lower-case titles count where they are plainly titles: before
"of" and a named body or place, before a name, after "as"/"elected"/"appointed" ("served as governor");
lower-case generic roles (senior advisor, aide, attorney) never do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from extraction.rules.common import (
    LEXICON,
    NAME_TAIL_WORDS,
    NON_NAME_WORDS,
    ORG_WORDS,
    PATTERN,
    RuleContext,
    RuleSpan,
    apostrophe_s,
    is_name_word,
    is_title_case,
    rule_nlp,
)
from extraction.rules.demonyms import is_demonym

# every head, lower case; the sets below say how each behaves
HEADS = """
president | vice president | secretary | secretary-general | secretary general | general secretary | under secretary |
undersecretary |
attorney general | solicitor general | surgeon general | inspector general | comptroller general |
postmaster general | comptroller | treasurer | speaker | senator | sen. | representative | rep. | congressman |
congresswoman | congressperson | governor | gov. | lieutenant governor | lt. governor | lt. gov. | mayor |
prime minister | premier | chancellor | minister | foreign minister | defense minister | finance minister |
king | queen | crown prince | prince | princess | emperor | empress | pope | emir | sultan | ambassador |
ambassador-at-large | envoy | administrator | director | director-general | director general | commissioner |
chair | chairman | chairwoman | chairperson | co-chair | cochair | co-chairman | co-chairwoman | vice chair |
vice chairman | vice chairwoman | ranking member | chief of staff | chief justice | associate justice | justice |
judge | chief judge | ceo | cfo | coo | cto | chief executive officer | chief executive | chief operating officer |
chief financial officer | chief technology officer | chief information officer | majority leader |
minority leader | leader | whip | majority whip | minority whip | chief deputy whip | deputy whip | assistant |
advisor | adviser | counselor | counsellor | counsel | general counsel | national security advisor |
national security adviser | press secretary | member of congress | member of parliament | coordinator |
first lady | first gentleman | second gentleman | second lady | superintendent | sheriff | district attorney |
attorney-general | economist | scientist | spokesperson | spokesman | spokeswoman | liaison | czar | officer |
manager | strategist | trade representative | special representative | general | admiral | gen. | adm. | colonel |
col. | lieutenant general | lt. gen. | major general | maj. gen. | brigadier general | brig. gen. | vice admiral |
rear admiral | captain | capt. | lieutenant | lt. | sergeant | sgt. | commander | cmdr. | founder | archivist |
librarian | clerk | parliamentarian | chaplain | marshal | magistrate
"""
HEAD_SET = frozenset(h.strip() for h in HEADS.split("|") if h.strip())

MODIFIERS = frozenset({"acting", "deputy", "principal", "senior", "associate", "assistant", "chief", "executive",
                       "interim", "special", "vice", "first", "lead", "managing", "regional", "national",
                       "general", "staff", "legislative"})
_MODIFIER_CAPITAL_ONLY = {"first", "national", "general", "lead", "regional", "managing"}
# heads that need a modifier, a topic or "to the President" to be a title ("Special Assistant", "Senior Advisor")
NEEDS_MORE = frozenset({"assistant", "advisor", "adviser", "counselor", "counsellor", "economist", "scientist",
                        "liaison", "officer", "manager", "strategist", "founder", "clerk", "czar",
                        "librarian", "archivist", "chaplain", "marshal", "magistrate"})
# heads that are titles only before a name ("General Milley", "Justice Kagan", "Leader McConnell")
NEEDS_NAME = frozenset({"general", "admiral", "gen.", "adm.", "colonel", "col.", "lieutenant general", "lt. gen.",
                        "major general", "maj. gen.", "brigadier general", "brig. gen.", "vice admiral",
                        "rear admiral", "captain", "capt.", "lieutenant", "lt.", "sergeant", "sgt.", "commander",
                        "cmdr.", "justice", "leader", "prince", "princess", "emir", "sultan"})
# heads that are also surnames ("Martin Luther King"): not after a name word
SURNAME_LIKE = frozenset({"king", "queen", "judge", "bishop", "marshal", "chancellor", "sheriff", "pope",
                          "speaker", "major", "prince", "clerk", "chaplain"})
# heads that may carry "of/for <topic>" ("Secretary of Defense", "Director of Space Technology and Policy")
TAKES_COMPLEMENT = frozenset({"secretary", "under secretary", "undersecretary", "director", "director-general",
                              "director general", "commissioner", "administrator", "coordinator", "minister",
                              "counsel", "advisor", "adviser", "assistant", "counselor", "counsellor", "envoy",
                              "ambassador-at-large", "economist", "officer", "special representative",
                              "secretary-general", "czar", "strategist", "liaison", "manager"})
# heads that take "to the President" / "to the Vice President" / "to the First Lady"
TAKES_TO = frozenset({"assistant", "advisor", "adviser", "counselor", "counsellor", "counsel", "chief of staff",
                      "special representative", "liaison", "envoy"})
# heads whose topic before them may be a word ("Litigation Director", "OAW Coordinator", "Press Secretary")
TAKES_TOPIC = frozenset({"director", "coordinator", "commissioner", "manager", "counsel", "advisor", "adviser",
                         "secretary", "administrator", "chair", "chairman", "chairwoman", "officer", "economist",
                         "scientist", "spokesperson", "spokesman", "spokeswoman", "liaison", "czar", "envoy",
                         "assistant", "strategist", "counselor"})
# a known organisation's acronym before these is that organisation ("FBI Director", "OLA Director")
HEADS_OF_ORGS = frozenset({"director", "administrator", "secretary", "commissioner", "chair", "chairman",
                           "chairwoman", "president", "ceo", "chief", "counsel", "director-general", "leader"})
# heads that count in lower case too, where the context shows a title
LOWER_CASE_OK = frozenset({"president", "vice president", "governor", "lieutenant governor", "senator",
                           "congressman", "congresswoman", "mayor", "director", "secretary", "chairman",
                           "chairwoman", "chair", "speaker", "prime minister", "ambassador", "commissioner",
                           "administrator", "attorney general", "surgeon general", "chief of staff",
                           "press secretary", "majority leader", "minority leader", "whip", "member of congress",
                           "chief justice", "secretary-general", "chancellor", "chief executive",
                           "chief executive officer", "co-chair", "chairperson", "vice chair", "vice chairman",
                           "premier", "inspector general",
                           "solicitor general", "member of parliament", "under secretary"})
ALWAYS_LOWER_OK = frozenset({"member of congress", "member of parliament"})
# lower-case heads that a preceding "as"/"elected"/"appointed" makes a title ("served as governor");
# not "as his secretary", "as a chief executive"
LOWER_AFTER_AS_OK = LOWER_CASE_OK - {"secretary", "chief executive", "chief executive officer", "chair", "speaker",
                                     "under secretary", "member of parliament"}
_LOWER_TOPICS = {"policy", "legislative", "litigation", "communications", "press", "budget", "finance",
                 "campaign", "staff", "program", "research", "political", "executive", "deputy"}
# fixed complements that name no organisation of their own ("Secretary of the Treasury"), by head
_CABINET = ("State", "Defense", "War", "the Treasury", "Treasury", "the Interior", "Interior", "Agriculture",
            "Commerce", "Labor", "Commerce and Labor", "Health and Human Services", "Health, Education, and Welfare",
            "Health, Education and Welfare", "Housing and Urban Development", "Transportation", "Energy",
            "Education", "Veterans Affairs", "Veterans' Affairs", "Homeland Security", "the Army", "the Navy",
            "the Air Force", "Foreign Affairs", "Home Affairs", "Defence", "Finance")
FIXED_COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "secretary": _CABINET, "under secretary": _CABINET, "undersecretary": _CABINET,
    "director": ("National Intelligence", "Central Intelligence", "National Drug Control Policy", "the Mint",
                 "the Census"),
    "minister": ("Foreign Affairs", "External Affairs", "Home Affairs", "Finance", "Defence", "Defense", "Justice",
                 "State", "Health", "Education", "Trade", "Economy", "the Interior", "Interior", "Agriculture"),
    "chancellor": ("the Exchequer",), "comptroller": ("the Currency",),
}

# the words a title's topic ends with ("… of Space Technology and Policy", "… for Legislative Affairs")
_TOPIC_ENDS_TEXT = """
policy policies affairs operations intelligence security technology technologies management budget programs
planning strategy strategies communications research development relations outreach engagement initiatives
innovation science sciences health education energy trade finance defense defence labor transportation commerce
agriculture infrastructure environment climate economics analysis legislation compliance enforcement
investigations cybersecurity resilience preparedness response recovery protection rights equity safety logistics
acquisition acquisitions personnel studies medicine care housing immigration aviation nutrition statistics data
information evaluation oversight diplomacy counterterrorism nonproliferation resources partnerships engineering
architecture design marketing sales finance accounting audit procurement facilities administration? appointments
scheduling advance speechwriting correspondence protocol outreach issues integrity ethics litigation regulation
regulations reform development services? investment investments markets competition growth jobs workforce
opportunity mobility manufacturing industry industries production supply chains chain space exploration
"""
TOPIC_ENDS = frozenset(_TOPIC_ENDS_TEXT.replace("?", "").split())

_TO_COMPLEMENTS = (("the", "president"), ("the", "vice", "president"), ("the", "first", "lady"),
                   ("the", "secretary"), ("the", "secretary", "of", "state"))
_LOWER_CONTEXT_BEFORE = {"as", "elected", "appointed", "named", "became", "become", "becomes", "becoming",
                         "then", "former", "new", "sitting", "incoming", "outgoing", "acting"}
_DETERMINERS = {"the", "a", "an", "its", "his", "her", "their", "our", "my", "your", "whose", "first",
                "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "next",
                "last", "current", "former", "then", "new", "twenty", "thirty", "forty", "fifty", "sixty",
                "seventy", "eighty", "ninety"}
_SENTENCE_START_AMBIGUOUS = {"representative", "representatives", "chair", "judge", "judges", "justice",
                             "leader", "general", "captain", "commander", "whip", "assistant", "counsel",
                             "minister", "deputy", "officer", "manager", "founder", "clerk", "speaker"}
_RANK_NOT_NAMES = {"motors", "electric", "mills", "dynamics", "accounting", "services", "schedule", "assembly",
                   "staff", "counsel", "hospital", "store", "public", "election", "manager", "partner",
                   "government", "governments", "land", "welfare", "fund", "average"}
_TITLE_WORDS_FOR_GUARDS = HEAD_SET | {"senators", "governors", "mr.", "mrs.", "ms.", "dr.", "honorable"}


@dataclass(frozen=True)
class _Head:
    start: int
    end: int
    head: str  # singular lower-case lexicon form


def _plural(phrase: str) -> list[str]:
    words = phrase.split(" ")
    if phrase in {"attorney general", "solicitor general", "surgeon general", "inspector general",
                  "comptroller general", "postmaster general", "secretary general", "director general"}:
        return [" ".join([_plural_word(words[0]), *words[1:]]), " ".join([*words[:-1], words[-1] + "s"])]
    if "-" in phrase and phrase.endswith("general"):
        first, rest = phrase.split("-", 1)
        return [f"{_plural_word(first)}-{rest}"]
    for link in ("of", "to"):
        if link in words:
            i = words.index(link)
            return [" ".join([*words[:i - 1], _plural_word(words[i - 1]), *words[i:]])]
    return [" ".join([*words[:-1], _plural_word(words[-1])])]


def _plural_word(word: str) -> str:
    if word.endswith("."):
        return word[:-1] + "s."
    if word.endswith("man"):
        return word[:-3] + "men"
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "ch", "sh")):
        return word + "es"
    return word + "s"


@lru_cache(maxsize=1)
def _matcher() -> tuple[PhraseMatcher, dict[str, str]]:
    """Head matcher (case-insensitive) and its forms: lower-case surface -> singular head."""
    nlp = rule_nlp()
    forms: dict[str, str] = {}
    for head in HEAD_SET:
        forms[head] = head
        if head not in NEEDS_NAME:
            for plural in _plural(head):
                forms.setdefault(plural, head)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    token_forms: dict[str, str] = {}
    docs = []
    for text in sorted(forms):  # tokenized as written in lower and title case ("sen." vs "Sen.")
        for variant in {text, " ".join(w[:1].upper() + w[1:] for w in text.split(" "))}:
            doc = nlp.make_doc(variant)
            docs.append(doc)
            token_forms[" ".join(t.lower_ for t in doc)] = forms[text]
    matcher.add("HEAD", docs)
    return matcher, token_forms


@cache
def _fixed_complements(head: str) -> list[tuple[str, ...]]:
    nlp = rule_nlp()
    phrases = sorted(FIXED_COMPLEMENTS.get(head, ()), key=len, reverse=True)
    return [tuple(t.text for t in nlp.make_doc(c)) for c in phrases]


def find_positions(doc: Doc, context: RuleContext, known: list[tuple[int, int]] = ()) -> list[RuleSpan]:
    """Position spans of one sentence. `known` holds token ranges other rules marked (places, parties,
    legislation), which a title never swallows."""
    matcher, forms = _matcher()
    heads = []
    for _, start, end in matcher(doc):
        key = " ".join(t.lower_ for t in doc[start:end])
        heads.append(_Head(start, end, forms[key]))
    heads.sort(key=lambda h: (h.start, -(h.end - h.start)))
    taken_heads: list[_Head] = []
    last_end = -1
    for head in heads:  # longest leftmost heads, no overlaps ("vice president" over "president")
        if head.start >= last_end:
            taken_heads.append(head)
            last_end = head.end
    blocked = [False] * len(doc)
    for start, end in known:
        for i in range(start, min(end, len(doc))):
            blocked[i] = True
    spans: list[RuleSpan] = []
    used_until = 0
    for head in taken_heads:
        if head.start < used_until or any(blocked[head.start:head.end]):
            continue
        found = _title(doc, head, context, blocked, used_until)
        if found is None:
            continue
        start, end, confidence = found
        span = doc[start:end]
        spans.append(RuleSpan(span.start_char, span.end_char, "Position", confidence, "position"))
        used_until = end
    return spans


def _title(doc: Doc, head: _Head, context: RuleContext, blocked: list[bool], used_until: int):
    first = doc[head.start]
    capital = first.text[:1].isupper()
    if capital and first.is_upper and len(first) > 3 and head.head not in {"ceo", "cfo", "coo", "cto"}:
        return None  # a heading in capitals
    if not capital and head.head in {"ceo", "cfo", "coo", "cto"}:
        return None
    start = _extend_left(doc, head, capital, context, blocked, used_until)
    end = _extend_right(doc, head, capital, context, blocked)
    has_more = start < head.start or end > head.end
    if head.head in NEEDS_MORE and not has_more:
        return None
    if doc[head.end:head.end + 2].text in {"-elect", "- elect", "-designate", "- designate"}:
        end = max(end, head.end + 2)
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if capital:
        if not _capital_ok(doc, head, start, end, before, after, context):
            return None
        confidence = LEXICON
    else:
        if head.head not in LOWER_CASE_OK:
            return None
        if head.head not in ALWAYS_LOWER_OK and not _lower_context(doc, start, end, head.head in LOWER_AFTER_AS_OK):
            return None
        confidence = PATTERN
    return start, end, confidence


def _capital_ok(doc: Doc, head: _Head, start: int, end: int, before: Token | None, after: Token | None,
                context: RuleContext) -> bool:
    # part of an organisation's name: "Council of Governors", "Office of the Vice President"
    i = start - 1
    if i >= 0 and doc[i].lower_ == "the":
        i -= 1
    if i >= 1 and doc[i].lower_ == "of" and is_title_case(doc[i - 1]) and (
            doc[i - 1].lower_ in ORG_WORDS or doc[i - 1].lower_ in {"house", "chamber"}):
        return False  # "House of Representatives"
    if after is not None:
        j = end
        if apostrophe_s(after) and j + 1 < len(doc) and is_title_case(doc[j + 1]):
            return False  # "President’s Advisory Commission", "Governor's Office"
        k = j
        while k < len(doc) and k < j + 4 and is_title_case(doc[k]):
            k += 1
        if k > j and (doc[j].lower_ in ORG_WORDS or doc[k - 1].lower_ in NAME_TAIL_WORDS):
            return False  # "Governors Association", "Presidents Day", "Governors Highway Safety Association"
    name_after = after is not None and is_name_word(after) and not apostrophe_s(after)
    if head.head in NEEDS_NAME and start == head.start and (not name_after or after.lower_ in _RANK_NOT_NAMES):
        return False  # "General Motors", "the General Government"
    if head.head in SURNAME_LIKE and before is not None and (
            before.lower_ in _TITLE_WORDS_FOR_GUARDS or before.lower_ in {"dr.", "rev.", "admiral", "general"}):
        return False  # "Dr. King", "Admiral King", "Senator King": a surname
    if head.head in SURNAME_LIKE and before is not None and start - 1 > 0 and is_name_word(before) \
            and not _modifier_word(before) and not is_demonym(before.text) and not _place_like(before.text):
        return False  # "Martin Luther King"
    if before is not None and before.text == "Joint":
        return False  # "Joint Chiefs of Staff"
    opens_sentence = start == 0 or (start == 1 and doc[0].text in {'"', "“", "‘", "'"})
    # "Representative government is …"
    return not (opens_sentence and head.head in _SENTENCE_START_AMBIGUOUS and start == head.start
                and after is not None and after.text[:1].islower())


def _lower_context(doc: Doc, start: int, end: int, after_as: bool) -> bool:
    after = doc[end] if end < len(doc) else None
    if after is not None and after.lower_ == "of" and end + 1 < len(doc):
        nxt = doc[end + 1]
        if nxt.lower_ == "the" and end + 2 < len(doc):
            nxt = doc[end + 2]
            if nxt.lower_ in {"state", "city", "commonwealth", "county", "district", "territory"}:
                return True
        if is_title_case(nxt):
            return True  # "director of Wisconsin’s Office …", "governor of Texas"
    if after is not None and is_name_word(after) and not apostrophe_s(after) and after.lower_ not in ORG_WORDS:
        return True  # "governor Newsom"
    if not after_as:
        return False
    i = start - 1
    skipped = 0
    while i >= 0 and skipped < 3 and (doc[i].lower_ in _DETERMINERS or doc[i].text in {"-"}
                                      or re.fullmatch(r"\d+(?:st|nd|rd|th)|[a-z]+-?(?:first|second|third|"
                                                      r"fourth|fifth|sixth|seventh|eighth|ninth|tieth|th)",
                                                      doc[i].lower_)):
        i -= 1
        skipped += 1
    return i >= 0 and doc[i].lower_ in _LOWER_CONTEXT_BEFORE


def _modifier_word(token: Token) -> bool:
    return token.lower_ in MODIFIERS


def _place_like(text: str) -> bool:
    from extraction.rules.places import place_type

    return place_type(text) is not None


def _topic_ok(token: Token, head: str, capital: bool, context: RuleContext) -> bool:
    text = token.text
    if not capital:
        return token.lower_ in _LOWER_TOPICS
    if not is_title_case(token) or not token.is_alpha and not re.fullmatch(r"[A-Z][A-Za-z0-9]*", text):
        return False
    if token.lower_ in NON_NAME_WORDS or token.lower_ in ORG_WORDS or token.lower_ in HEAD_SET:
        return False
    if token.lower_ in {"democratic", "republican", "democrat", "house", "senate", "white", "federal", "u.s."}:
        return False
    if text.casefold() in context.org_names or text in context.org_acronyms:
        return False
    if text.isupper() and len(text) >= 2 and head in HEADS_OF_ORGS:
        return False  # "FBI Director", "OLA Director": the organisation and the title
    return not (is_demonym(text) or _place_like(text))


def _extend_left(doc: Doc, head: _Head, capital: bool, context: RuleContext, blocked: list[bool],
                 used_until: int) -> int:
    start = head.start
    i = head.start - 1
    topics = 0
    if head.head in TAKES_TOPIC:
        while i >= used_until and topics < 2 and not blocked[i] and not _modifier_word(doc[i]) \
                and _topic_ok(doc[i], head.head, capital, context):
            start, i, topics = i, i - 1, topics + 1
    modifiers = 0
    while i >= used_until and modifiers < 3 and not blocked[i] and _modifier_word(doc[i]):
        token = doc[i]
        if capital != token.text[:1].isupper():
            break
        if not capital and token.lower_ in _MODIFIER_CAPITAL_ONLY:
            break
        if token.lower_ == "first" and doc[start].lower_ not in {"deputy", "vice", "assistant"}:
            break
        if token.lower_ in {"national", "general", "staff", "legislative", "regional", "managing", "lead"} \
                and head.head not in TAKES_TOPIC:
            break
        start, i, modifiers = i, i - 1, modifiers + 1
    return start


def _extend_right(doc: Doc, head: _Head, capital: bool, context: RuleContext, blocked: list[bool]) -> int:
    end = head.end
    if head.head in TAKES_TO:
        end = _to_complement(doc, end)
    if head.head in TAKES_COMPLEMENT or head.head in FIXED_COMPLEMENTS or end > head.end:
        for link in ("of", "for"):
            if end < len(doc) and doc[end].lower_ == link:
                complement = _complement(doc, end + 1, capital, context, blocked,
                                         head.head if link == "of" else None)
                if complement:
                    end = complement
    return end


def _to_complement(doc: Doc, i: int) -> int:
    if i >= len(doc) or doc[i].lower_ != "to":
        return i
    for words in sorted(_TO_COMPLEMENTS, key=len, reverse=True):
        n = len(words)
        if tuple(t.lower_ for t in doc[i + 1:i + 1 + n]) == words and is_title_case(doc[i + n]):
            return i + 1 + n
    return i


def _complement(doc: Doc, i: int, capital: bool, context: RuleContext, blocked: list[bool],
                head: str | None) -> int | None:
    if i >= len(doc) or blocked[i]:
        return None
    if head:
        for words in _fixed_complements(head):
            n = len(words)
            if tuple(t.text for t in doc[i:i + n]) == words:
                after = doc[i + n] if i + n < len(doc) else None
                if after is None or after.lower_ not in NAME_TAIL_WORDS:
                    return i + n
    # a capitalised topic: "Space Technology and Policy", "Political Operations", "National Intelligence"
    if not is_title_case(doc[i]) or doc[i].lower_ in NON_NAME_WORDS:
        return None
    end = None
    j = i
    while j < len(doc) and j - i < 8 and not blocked[j]:
        token = doc[j]
        if is_title_case(token) and token.is_alpha:
            end = j + 1
        elif token.lower_ in {"and", "&"} and end is not None and j + 1 < len(doc) and is_title_case(doc[j + 1]):
            pass
        else:
            break
        j += 1
    while end is not None and end > i and doc[end - 1].lower_ not in TOPIC_ENDS:
        end -= 1  # "National Intelligence Avril Haines": the topic ends with a topic word
    if end is None or end == i or doc[end - 1].lower_ in {"and", "&"}:
        return None
    words = doc[i:end]
    if any(t.lower_ in ORG_WORDS or t.lower_ in HEAD_SET or t.lower_ in NAME_TAIL_WORDS for t in words):
        return None
    if words.text.casefold() in context.org_names or any(t.text in context.org_acronyms for t in words):
        return None
    if any(_place_like(t.text) for t in words) or _place_like(words.text) or is_demonym(words[0].text):
        return None
    if end < len(doc) and (apostrophe_s(doc[end]) or doc[end].text == "("):
        return None  # "Director of Wisconsin’s Office …"
    return end
