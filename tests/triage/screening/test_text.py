"""triage.text: the normalisation extraction and screening share."""

import pytest

from triage.text import LEGAL_FORMS, fold, name_tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Müller", "muller"),
        ("ŁÓDŹ Straße", "lodz strasse"),
        ("Ким Чен Ын", "kim chen yn"),
        ("Forces Démocratiques Alliées", "forces democratiques alliees"),
        ("Ma\u2019an Al-Qaida", "maan al qaida"),
        ("O'Brien", "obrien"),
        ("S.A. de C.V.", "sa de cv"),
        ("U.S.A.", "usa"),
        ("Smith  &  Sons", "smith and sons"),
        ("  KIM,\tJong\nUn ", "kim jong un"),
        ("“Chief Kahwa”", "chief kahwa"),
        ("8542.31", "8542 31"),
        ("\uff21\uff22\uff23", "abc"),  # full-width letters
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_is_idempotent():
    for text in ["Müller GmbH & Co. KG", "Ким Чен Ын", "S.A.", "al-Hajj"]:
        assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Siemens AG", ("siemens",)),
        ("SHENZHEN ABC CO., LTD.", ("shenzhen", "abc")),
        ("Müller GmbH & Co. KG", ("muller",)),
        ('OOO "Sovfracht"', ("sovfracht",)),
        ("JSC Tactical Missiles Corporation", ("tactical", "missiles")),
        ("Al Noor FZE", ("al", "noor")),
        ("Gulf Star FZCO", ("gulf", "star")),
        ("Acme Holdings Pte. Ltd.", ("acme", "holdings")),
        ("Smith & Sons Limited", ("smith", "and", "sons")),
        ("KIM, Jong Un", ("kim", "jong", "un")),
        # Nothing but legal forms: kept, so the name still has words.
        ("Company Limited", ("company", "limited")),
        ("", ()),
    ],
)
def test_name_tokens(name, tokens):
    assert name_tokens(name) == tokens


def test_legal_forms_are_folded_words():
    assert all(form == fold(form) and " " not in form for form in LEGAL_FORMS)
    assert {"ltd", "llc", "gmbh", "co", "corp", "inc", "jsc", "ooo", "fze", "fzco"} <= LEGAL_FORMS
    assert {"sa", "ag", "bv", "pte", "plc", "limited", "company"} <= LEGAL_FORMS
