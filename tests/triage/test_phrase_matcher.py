"""The phrase matcher's shared word lists and candidate search (triage.text.Words).

A field is folded and keyed once (`TextField.match_words`) and every matcher
reads the same `Words`; a matcher walks its trie only from words whose key
starts one of its phrases. These tests hold that the shortcuts answer what
the word-by-word definition answers.
"""

from __future__ import annotations

from triage.extract import TextField, fold_same_length
from triage.language import _script, _script_counts, detect_language
from triage.text import PhraseMatcher, Words, _match_char, match_fold, tokens, words_of


def _field(text: str) -> TextField:
    return TextField("what_happened", text, fold_same_length(text))


def test_ascii_words_are_lower_case_runs_with_their_spans() -> None:
    text = "The END-USER certificate, 2 units; carbon fibre."
    words = Words(text)
    assert words.owner is None
    assert words.keys is None
    assert words.flat == ["the", "end", "user", "certificate", "2", "units", "carbon", "fibre"]
    assert [text[start:end] for start, end in words.spans][:3] == ["The", "END", "USER"]
    assert [(t.keys, t.start, t.end) for t in tokens(text)] == [
        ((key,), start, end) for key, (start, end) in zip(words.flat, words.spans, strict=True)
    ]


def test_arabic_words_keep_every_key_and_which_word_it_is_of() -> None:
    text = "وبالعقوبات على الشركة"
    words = Words(text)
    assert words.keys is not None
    assert words.owner is not None
    assert len(words.keys) == 3
    assert len(words.flat) == len(words.owner)
    assert "عقوبات" in words.keys[0]  # the conjunction, preposition and article off
    assert all(words.flat[i] in words.keys[words.owner[i]] for i in range(len(words.flat)))


def test_a_field_is_tokenised_once_for_every_matcher() -> None:
    field = _field("Shipped via a front company to the end user.")
    assert words_of(field) is field.match_words is words_of(field)
    goods = PhraseMatcher([("end user", 1)])
    flags = PhraseMatcher([("front company", 2), ("end user", 3)])
    text = field.text
    assert [text[s:e] for s, e, _ in goods.find(field)] == ["end user"]
    assert [(text[s:e], v) for s, e, v in flags.find_all(field)] == [
        ("front company", (2,)),
        ("end user", (3,)),
    ]


def test_a_text_without_a_first_word_of_any_phrase_matches_nothing() -> None:
    matcher = PhraseMatcher([("end user", 1, "en"), ("конечный пользователь", 2, "ru")])
    assert matcher.find("no such words here") == []
    assert matcher.find_all("用户 مستخدم user end") == []


def test_longest_match_wins_and_find_all_keeps_the_overlaps() -> None:
    matcher = PhraseMatcher(
        [("end user", 1), ("end user certificate", 2), ("user", 3), ("certificate", 4)]
    )
    text = "a forged end user certificate and another end user"
    assert [(text[s:e], v) for s, e, v in matcher.find(text)] == [
        ("end user certificate", (2,)),
        ("end user", (1,)),
    ]
    assert [(text[s:e], v) for s, e, v in matcher.find_all(text)] == [
        ("end user", (1,)),
        ("end user certificate", (2,)),
        ("user", (3,)),
        ("certificate", (4,)),
        ("end user", (1,)),
        ("user", (3,)),
    ]


def test_arabic_phrase_found_through_any_of_a_words_keys() -> None:
    matcher = PhraseMatcher([("العقوبات", 1, "ar"), ("مستخدم نهائي", 2, "ar")])
    text = "قال إن المستخدم النهائي تهرب من العقوبات وبالعقوبات"
    found = [(text[s:e], v) for s, e, v in matcher.find_all(text)]
    assert found == [("المستخدم النهائي", (2,)), ("العقوبات", (1,)), ("وبالعقوبات", (1,))]


def test_match_fold_table_folds_as_each_character_does() -> None:
    text = "Ausführ ЁЛКА كيميائي کیمیایی الْعُقُوبَاتُ ۱۲۳ 出口 ß İ"
    assert match_fold(text) == "".join(_match_char(char) for char in text)


def test_script_counts_count_as_the_character_test_does() -> None:
    text = "Ausfuhr² nach Тегеран, دبي و 深圳 ½ ダ ẞ"
    expected: dict[str, int] = {}
    for char in text:
        script = _script(char)
        if script is not None:
            expected[script] = expected.get(script, 0) + 1
    assert _script_counts(text) == expected
    assert _script_counts("plain ASCII, 42") == {"latin": 10}
    assert detect_language("The company shipped the parts to the end user in Dubai.") == "en"


def test_a_fields_places_are_found_once() -> None:
    from triage.places import find_places

    field = _field("The lathes went from Tianjin to Bandar Abbas via Dubai.")
    assert field.places is field.places
    assert list(field.places) == find_places(field.text)
    assert [field.text[p.start : p.end] for p in field.places] == [
        "Tianjin",
        "Bandar Abbas",
        "Dubai",
    ]


def test_hangul_syllables_are_matched_whole() -> None:
    # Decomposed to its first letter, 소총 (rifle) was 수출 (export).
    matcher = PhraseMatcher([("소총", 1, "ko")])
    assert matcher.find("수출 허가") == []
    text = "소총 200정"
    assert [(text[s:e], v) for s, e, v in matcher.find(text)] == [("소총", (1,))]
