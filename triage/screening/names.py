"""How one queried name compares with one listed name: `compare`.

Names are analysed by rigour (OpenSanctions' name library), which tags the
parts of a name with symbols from its corpora: given names and their
variants in every script (Mohammed, Muhammad, محمد share one symbol),
legal forms in their compare form (Aktiengesellschaft and AG are one class,
AG and GmbH are two), generic organisation words (group, industrial) and
domain words with their acronyms (IRGC). The comparison follows the shape of
OpenSanctions' own matcher (logic-v2):

1. the parts two names share a symbol for are paired, each pair scoring and
   weighing by its kind (`SYMBOL_SCORES`, `SYMBOL_WEIGHTS`): a given-name
   variant scores 0.9, a generic word weighs 0.3, so "Tehran Industrial
   Group" is not "Shanghai Industrial Group";
2. a single letter is paired with a part it is the initial of ("A. Q. Khan"
   against "Abdul Qadeer Khan"), scoring `INITIAL_SCORE` at
   `INITIAL_WEIGHT`;
3. the parts left are aligned by rigour's `compare_parts` (typos, merged and
   split words, confusable letters, with a budget past which two words are
   different words);
4. a part with no counterpart scores 0 and weighs `EXTRA_QUERY_WEIGHT` on the
   query's side and `EXTRA_LISTED_WEIGHT` on the list's (a listed name's
   fourth name is often left out; a name the list lacks is evidence
   against), a legal form or generic word less again, a stop word or a
   title (``the``, ``of``, ``Dr``) `STOPWORD_WEIGHT` of that.

The score is the weighted mean; the best pairing of symbols wins.

Two cases rigour leaves open are handled here:

- **Arabic script against Latin** (rigour does not latinise Arabic, since
  the script leaves short vowels out): both names are reduced to consonant
  keys (`consonant_keys`), the way the name sounds without its vowels,
  article and doubled letters; key words are paired like step 3, at most
  `CROSS_SCRIPT_CEILING`.
- **Acronyms**: a query written as one capitalised word of three letters or
  more ("KRMJVC") against the initials of a listed organisation's words.

Every comparison carries its explanation: one line per paired or unpaired
part, with its score and weight.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel
from rigour._core import person_name_prefixes_list
from rigour.names import (
    Alignment,
    CompareConfig,
    Name,
    NamePart,
    NamePartTag,
    NameTypeTag,
    SymbolCategory,
    align_person_name_order,
    analyze_names,
    compare_parts,
    pair_symbols,
)

from triage.screening.entries import EntryKind
from triage.text import CYRILLIC, IGNORED_MARK, LEGAL_FORMS, fold, match_fold, org_types

__all__ = [
    "TITLES",
    "Comparison",
    "ListedName",
    "QueryName",
    "acronym",
    "analysable",
    "compare",
    "consonant_keys",
    "estimates",
    "is_arabic_script",
]

SYMBOL_SCORES = {
    SymbolCategory.ORG_CLASS: 0.8,
    SymbolCategory.INITIAL: 0.9,
    SymbolCategory.NAME: 0.9,
    SymbolCategory.NICK: 0.6,
    SymbolCategory.SYMBOL: 0.9,
    SymbolCategory.DOMAIN: 0.9,
    SymbolCategory.NUMERIC: 0.9,
    SymbolCategory.LOCATION: 0.9,
}
SYMBOL_WEIGHTS = {
    SymbolCategory.ORG_CLASS: 0.7,
    SymbolCategory.INITIAL: 0.5,
    SymbolCategory.NICK: 0.8,
    SymbolCategory.SYMBOL: 0.3,  # group, industrial, trading: shared by unrelated names
    SymbolCategory.DOMAIN: 0.7,
    SymbolCategory.NUMERIC: 1.3,  # vessel 1 and vessel 2 are two vessels
    SymbolCategory.LOCATION: 0.8,
}
# An unpaired part of these kinds weighs this much of an unpaired word.
EXTRA_SYMBOL_WEIGHTS = {
    SymbolCategory.ORG_CLASS: 0.7,
    SymbolCategory.SYMBOL: 0.7,
    SymbolCategory.NUMERIC: 1.3,
    SymbolCategory.LOCATION: 0.8,
}
EXTRA_QUERY_WEIGHT = 0.8
EXTRA_LISTED_WEIGHT = 0.3
STOPWORD_WEIGHT = 0.1
OMITTED_LEGAL_FORM_WEIGHT = 0.1  # a legal form one name gives and the other leaves out
OMITTED_LEGAL_FORM_CEILING = 0.97  # the same words, a legal form on one side only
CONFLICTING_LEGAL_FORM_WEIGHT = 0.3  # each of two different legal forms, unpaired
SHORT_WORD = 3  # letters; an unpaired word shorter than this counts in proportion
INITIAL_SCORE = 0.9
INITIAL_WEIGHT = 0.5
CROSS_SCRIPT_CEILING = 0.92  # a transliteration is never quite the name as written
ACRONYM_SCORES = {3: 0.86, 4: 0.90}  # by letters; longer: ACRONYM_MAX_SCORE
ACRONYM_MAX_SCORE = 0.95
ACRONYM_SHARED_PENALTY = 0.05  # for each other listed entry with the same initials
_KEY_PAIR_MIN = 0.6
SHORT_KEY_CEILING = 0.75  # one short key alone: a possible hit at most
CROSS_SCRIPT_MIN_LETTERS = 7
QUICK_PAIR_MIN = 0.6
TYPO_PAIR_MIN = 0.75  # a spelling this close is a typo of the word, whatever rigour's budget
# A word shorter than this is no typo of another in the letters' share: one
# letter in four apart, "Lima" and "Lia" are two names.
TYPO_MIN_LETTERS = 5
COMPARE_CONFIG = CompareConfig()

_TYPE_TAGS = {
    EntryKind.INDIVIDUAL: NameTypeTag.PER,
    EntryKind.ENTITY: NameTypeTag.ORG,
    EntryKind.VESSEL: NameTypeTag.OBJ,
    EntryKind.AIRCRAFT: NameTypeTag.OBJ,
}
# Words an acronym skips (as "Islamic Revolutionary Guard Corps" is IRGC).
_ACRONYM_SKIP = frozenset(
    ["of", "the", "and", "for", "in", "on", "at", "to", "de", "del", "la", "le", "les",
     "du", "des", "et", "y", "da", "di", "van", "von"]
)  # fmt: skip


# Titles rigour takes off the front of a person's name ("Dr", "Colonel"),
# one word long and folded; elsewhere in a name they are not who it names.
TITLES = frozenset(
    folded for title in person_name_prefixes_list() if " " not in (folded := fold(title))
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A score and its evidence: rigour's alignments, or lines already written."""

    score: float
    alignments: tuple[Alignment, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def explanation(self) -> tuple[str, ...]:
        """One line per piece of evidence (written only for hits: it is slow)."""
        return self.lines + tuple(_explain(alignment) for alignment in self.alignments)


NO_MATCH = Comparison(0.0)


# ---------------------------------------------------------------- consonant keys

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_ARTICLE = re.compile(r"(?<!\S)\u0627\u0644(?=\S{2})")  # al- before a word of 2+ letters
_TA_MARBUTA = re.compile("[\u0629\u06c3](?!\\S)")
# Latin spellings of sounds one Arabic letter writes, to the letter anyascii gives it.
_DIGRAPHS = (
    ("kh", "x"), ("gh", "g"), ("sh", "$"), ("ch", "$"), ("th", "t"), ("dh", "z"),
    ("ph", "f"), ("dj", "j"), ("q", "k"), ("c", "k"), ("v", "w"), ("e", "a"),
)  # fmt: skip
_DROPPED = re.compile("[aiouwy'`\u02bf\u02be]")
_REPEATS = re.compile(r"(.)\1+")
_LATIN_ARTICLE = frozenset(["al", "el", "ul", "ad", "ed", "ar", "as", "ash", "at", "az", "an"])
# عبد الجبار and عبدالجبار: "Abdul" and "Jabbar", as the Latin lists write them
# (not عبدالله, "Abdullah", one word in both scripts).
_ABD_ARABIC = re.compile("(?<!\\S)\u0639\u0628\u062f ?\u0627\u0644(?=\\S{3})")
_ABD = re.compile(r"^(abd|abdu|abde|abda|abdou)(l)(?=[a-z]{3})(?!lah$)")


def _key(word: str) -> str:
    for spelt, letter in _DIGRAPHS:
        word = word.replace(spelt, letter)
    key = _REPEATS.sub(r"\1", _DROPPED.sub("", word))
    # A final h is the ta marbuta in one spelling and not another (Hamza,
    # Hamzah), and Allah's in Khairullah: it is left out on both sides.
    return key[:-1] if len(key) > 2 and key.endswith("h") else key


def analysable(text: str) -> str:
    """The form of a name rigour analyses. Without diacritics ("Çölöñél" is
    "Colonel"), so that rigour knows its titles and legal forms; Cyrillic,
    Greek, Korean and Chinese in anyascii's Latin, which spells names as the
    lists do ("Вахитов" is "Vakhitov", where rigour writes "Vahitov"). Arabic
    script is left whole: rigour pairs its given names by symbol, and
    `consonant_keys` reads the rest."""
    if is_arabic_script(text):
        # Letters writers swap folded alike (alef with madda or hamza, the yehs, the kafs).
        return match_fold(text).replace(IGNORED_MARK, "")
    decomposed = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    return text if text.isascii() else anyascii(text)


def is_arabic_script(text: str) -> bool:
    return _ARABIC.search(text) is not None


def is_cyrillic_script(text: str) -> bool:
    """Whether `text` has a Cyrillic letter (a query compared by `sounds`)."""
    return CYRILLIC.search(text) is not None


# Latin spellings that a Cyrillic letter and the Latin lists' own
# transliterations write differently (Х is kh or h, Ж zh or j, В v or w,
# Ы and Й y or i, Ё yo or e ...), each to one spelling, longest first.
_SOUNDS = (
    ("shch", "sh"), ("sch", "sh"), ("tch", "ch"), ("dzh", "j"), ("dj", "j"), ("zh", "j"),
    ("kh", "h"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"),
    ("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i"), ("io", "e"), ("ie", "e"),
)  # fmt: skip


@lru_cache(maxsize=65536)
def _sound(word: str) -> str:
    """A Latin word as it sounds across transliterations: "Zhosef" and
    "Joseph" are both ``josef``, "Mokhammad" and "Mohammad" ``mohamad``."""
    for spelt, sound in _SOUNDS:
        word = word.replace(spelt, sound)
    return _REPEATS.sub(r"\1", word)


def sounds(tokens: Sequence[str]) -> tuple[str, ...]:
    """Each of the words (`name_tokens`) as it sounds (`_sound`)."""
    return tuple(_sound(token) for token in tokens)


def _key_words(text: str) -> list[str]:
    """The name's words in Latin letters, as `consonant_keys` reads them."""
    if is_arabic_script(text):
        text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text))
        text = _ABD_ARABIC.sub("\u0639\u0628\u062f\u0627\u0644 ", text)
        text = _TA_MARBUTA.sub("", _ARABIC_ARTICLE.sub("", text))
        words = anyascii(text).lower().split()
    else:
        words = []
        for word in re.split(r"[\s\-]+", anyascii(text).lower()):
            if word in _LATIN_ARTICLE:
                continue
            word = _ABD.sub(r"\1\2 ", word)
            words += word.split()
    return [re.sub(r"[^a-z]", "", word) for word in words]


def consonant_keys(text: str) -> tuple[str, ...]:
    """The name's words as consonant keys: "Saddam Hussein al-Tikriti" and
    "صدام حسين التكريتي" are both ``sdm hsn tkrt``."""
    return _key_pairs(text)[0]


def _key_pairs(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`consonant_keys` and, one for each key, its word with the vowels left
    in (`_vowelled`): what `_written_alike` checks a word of Arabic script
    and its Latin spelling by."""
    keys: list[str] = []
    vowelled: list[str] = []
    for word in _key_words(text):
        if key := _key(word):
            keys.append(key)
            vowelled.append(_vowelled(word))
    return tuple(keys), tuple(vowelled)


# The long vowels Arabic script writes (alef, waw, yeh) and the vowels a
# Latin spelling writes, as classes: A, Y, W; and E and O, which Latin
# writers use for either of two.
_VOWEL_CLASSES = str.maketrans("aeiyouw", "AEYYOWW")
_LATIN_VOWELS = "AEYOW"
_WRITTEN_AS = {"A": "AEO", "Y": "YE", "W": "WO"}  # an Arabic long vowel: the Latin vowels for it


def _vowelled(word: str) -> str:
    """A word's letters as `_key` spells them, its vowels kept as classes."""
    for spelt, letter in _DIGRAPHS:
        if spelt != "e":  # e is a vowel of its own here, not a
            word = word.replace(spelt, letter)
    return _REPEATS.sub(r"\1", word).translate(_VOWEL_CLASSES)


def _written_alike(arabic: str, latin: str) -> bool:
    """Whether a Latin spelling writes every letter of a word of Arabic
    script, its long vowels included, in order; the Latin may add only short
    vowels (which Arabic script leaves out) and a final h. "Yusuf" writes
    يوسف (``YWsf``), and "Saif" (سيف, ``sYf``) does not."""
    at = 0
    for position, letter in enumerate(latin):
        if at < len(arabic) and (letter == arabic[at] or letter in _WRITTEN_AS.get(arabic[at], "")):
            at += 1
        elif letter not in _LATIN_VOWELS and not (letter == "h" and position == len(latin) - 1):
            return False
    return at == len(arabic)


def _paired(
    query: Sequence[str],
    listed: Sequence[str],
    minimum: float,
    initials: bool = False,
    shortest_typo: int = 0,
) -> list[tuple[float, int, int]]:
    """Words paired greedily, most similar first (rapidfuzz's normalised Indel
    similarity, at least `minimum`, between words of `shortest_typo` letters
    or more); with `initials`, a single letter pairs with a word it begins at
    `INITIAL_SCORE`."""
    candidates = []
    for i, a in enumerate(query):
        for j, b in enumerate(listed):
            if a == b:
                similarity = 1.0
            elif initials and (len(a) == 1) != (len(b) == 1) and a[0] == b[0]:
                similarity = INITIAL_SCORE
            elif min(len(a), len(b)) < shortest_typo:
                continue
            else:
                similarity = Indel.normalized_similarity(a, b, score_cutoff=minimum)
            if similarity:
                candidates.append((similarity, i, j))
    candidates.sort(reverse=True)
    used_query: set[int] = set()
    used_listed: set[int] = set()
    pairs = []
    for similarity, i, j in candidates:
        if i not in used_query and j not in used_listed:
            used_query.add(i)
            used_listed.add(j)
            pairs.append((similarity, i, j))
    return pairs


def _letter_score(
    query: Sequence[str],
    listed: Sequence[str],
    minimum: float,
    initials: bool = True,
    shortest_typo: int = 0,
) -> float:
    """The share of both names' letters in paired words, by their similarity;
    a word paired with its initial counts as that one letter."""
    matched = 0.0
    total = sum(map(len, query)) + sum(map(len, listed))
    for similarity, i, j in _paired(query, listed, minimum, initials, shortest_typo):
        if min(len(query[i]), len(listed[j])) == 1:
            matched += similarity * 2
            total -= max(len(query[i]), len(listed[j])) - 1
        else:
            matched += similarity * (len(query[i]) + len(listed[j]))
    return matched / total if total else 0.0


def _key_score(
    query: Sequence[str],
    listed: Sequence[str],
    query_vowelled: Sequence[str],
    listed_vowelled: Sequence[str],
) -> tuple[float, list[str]]:
    """Consonant keys paired; every letter unpaired counts against. Fewer
    than two keys paired, or fewer than `CROSS_SCRIPT_MIN_LETTERS` letters in
    them, is too common a sound to name anyone: `SHORT_KEY_CEILING` at most.
    When every Latin word paired also writes its Arabic word's long vowels
    (`_written_alike`), the pairs count those vowels among their letters:
    "Yusuf al-Madani" and يوسف المداني are ``YWsf mdnY``, more than
    ``sf mdn``, and سيف المداني ("Saif") is not them."""
    pairs = _paired(query, listed, _KEY_PAIR_MIN)
    used_query = {i for _, i, _ in pairs}
    used_listed = {j for _, _, j in pairs}
    matched = sum(similarity * (len(query[i]) + len(listed[j])) for similarity, i, j in pairs)
    total = sum(map(len, query)) + sum(map(len, listed))
    score = matched / total if total else 0.0
    paired_letters = sum(len(query[i]) for _, i, _ in pairs)
    if paired_letters < CROSS_SCRIPT_MIN_LETTERS and all(
        _written_alike(query_vowelled[i], listed_vowelled[j]) for _, i, j in pairs
    ):
        paired_letters = sum(len(query_vowelled[i]) for _, i, _ in pairs)
    if len(pairs) < 2 or paired_letters < CROSS_SCRIPT_MIN_LETTERS:
        score = min(score, SHORT_KEY_CEILING)
    # Compounds written as one word in one script and two in the other
    # ("Saifullah", "سيف الله"): the keys run together.
    query_joined, listed_joined = "".join(query), "".join(listed)
    if min(len(query_joined), len(listed_joined)) >= CROSS_SCRIPT_MIN_LETTERS:
        joined = Indel.normalized_similarity(query_joined, listed_joined)
        if joined > score:
            score = joined
            pairs, used_query, used_listed = (
                [(joined, 0, 0)],
                set(range(len(query))),
                set(range(len(listed))),
            )
            query, listed = [query_joined], [listed_joined]
    lines = [f"{query[i]!r}~{listed[j]!r} consonants: {sim:.2f}" for sim, i, j in pairs]
    lines += [f"{key!r} unpaired (query)" for i, key in enumerate(query) if i not in used_query]
    lines += [f"{key!r} unpaired (listed)" for j, key in enumerate(listed) if j not in used_listed]
    return score, lines


# ---------------------------------------------------------------- acronyms

_WORDS = re.compile(r"[^\W\d_]+")
_ACRONYM_QUERY = re.compile(r"^(?:[A-Z]\.?){3,10}$")


def acronym(tokens: Sequence[str]) -> str | None:
    """The initials of an organisation's words (`name_tokens`: no legal
    form), without small words, when there are three or more: "irgc"."""
    words = [word for word in tokens if word not in _ACRONYM_SKIP and word[0].isalpha()]
    return "".join(word[0] for word in words) if len(words) >= 3 else None


def acronym_query(text: str) -> str | None:
    """The acronym a query is, when written as one: "IRGC", "I.R.G.C."."""
    compact = text.strip()
    if not _ACRONYM_QUERY.match(compact):
        return None
    return compact.replace(".", "").lower()


def _acronym_score(letters: int, holders: int) -> float:
    """By the acronym's length, less for every other listed entry it also abbreviates."""
    score = ACRONYM_SCORES.get(letters, ACRONYM_MAX_SCORE)
    return max(0.0, score - ACRONYM_SHARED_PENALTY * (holders - 1))


# ---------------------------------------------------------------- the names compared


@dataclass(frozen=True, slots=True)
class ListedName:
    """One form of a listed entry's name, analysed once when the lists load."""

    entry: int  # index into the screener's entries
    listed: str  # the name or alias as the list writes it
    kind: EntryKind
    tokens: tuple[str, ...]  # triage.text.name_tokens of the form
    spaced: str
    joined: str
    analysed: tuple[Name, ...]
    keys: tuple[str, ...]  # consonant keys, for the other script
    vowelled: tuple[str, ...]  # the same with their vowels
    arabic: bool
    acronym: str | None
    low: bool  # a weak alias
    legal_forms: frozenset[str]  # generic forms (llc, jsc) of the legal forms it gives
    gives_legal_form: bool  # any legal form, with a generic form or not ("Corporation")
    extra_weights: tuple[dict[tuple[NamePart, ...], float], ...]

    @classmethod
    def build(
        cls,
        entry: int,
        listed: str,
        form: str,
        tokens: tuple[str, ...],
        kind: EntryKind,
        low: bool,
    ) -> ListedName:
        analysed = tuple(
            analyze_names(_TYPE_TAGS[kind], [analysable(form)], consolidate=False, rewrite=False)
        )
        keys, vowelled = _key_pairs(form)
        forms = legal_forms(form)
        return cls(
            entry=entry,
            listed=listed,
            kind=kind,
            tokens=tokens,
            spaced=" ".join(tokens),
            joined="".join(tokens),
            analysed=analysed,
            keys=keys,
            vowelled=vowelled,
            arabic=is_arabic_script(form),
            acronym=acronym(tokens) if kind is EntryKind.ENTITY else None,
            low=low,
            legal_forms=forms,
            gives_legal_form=gives_legal_form(form, forms),
            extra_weights=tuple(_extra_weights(name) for name in analysed),
        )


@dataclass(slots=True)
class QueryName:
    """A queried name; analysed as a person, an organisation or an object
    only when a listed name of that kind is compared with it."""

    text: str
    form: str
    tokens: tuple[str, ...]
    spaced: str
    joined: str
    keys: tuple[str, ...]
    vowelled: tuple[str, ...]
    arabic: bool
    acronym: str | None
    sounds: tuple[str, ...]  # of a name in Cyrillic script, for the Latin lists' spellings
    acronym_holders: int = 0  # listed entries with `acronym` for initials; set by the screener
    _legal_forms: frozenset[str] | None = None
    _gives_legal_form: bool | None = None
    _analysed: dict[NameTypeTag, tuple[tuple[Name, dict[tuple[NamePart, ...], float]], ...]] = (
        field(default_factory=dict)
    )

    @classmethod
    def build(cls, text: str, tokens: tuple[str, ...], form: str) -> QueryName:
        """`text` as queried; `form`, the text to analyse (without misspelt legal forms)."""
        arabic = is_arabic_script(form)
        keys, vowelled = _key_pairs(form) if arabic else ((), ())
        return cls(
            text,
            form,
            tokens,
            " ".join(tokens),
            "".join(tokens),
            keys,
            vowelled,
            arabic,
            acronym_query(text),
            sounds(tokens) if is_cyrillic_script(form) else (),
        )

    def legal_forms(self) -> frozenset[str]:
        if self._legal_forms is None:
            self._legal_forms = legal_forms(self.form)
        return self._legal_forms

    def gives_legal_form(self) -> bool:
        if self._gives_legal_form is None:
            self._gives_legal_form = gives_legal_form(self.form)
        return self._gives_legal_form

    def analysed(
        self, tag: NameTypeTag
    ) -> tuple[tuple[Name, dict[tuple[NamePart, ...], float]], ...]:
        found = self._analysed.get(tag)
        if found is None:
            names = analyze_names(
                tag,
                [analysable(self.form)],
                infer_initials=tag == NameTypeTag.PER,
                rewrite=False,
                consolidate=False,
            )
            found = self._analysed[tag] = tuple((name, _extra_weights(name)) for name in names)
        return found


def _extra_weights(name: Name) -> dict[tuple[NamePart, ...], float]:
    weights: dict[tuple[NamePart, ...], float] = {}
    for span in name.spans:
        weight = EXTRA_SYMBOL_WEIGHTS.get(span.symbol.category, 1.0)
        if weight != 1.0:
            weights[span.parts] = weights.get(span.parts, 1.0) * weight
    return weights


def _same_words(
    query: list[NamePart], listed: list[NamePart]
) -> tuple[list[Alignment], list[NamePart], list[NamePart]]:
    """Words spelt the same paired whatever their order ("Bank Tanchon
    Commercial"), before the order-bound alignment of the rest."""
    pairs: list[Alignment] = []
    listed = list(listed)
    query_left = []
    for part in query:
        match = next((other for other in listed if other.comparable == part.comparable), None)
        if match is None:
            query_left.append(part)
        else:
            listed.remove(match)
            pairs.append(Alignment([part], [match], None, 1.0, 1.0))
    return pairs, query_left, listed


def _initials(
    query: list[NamePart], listed: list[NamePart]
) -> tuple[list[Alignment], list[NamePart], list[NamePart]]:
    """Single letters paired with the parts they are the initials of, in order."""
    pairs: list[Alignment] = []
    for short, long, query_short in ((query, listed, True), (listed, query, False)):
        for part in [p for p in short if len(p.comparable) == 1 and p.comparable.isalpha()]:
            match = next(
                (p for p in long if len(p.comparable) > 1 and p.comparable[0] == part.comparable),
                None,
            )
            if match is None:
                continue
            short.remove(part)
            long.remove(match)
            qps, rps = ([part], [match]) if query_short else ([match], [part])
            pairs.append(Alignment(qps, rps, None, INITIAL_SCORE, INITIAL_WEIGHT))
    return pairs, query, listed


def _explain(alignment: Alignment) -> str:
    query, listed = alignment.qstr, alignment.rstr
    if alignment.symbol is not None:
        symbol = alignment.symbol
        what = f"{query!r}~{listed!r} {symbol.category.value.lower()} {symbol.id}"
    elif not query:
        what = f"{listed!r} only in the listed name"
    elif not listed:
        what = f"{query!r} only in the query"
    elif query == listed:
        what = f"{query!r} same"
    elif len(alignment.qps) == 1 and len(alignment.rps) == 1 and min(len(query), len(listed)) == 1:
        what = f"{query!r}~{listed!r} initial"
    else:
        what = f"{query!r}~{listed!r} spelling"
    return f"{what}: {alignment.score:.2f} x{alignment.weight:.2f}"


def _symbolic(
    query: Name,
    query_extras: dict[tuple[NamePart, ...], float],
    listed: Name,
    listed_extras: dict[tuple[NamePart, ...], float],
) -> tuple[float, list[Alignment]]:
    best_score, best_alignments = 0.0, []
    person = NameTypeTag.PER in (query.tag, listed.tag)
    for edges in pair_symbols(query, listed):
        alignments = []
        for edge in edges:
            assert edge.symbol is not None
            edge.score = SYMBOL_SCORES.get(edge.symbol.category, 1.0)
            edge.weight = SYMBOL_WEIGHTS.get(edge.symbol.category, 1.0)
            alignments.append(edge)
        query_used = {part for edge in edges for part in edge.qps}
        listed_used = {part for edge in edges for part in edge.rps}
        query_left = [part for part in query.parts if part not in query_used]
        listed_left = [part for part in listed.parts if part not in listed_used]
        if query_left or listed_left:
            # Words spelt the same first: an initial is never paired with a
            # word the other name also gives in full ("M. M. Mire" and "Mire").
            same, query_left, listed_left = _same_words(query_left, listed_left)
            alignments += same
            if person:
                query_left, listed_left = align_person_name_order(query_left, listed_left)
                initials, query_left, listed_left = _initials(query_left, listed_left)
                alignments += initials
            else:
                query_left = NamePart.tag_sort(query_left)
                listed_left = NamePart.tag_sort(listed_left)
            alignments += compare_parts(query_left, listed_left, COMPARE_CONFIG)
        alignments = _into_spans(alignments)
        # A legal form on one side only is often left out ("Siemens" for
        # "Siemens AG"); one on each side unpaired is two different forms.
        unpaired_forms = {
            bool(alignment.qps) for alignment in alignments if _unpaired_legal_form(alignment)
        }
        one_sided_form = len(unpaired_forms) == 1
        for alignment in alignments:
            qps, rps = alignment.qps, alignment.rps
            if _unpaired_legal_form(alignment):
                alignment.weight = (
                    OMITTED_LEGAL_FORM_WEIGHT if one_sided_form else CONFLICTING_LEGAL_FORM_WEIGHT
                )
            elif not qps:
                alignment.weight = EXTRA_LISTED_WEIGHT * _extra(rps, listed_extras)
            elif not rps:
                alignment.weight = EXTRA_QUERY_WEIGHT * _extra(qps, query_extras)
            elif alignment.score < 1.0:
                if _legal_form(qps) and _legal_form(rps) and alignment.symbol is not None:
                    alignment.score = 1.0  # "Corp" and "Corporation" are one form
                else:
                    alignment.score = max(
                        alignment.score, _spelling(alignment.qstr, alignment.rstr)
                    )
        total = sum(alignment.weight for alignment in alignments)
        score = sum(a.score * a.weight for a in alignments) / total if total else 0.0
        if score > best_score:
            best_score, best_alignments = score, alignments
            if score >= 1.0:
                break
    return best_score, best_alignments


def _into_spans(alignments: list[Alignment]) -> list[Alignment]:
    """A word left unpaired that is (or is spelt like) a word inside a longer
    symbol span on the other side is paired with it: "Shipping Linne"
    against the span "shipping line" that rigour paired with "shipping"."""
    spans = [a for a in alignments if a.symbol is not None and len(a.qps) != len(a.rps)]
    if not spans:
        return alignments
    result = []
    for alignment in alignments:
        if (alignment.qps and alignment.rps) or len(alignment.qps or alignment.rps) != 1:
            result.append(alignment)
            continue
        query_side = bool(alignment.qps)
        (part,) = alignment.qps or alignment.rps
        found = None
        for span in spans:
            inside = span.rps if query_side else span.qps
            for other in inside:
                score = (
                    1.0
                    if other.comparable == part.comparable
                    else _spelling(part.comparable, other.comparable)
                )
                if score:
                    found = (other, score)
                    break
            if found:
                break
        if found is None:
            result.append(alignment)
        else:
            other, score = found
            qps, rps = ((part,), (other,)) if query_side else ((other,), (part,))
            result.append(Alignment(qps, rps, None, score, 1.0))
    return result


def legal_forms(text: str) -> frozenset[str]:
    """The generic forms (llc, jsc ...) of the legal forms a name gives, by rigour's database."""
    return frozenset(form for _, form in org_types(text))


def gives_legal_form(text: str, forms: frozenset[str] | None = None) -> bool:
    """Whether `text` gives a legal form, one rigour knows (`forms`, when
    `legal_forms` was read already) or a word `name_tokens` drops."""
    if forms is None:
        forms = legal_forms(text)
    return bool(forms) or not LEGAL_FORMS.isdisjoint(fold(text).split())


def _legal_form(parts: tuple[NamePart, ...]) -> bool:
    return all(part.tag == NamePartTag.LEGAL or part.comparable in LEGAL_FORMS for part in parts)


def _unpaired_legal_form(alignment: Alignment) -> bool:
    return not (alignment.qps and alignment.rps) and _legal_form(alignment.qps or alignment.rps)


def _spelling(query: str, listed: str) -> float:
    """A typo's score: rigour's budget refuses one wrong letter in five."""
    query, listed = query.replace(" ", ""), listed.replace(" ", "")
    return Indel.normalized_similarity(query, listed, score_cutoff=TYPO_PAIR_MIN) or 0.0


def _extra(parts: tuple[NamePart, ...], weights: dict[tuple[NamePart, ...], float]) -> float:
    """How much an unpaired part counts: a stop word, a legal form or a
    generic word less; a word of one or two letters (an article, an
    initial) in proportion to its letters."""
    if len(parts) == 1 and (parts[0].tag == NamePartTag.STOP or parts[0].comparable in TITLES):
        return STOPWORD_WEIGHT
    letters = sum(len(part.comparable) for part in parts)
    return weights.get(parts, 1.0) * min(1.0, letters / SHORT_WORD)


def estimates(query: QueryName, listed: Sequence[ListedName], floor: float) -> list[float]:
    """A cheap estimate of `compare` for each listed name (0 below `floor`),
    to choose the names worth comparing: the mean of rapidfuzz's token-set
    ratio (a subset of the words is a match) and token-sort ratio (the
    words in any order), each one call for all; and for a query of initials, in the other script or
    written as an acronym, that path's own score."""
    spaced = [name.spaced for name in listed]
    scores = [0.0] * len(listed)
    for scorer in (fuzz.token_set_ratio, fuzz.token_sort_ratio):
        for _, ratio, index in process.extract(query.spaced, spaced, scorer=scorer, limit=None):
            scores[index] += ratio / 200
    # Words run together ("Butemboairlines"): the names without spaces.
    joined = [name.joined for name in listed]
    for _, ratio, index in process.extract(query.joined, joined, scorer=fuzz.ratio, limit=None):
        scores[index] = max(scores[index], ratio / 100)
    scores = [score if score >= floor else 0.0 for score in scores]
    if any(len(token) == 1 for token in query.tokens):
        for index, name in enumerate(listed):
            initials = _letter_score(query.tokens, name.tokens, QUICK_PAIR_MIN)
            scores[index] = max(scores[index], initials)
    if query.sounds:
        for index, name in enumerate(listed):
            scores[index] = max(scores[index], _sound_score(query, name))
    if query.arabic or query.acronym:
        for index, name in enumerate(listed):
            if query.arabic and not name.arabic and query.keys and name.keys:
                crossed = _key_score(query.keys, name.keys, query.vowelled, name.vowelled)[0]
                crossed *= CROSS_SCRIPT_CEILING
                scores[index] = max(scores[index], crossed)
            if query.acronym and name.acronym == query.acronym:
                scores[index] = max(
                    scores[index], _acronym_score(len(query.acronym), query.acronym_holders)
                )
    return scores


def _conflicting_forms(query: QueryName, listed: ListedName) -> bool:
    """Whether the two names give different legal forms (an LLC and a JSC of
    one name are two companies)."""
    forms = query.legal_forms(), listed.legal_forms
    return all(forms) and not forms[0] & forms[1]


def _sound_score(query: QueryName, listed: ListedName) -> float:
    """A name in Cyrillic script against a listed one, word by word as they
    sound: a transliteration is never quite the name as written
    (`CROSS_SCRIPT_CEILING`)."""
    letters = _letter_score(
        query.sounds,
        sounds(listed.tokens),
        TYPO_PAIR_MIN,
        initials=False,
        shortest_typo=TYPO_MIN_LETTERS,
    )
    return letters * CROSS_SCRIPT_CEILING


def compare(query: QueryName, listed: ListedName) -> Comparison:
    """How well `query` names what `listed` names, in [0, 1], and why."""
    best = NO_MATCH
    if query.arabic and not listed.arabic and query.keys and listed.keys:
        score, lines = _key_score(query.keys, listed.keys, query.vowelled, listed.vowelled)
        best = Comparison(score * CROSS_SCRIPT_CEILING, lines=("Arabic and Latin script", *lines))
    if query.sounds and not _conflicting_forms(query, listed):
        sound = _sound_score(query, listed)
        if sound > best.score:
            best = Comparison(sound, lines=("Cyrillic and Latin script, letters that sound alike",))
    if query.acronym and listed.acronym == query.acronym:
        score = _acronym_score(len(query.acronym), query.acronym_holders)
        if score > best.score:
            best = Comparison(score, lines=(f"{query.text!r} is the initials of the listed name",))
    tag = _TYPE_TAGS[listed.kind]
    for query_name, query_extras in query.analysed(tag):
        for listed_name, listed_extras in zip(listed.analysed, listed.extra_weights, strict=True):
            if query_name.comparable == listed_name.comparable:
                return Comparison(1.0, lines=(f"{query_name.comparable!r} same",))
            score, alignments = _symbolic(query_name, query_extras, listed_name, listed_extras)
            if score > best.score:
                best = Comparison(score, tuple(alignments))
    # rigour aligns an organisation's words in order and spells a
    # transliterated or misspelt legal form as a word of the name: the
    # share of letters in paired words (legal forms left out, any order)
    # stands too, unless the two names give different legal forms.
    if best.score < 1.0 and not _conflicting_forms(query, listed):
        letters = _letter_score(
            query.tokens,
            listed.tokens,
            TYPO_PAIR_MIN,
            initials=False,
            shortest_typo=TYPO_MIN_LETTERS,
        )
        if query.gives_legal_form() != listed.gives_legal_form:
            letters = min(letters, OMITTED_LEGAL_FORM_CEILING)
        if letters > best.score:
            best = Comparison(letters, lines=(f"letters of the words paired: {letters:.2f}",))
    return best
