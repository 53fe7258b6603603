"""How the screener compares names, as an operator sees it in `Screener.screen`'s hits.

Most tests screen against a small hand-made list of invented names, one
entry per behaviour (legal forms, generic words, initials, given-name
variants, dropped middle names, Arabic script, acronyms, IMO numbers); the
last ones screen against the real lists (the `screener` fixture).
"""

import pytest

from triage.scoring import HIT_THRESHOLD, POSSIBLE_HIT_THRESHOLD
from triage.screening import EntryKind, Identifier, ListEntry, ParsedList, Screener
from triage.screening.names import ACRONYM_SHARED_PENALTY, consonant_keys
from triage.screening.screener import IMO_MISMATCH_PENALTY

# صدام حسين التكريتي
SADDAM_ARABIC = (
    "\u0635\u062f\u0627\u0645 \u062d\u0633\u064a\u0646 "
    "\u0627\u0644\u062a\u0643\u0631\u064a\u062a\u064a"
)
# عبد الله الزبيدي: another Arabic name of about the same length.
OTHER_ARABIC = (
    "\u0639\u0628\u062f \u0627\u0644\u0644\u0647 \u0627\u0644\u0632\u0628\u064a\u062f\u064a"
)

ACRONYM_HOLDER = ListEntry(
    entry_id="narb", kind=EntryKind.ENTITY, primary_name="Northern Atomic Research Bureau"
)
VESSEL_IMO = "9187629"
COMPANY_IMO = "5342883"

ENTRIES = (
    ListEntry(entry_id="brenntal", kind=EntryKind.ENTITY, primary_name="Brenntal Maschinenbau AG"),
    ListEntry(entry_id="vossberg", kind=EntryKind.ENTITY, primary_name="Vossberg Handelsbank AG"),
    ListEntry(entry_id="calloway", kind=EntryKind.ENTITY, primary_name="Calloway Freight Ltd"),
    ListEntry(entry_id="tarvello", kind=EntryKind.ENTITY, primary_name="Tarvello S.A."),
    ListEntry(entry_id="korvane", kind=EntryKind.ENTITY, primary_name="Korvane Makina A.S."),
    ListEntry(entry_id="lemberk", kind=EntryKind.ENTITY, primary_name="OOO Lemberk Trade"),
    ListEntry(entry_id="tehran", kind=EntryKind.ENTITY, primary_name="Tehran Industrial Group"),
    ListEntry(entry_id="khan", kind=EntryKind.INDIVIDUAL, primary_name="Abdul Qadeer Khan"),
    ListEntry(
        entry_id="zubaidi", kind=EntryKind.INDIVIDUAL, primary_name="Mohammed Ali Hassan Zubaidi"
    ),
    ListEntry(
        entry_id="marquale", kind=EntryKind.INDIVIDUAL, primary_name="Keldor Vantessa Marquale"
    ),
    ListEntry(entry_id="moyonde", kind=EntryKind.INDIVIDUAL, primary_name="Idris Bakari Moyonde"),
    ListEntry(entry_id="hejazi", kind=EntryKind.INDIVIDUAL, primary_name="Jozef Hejazi Tarvin"),
    ListEntry(entry_id="madawi", kind=EntryKind.INDIVIDUAL, primary_name="Yusuf al-Madawi"),
    ListEntry(entry_id="mirelli", kind=EntryKind.INDIVIDUAL, primary_name="Mirko Matevan Mirelli"),
    ListEntry(
        entry_id="saddam", kind=EntryKind.INDIVIDUAL, primary_name="Saddam Hussein al-Tikriti"
    ),
    ACRONYM_HOLDER,
    ListEntry(
        entry_id="quillmere-star",
        kind=EntryKind.VESSEL,
        primary_name="Quillmere Star",
        identifiers=(Identifier("IMO", VESSEL_IMO),),
    ),
    ListEntry(
        entry_id="ostrava-marine",
        kind=EntryKind.ENTITY,
        primary_name="Ostravin Marine Holdings",
        identifiers=(Identifier("IMO", COMPANY_IMO),),
    ),
    ListEntry(
        entry_id="granholm",
        kind=EntryKind.ENTITY,
        primary_name="Granholm Precision Optics",
        countries=("SE",),
    ),
)


def screener_of(*entries):
    return Screener(
        [ParsedList(source="test", version_label="v1", sha256="0" * 64, entries=entries)]
    )


@pytest.fixture(scope="module")
def listed():
    return screener_of(*ENTRIES)


def hit_for(hits, entry_id, source="test"):
    """The hit on one entry, or None."""
    return next(
        (hit for hit in hits if (hit.list_source, hit.entry_id) == (source, entry_id)), None
    )


def score_of(screener, query, entry_id, **kwargs):
    """The entry's score for `query` whatever the threshold, 0.0 when it is not scored."""
    hit = hit_for(screener.screen(query, threshold=0.0, limit=100, **kwargs), entry_id)
    return hit.score if hit else 0.0


# 1. Legal forms


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("Brenntal Maschinenbau Aktiengesellschaft", "brenntal"),
        ("Calloway Freight Limited", "calloway"),
        # forms of several words, in any case and with their accents
        ("TARVELLO SOCIÉTÉ ANONYME", "tarvello"),
        ("Korvane Makina Anonim Şirketi", "korvane"),
        ("Obshchestvo s Ogranichennoy Otvetstvennostyu Lemberk Trade", "lemberk"),
    ],
)
def test_a_spelt_out_legal_form_equals_its_abbreviation(listed, query, entry_id):
    hit = hit_for(listed.screen(query), entry_id)
    assert hit is not None
    assert hit.score == 1.0, hit.reasons


@pytest.mark.parametrize(
    ("listed_name", "entry_id"),
    [("Brenntal Maschinenbau", "brenntal"), ("Vossberg Handelsbank", "vossberg")],
)
def test_a_different_legal_form_is_penalised_a_missing_one_barely(listed, listed_name, entry_id):
    same = score_of(listed, f"{listed_name} AG", entry_id)
    different = score_of(listed, f"{listed_name} GmbH", entry_id)
    assert same == 1.0
    assert POSSIBLE_HIT_THRESHOLD <= different < HIT_THRESHOLD
    assert hit_for(listed.screen(f"{listed_name} GmbH"), entry_id) is None
    # Without any legal form the name is still a hit.
    bare = hit_for(listed.screen(listed_name), entry_id)
    assert bare is not None
    assert different < bare.score < same


# 2. Generic words


def test_shared_generic_words_do_not_make_a_possible_hit(listed):
    hits = listed.screen("Shanghai Industrial Group", threshold=POSSIBLE_HIT_THRESHOLD)
    assert hit_for(hits, "tehran") is None, [(h.entry_id, h.score) for h in hits]
    assert score_of(listed, "Shanghai Industrial Group", "tehran") < POSSIBLE_HIT_THRESHOLD
    assert hit_for(listed.screen("Tehran Industrial Group"), "tehran").score == 1.0


# 3. Initials


@pytest.mark.parametrize("query", ["A. Q. Khan", "A Q Khan", "Abdul Q. Khan"])
def test_initials_stand_for_given_names(listed, query):
    hit = hit_for(listed.screen(query), "khan")
    assert hit is not None
    assert HIT_THRESHOLD <= hit.score < 1.0
    assert any("initial" in reason for reason in hit.reasons), hit.reasons


def test_an_initial_is_not_taken_for_the_surname_it_shares_a_letter_with(listed):
    # The surname is paired as the same word; the initials stand for the given names.
    hit = hit_for(listed.screen("M. M. Mirelli"), "mirelli")
    assert hit is not None
    assert HIT_THRESHOLD <= hit.score < 1.0
    assert any("'mirelli' same" in reason for reason in hit.reasons), hit.reasons


def test_initials_do_not_make_another_surname_a_hit(listed):
    assert hit_for(listed.screen("A. Q. Smith"), "khan") is None
    assert score_of(listed, "A. Q. Smith", "khan") < POSSIBLE_HIT_THRESHOLD


# 4. Given-name variants


@pytest.mark.parametrize(
    "query",
    ["Muhammad Ali Hassan Zubaidi", "Mohamed Ali Hassan Zubaidi", "Mohammad Ali Hasan Zubaidi"],
)
def test_given_name_variants_hit(listed, query):
    hit = hit_for(listed.screen(query), "zubaidi")
    assert hit is not None, listed.screen(query, threshold=0.0)
    assert hit.score >= HIT_THRESHOLD


# 5. A dropped middle name


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [("Keldor Marquale", "marquale"), ("Idris Moyonde", "moyonde")],
)
def test_first_and_last_name_of_three_is_a_hit(listed, query, entry_id):
    hit = hit_for(listed.screen(query), entry_id)
    assert hit is not None, listed.screen(query, threshold=0.0)
    assert HIT_THRESHOLD <= hit.score < 1.0


# 6. Arabic script against a Latin listed name


def test_arabic_script_finds_a_latin_listed_name(listed):
    hit = hit_for(listed.screen(SADDAM_ARABIC), "saddam")
    assert hit is not None
    assert hit.score >= HIT_THRESHOLD
    assert hit.matched_name == "Saddam Hussein al-Tikriti"
    assert any("Arabic and Latin script" in reason for reason in hit.reasons), hit.reasons


def test_a_short_arabic_name_is_a_hit_when_its_latin_spelling_writes_its_long_vowels(listed):
    # يوسف المداوي: consonant keys too short to name anyone (sf, md), but
    # "Yusuf al-Madawi" writes every letter of both words
    yusuf = "\u064a\u0648\u0633\u0641 \u0627\u0644\u0645\u062f\u0627\u0648\u064a"
    hit = hit_for(listed.screen(yusuf), "madawi")
    assert hit is not None
    assert hit.score >= HIT_THRESHOLD
    # سيف المداوي (Saif): the same consonants, and a long vowel "Yusuf" does not write
    saif = "\u0633\u064a\u0641 \u0627\u0644\u0645\u062f\u0627\u0648\u064a"
    assert score_of(listed, saif, "madawi") < HIT_THRESHOLD


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("\u0639\u0628\u062f\u0627\u0644\u062c\u0628\u0627\u0631", "Abdul Jabbar"),  # عبدالجبار
        ("\u0639\u0628\u062f \u0627\u0644\u0633\u062a\u0627\u0631", "Abdul Satar"),  # عبد الستار
    ],
)
def test_an_abd_compound_reads_as_the_latin_lists_write_it(arabic, latin):
    assert consonant_keys(arabic) == consonant_keys(latin)


def test_another_arabic_name_is_no_hit(listed):
    assert hit_for(listed.screen(OTHER_ARABIC), "saddam") is None
    assert listed.screen(OTHER_ARABIC) == []


@pytest.mark.parametrize(
    "query",
    [
        "Жозеф Хежази Тарвин",  # Zhozef Khezhazi as it sounds is Jozef Hejazi
        "Тарвин Жозеф Хежази",  # in another order
    ],
)
def test_cyrillic_script_finds_a_latin_listed_name_as_it_sounds(listed, query):
    hit = hit_for(listed.screen(query), "hejazi")
    assert hit is not None
    assert hit.score >= HIT_THRESHOLD
    assert any("Cyrillic and Latin script" in reason for reason in hit.reasons), hit.reasons


def test_another_cyrillic_name_is_no_hit(listed):
    assert hit_for(listed.screen("Жозеф Кузнецов Тарасов"), "hejazi") is None


# 7. Acronyms


def test_a_capitalised_acronym_finds_the_organisation(listed):
    hit = hit_for(listed.screen("NARB"), "narb")
    assert hit is not None
    assert hit.matched_name == "Northern Atomic Research Bureau"
    assert any("initials" in reason for reason in hit.reasons), hit.reasons


def test_a_lower_case_word_is_not_an_acronym(listed):
    assert hit_for(listed.screen("narb"), "narb") is None


def test_an_acronym_shared_by_two_listed_entries_counts_less():
    alone = screener_of(ACRONYM_HOLDER)
    shared = screener_of(
        ACRONYM_HOLDER,
        ListEntry(
            entry_id="narb-2", kind=EntryKind.ENTITY, primary_name="National Aero Rocket Board"
        ),
    )
    one = score_of(alone, "NARB", "narb")
    two = {entry_id: score_of(shared, "NARB", entry_id) for entry_id in ("narb", "narb-2")}
    assert one >= HIT_THRESHOLD
    assert all(0.0 < score < one for score in two.values()), (one, two)
    assert two["narb"] == pytest.approx(one - ACRONYM_SHARED_PENALTY)


# 8. Explanations


@pytest.mark.parametrize(
    "query",
    [
        "Brenntal Maschinenbau AG",  # exact
        "Brenntal Maschinenbau Aktiengesellschaft",
        "Vossberg Handelsbank",
        "A. Q. Khan",
        "Muhammad Ali Hassan Zubaidi",
        "Keldor Marquale",
        SADDAM_ARABIC,
        "NARB",
        "Granholm Precision Optics",
    ],
)
def test_every_hit_explains_its_pairs(listed, query):
    hits = listed.screen(query)
    assert hits
    for hit in hits:
        first, *rest = hit.reasons
        assert first.startswith(f"name {query!r} ~ {hit.matched_name!r}: "), first
        assert rest, hit.reasons
        assert rest[0].startswith("  "), hit.reasons


def test_a_country_mismatch_is_the_last_reason(listed):
    hit = hit_for(listed.screen("Granholm Precision Optics", country="FR"), "granholm")
    assert hit is not None
    assert hit.reasons[0].startswith("name 'Granholm Precision Optics' ~ ")
    assert hit.reasons[1].startswith("  ")
    assert "not among the listed" in hit.reasons[-1]
    assert "SE" in hit.reasons[-1]


# 9. IMO numbers


def test_an_imo_number_counts_against_vessels_only(listed):
    company = hit_for(
        listed.screen("Ostravin Marine Holdings", identifiers=[f"IMO {VESSEL_IMO}"]),
        "ostrava-marine",
    )
    assert company is not None
    assert company.score == 1.0
    assert not any("IMO" in reason for reason in company.reasons), company.reasons


def test_another_imo_number_lowers_the_vessel(listed):
    plain = score_of(listed, "Quillmere Star", "quillmere-star")
    assert plain == 1.0
    hits = listed.screen("Quillmere Star", identifiers=["IMO 9999999"], threshold=0.0)
    vessel = hit_for(hits, "quillmere-star")
    assert vessel.score == pytest.approx(plain - IMO_MISMATCH_PENALTY)
    assert f"is not the listed {VESSEL_IMO}" in vessel.reasons[-1]
    # Listed name and all, the vessel falls out of the hits.
    weakened = listed.screen("Quillmere Star", identifiers=["IMO 9999999"])
    assert hit_for(weakened, "quillmere-star") is None


# 10. Words run together and reordered, on the real lists


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("Butemboairlines", "CDe.002"),  # BUTEMBO AIRLINES (BAL)
        ("Bank Tanchon Commercial", "KPe.003"),  # TANCHON COMMERCIAL BANK
    ],
)
def test_words_run_together_or_reordered(screener, query, entry_id):
    hits = screener.screen(query, limit=100)
    hit = hit_for(hits, entry_id, source="un")
    assert hit is not None, [(h.list_source, h.entry_id, h.score) for h in hits[:5]]
    assert hit.score >= HIT_THRESHOLD
    assert hit.queried_name == query


# 11. A misspelt legal form or title is left out, on the real lists


@pytest.mark.parametrize(
    ("query", "entry_id", "misspelt"),
    [
        ("Korea Mining Development Trading Copany", "KPe.001", "copany"),
        ("Ckolonel Baudoin NGARUYE", "CDi.019", "ckolonel"),
    ],
)
def test_a_misspelt_legal_form_or_title_is_ignored(screener, query, entry_id, misspelt):
    hits = screener.screen(query, limit=100)
    hit = hit_for(hits, entry_id, source="un")
    assert hit is not None, [(h.list_source, h.entry_id, h.score) for h in hits[:5]]
    assert hit.score >= 0.85
    # Not paired as a word of the name: no explanation line mentions it.
    assert not any(misspelt in line.lower() for line in hit.reasons[1:]), hit.reasons
