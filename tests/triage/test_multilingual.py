# ruff: noqa: RUF001, E501 (reports written in other scripts, one sentence a line)
"""Reports in Arabic, Chinese, French, German, Persian, Russian and Spanish.

Language detection (triage.language), phrase matching in every script
(triage.text.PhraseMatcher) and what extraction and the indicators make of
such reports: every span points into the original text.
"""

from __future__ import annotations

import json

import pytest

from triage.extract import extract, report_fields
from triage.indicators import fire_indicators, load_indicators
from triage.language import LANGUAGES, detect_language
from triage.model import Domain
from triage.text import PhraseMatcher, match_fold, tokens


def _tip(text: str, **fields: object) -> dict[str, object]:
    return {"form": "tip", "format": 1, "what_happened": text, **fields}


# --------------------------------------------------------------------------- language

SAMPLES = {
    "ar": "نقلت الشركة البضاعة إلى دبي ثم أعادت تصديرها إلى طهران دون ترخيص من الجهات المختصة.",
    "fa": "این شرکت کالا را به دبی فرستاد و از آنجا بدون مجوز به تهران برد که خلاف قانون است.",
    "zh": "这家公司把货物先运到香港，再转运到伊朗，出口单据上写的最终用户是假的。",
    "ru": "Компания отправила товар в Казахстан, а оттуда его перевезли в Россию без лицензии.",
    "de": "Die Firma hat die Ware über die Türkei in den Iran geliefert, ohne dass eine Genehmigung vorlag.",
    "fr": "La société a expédié les pièces à Dubaï, puis elles ont été réexportées vers l'Iran sans licence.",
    "es": "La empresa envió las piezas a Dubái y desde allí fueron reexportadas a Irán sin licencia.",
    "en": "The company shipped the parts to Dubai and they were then re-exported to Iran without a licence.",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_detects_each_language(language: str) -> None:
    assert language in LANGUAGES
    assert detect_language(SAMPLES[language]) == language


def test_language_of_several_fields_is_the_main_text_s() -> None:
    # Latin company names in a Chinese report do not make it English.
    texts = [SAMPLES["zh"], "Shenzhen Bright Star Electronics Co., Ltd.", "Tehran Trading"]
    assert detect_language(texts) == "zh"


def test_too_little_text_or_another_language_is_none() -> None:
    assert detect_language("") is None
    assert detect_language("OK 123") is None
    assert (
        detect_language("Bu şirket parçaları Dubai üzerinden İran'a gönderdi, lisans yoktu.")
        is None
    )
    assert (
        detect_language("日本の会社がドバイ経由で部品を送りました。") is None
    )  # kana: not Chinese


# --------------------------------------------------------------------------- folding


def test_match_fold_keeps_length_and_folds_letter_variants() -> None:
    for text in ("كيميائي", "کیمیایی", "أإآٱ", "ةۀ", "الْعُقُوبَاتُ", "ё Ё й", "Ausführ", "۱۲۳٤٥"):
        assert len(match_fold(text)) == len(text)
    assert match_fold("کیمیایی") == match_fold("كيميائي")[:2] + match_fold("کیمیایی")[2:]
    assert match_fold("ی") == match_fold("ي") == match_fold("ى")
    assert match_fold("ک") == match_fold("ك")
    assert match_fold("أ") == match_fold("إ") == match_fold("آ") == match_fold("ا")
    assert match_fold("ё") == match_fold("е")
    assert match_fold("۱۲۳") == "123"


def test_tokens_drop_diacritics_and_tatweel_but_keep_the_original_span() -> None:
    text = "قال إن العـــقوباتِ لا تعنيه"
    words = tokens(text)
    plain = tokens("قال إن العقوبات لا تعنيه")
    assert [w.keys for w in words] == [w.keys for w in plain]
    assert text[words[2].start : words[2].end] == "العـــقوباتِ"


def test_chinese_is_one_token_per_character() -> None:
    words = tokens("出口许可证")
    assert len(words) == 5
    assert [(w.start, w.end) for w in words] == [(i, i + 1) for i in range(5)]


# --------------------------------------------------------------------------- matching


def _found(matcher: PhraseMatcher, text: str) -> list[tuple[str, tuple[int, ...]]]:
    return [(text[start:end], values) for start, end, values in matcher.find_all(text)]


def test_chinese_phrases_match_as_character_sequences() -> None:
    matcher = PhraseMatcher([("最终用户", 1, "zh"), ("转运", 2, "zh")])
    text = "他们在香港转运，对美方说最终用户是国内企业。"
    assert _found(matcher, text) == [("转运", (2,)), ("最终用户", (1,))]


def test_arabic_phrases_match_with_clitics_article_and_spelling_variants() -> None:
    matcher = PhraseMatcher([("العقوبات", 1, "ar"), ("مستخدم نهائي", 2, "ar")])
    assert _found(matcher, "الشركة خاضعة للعقوبات") == [("للعقوبات", (1,))]
    assert _found(matcher, "وبالعقوبات") == [("وبالعقوبات", (1,))]
    assert _found(matcher, "عقوبات أمريكية") == [("عقوبات", (1,))]
    # Article on both words, a final yeh written as Persian yeh, harakat.
    assert _found(matcher, "اسم المستخدمِ النهائی") == [("المستخدمِ النهائی", (2,))]


def test_persian_phrases_match_with_zwnj_and_suffixes() -> None:
    matcher = PhraseMatcher([("تحریم", 1, "fa"), ("شرکت پوششی", 2, "fa")])
    assert _found(matcher, "در فهرست تحریم‌ها است") == [("تحریم‌ها", (1,))]
    assert _found(matcher, "تحریمهای آمریکا") == [("تحریمهای", (1,))]
    # Arabic letters for Persian ones: the same word.
    assert _found(matcher, "تحريم") == [("تحريم", (1,))]
    assert _found(matcher, "شرکتهای پوششی") == [("شرکتهای پوششی", (2,))]


def test_russian_phrases_match_in_other_cases() -> None:
    matcher = PhraseMatcher([("без лицензии", 1, "ru"), ("конечный пользователь", 2, "ru")])
    assert _found(matcher, "отправляли без лицензий") == [("без лицензий", (1,))]
    assert _found(matcher, "для конечного пользователя") == [("конечного пользователя", (2,))]
    assert _found(matcher, "конечным пользователем") == [("конечным пользователем", (2,))]
    assert _found(matcher, "Конечный Пользователь") == [("Конечный Пользователь", (2,))]


def test_german_phrases_match_with_case_endings_and_english_plurals_only() -> None:
    matcher = PhraseMatcher([("Ausfuhrgenehmigung", 1, "de"), ("end user", 2, "en")])
    assert _found(matcher, "ohne Ausfuhrgenehmigungen") == [("Ausfuhrgenehmigungen", (1,))]
    assert _found(matcher, "die Ausführgenehmigung") == [("Ausführgenehmigung", (1,))]
    assert _found(matcher, "the end users") == [("end users", (2,))]
    assert _found(matcher, "the end usern") == []


def test_find_takes_the_longest_non_overlapping_match() -> None:
    matcher = PhraseMatcher(
        [("转运", 1, "zh"), ("转运记录", 2, "zh"), ("nuclear", 3), ("nuclear weapons", 4)]
    )
    text = "看过转运记录 and nuclear weapons"
    assert [(text[s:e], v) for s, e, v in matcher.find(text)] == [
        ("转运记录", (2,)),
        ("nuclear weapons", (4,)),
    ]


# --------------------------------------------------------------------------- pipeline


def test_extraction_records_the_language_and_serialises() -> None:
    extraction = extract(_tip(SAMPLES["ru"]))
    assert extraction.language == "ru"
    assert json.loads(json.dumps({"language": extraction.language})) == {"language": "ru"}
    assert extract(_tip("")).language is None


def test_goods_in_other_scripts_are_found_with_their_domain_and_span() -> None:
    report = _tip(
        "اشترى الوسيط أجهزة طرد مركزي ومضخات تفريغ من أوروبا.",
        goods=[
            {
                "description": "无人机用的陀螺仪和惯性导航模块",
                "code": "",
                "quantity": "",
                "value": "",
            }
        ],
    )
    extraction = extract(report)
    by_term = {good.term: good for good in extraction.goods}
    assert by_term["gas centrifuge components"].domain is Domain.NUCLEAR
    assert by_term["vacuum pumps"].evidence.text == "ومضخات تفريغ"
    assert by_term["gyroscopes"].evidence.text == "陀螺仪"
    assert by_term["UAV and drone components"].evidence.text == "无人机"
    assert by_term["inertial navigation systems"].evidence.text == "惯性导航"
    for good in extraction.goods:
        field = {f.path: f.text for f in report_fields(report)}[good.evidence.field]
        assert field[good.evidence.start : good.evidence.end] == good.evidence.text


@pytest.mark.parametrize(
    ("text", "flag", "evidence"),
    [
        ("Партию отправили в Алматы без экспортной лицензии.", "EXP-01", "без экспортной лицензии"),
        (
            "Die Teile wurden ohne Ausfuhrgenehmigungen verschickt.",
            "EXP-01",
            "ohne Ausfuhrgenehmigungen",
        ),
        (
            "Les pièces sont parties sans licence d'exportation.",
            "EXP-01",
            "sans licence d'exportation",
        ),
        (
            "Las piezas salieron sin licencia de exportación.",
            "EXP-01",
            "sin licencia de exportación",
        ),
        ("这批货没有出口许可证就发走了。", "EXP-01", "出口许可证"),
        ("الشركة مدرجة على قوائم العقوبات الأمريكية.", "SAN-03", "العقوبات"),
        ("این شرکت در فهرست تحریم‌های آمریکا است.", "SAN-03", "تحریم‌های"),
        ("Фирма-прокладка в Гонконге оформляла все документы.", "OWN-01", "Фирма-прокладка"),
        ("货物先到香港，再转运到伊朗。", "KYC-10", "转运"),
        ("أرسلوا المخططات الهندسية بالبريد إلى الخارج.", "TEC-01", "المخططات الهندسية"),
        ("Die Gewehre landeten schließlich in Chihuahua.", "KYC-10", "landeten schließlich in"),
        ("Les pièces se retrouvent en Iran.", "KYC-10", "se retrouvent en"),
        ("Las piezas terminan en Irán.", "KYC-10", "terminan en"),
        ("Станки в итоге оказываются в Иране.", "KYC-10", "в итоге оказываются в"),
        ("القطع ينتهي بها المطاف في إيران.", "KYC-10", "ينتهي بها المطاف في"),
        ("这些零件最终流向伊朗。", "KYC-10", "最终流向"),
        ("Nous avons exporté hors licence vers l'Iran.", "EXP-01", "licence"),
    ],
)
def test_indicators_fire_on_reports_in_other_languages(text: str, flag: str, evidence: str) -> None:
    report = _tip(text)
    fired = {f.id: f for f in fire_indicators(report, extract(report))}
    assert flag in fired, sorted(fired)
    spans = [(e.text, text[e.start : e.end]) for e in fired[flag].evidence]
    assert (evidence, evidence) in spans


def test_every_phrase_matcher_has_all_seven_languages() -> None:
    indicator_set = load_indicators()
    for indicator in indicator_set.indicators:
        for matcher in (*indicator.any_of, *indicator.all_of):
            if "phrases" in matcher.spec:
                assert sorted(matcher.spec.get("phrases_i18n", {})) == [
                    "ar", "de", "es", "fa", "fr", "ru", "zh"
                ], indicator.id  # fmt: skip
