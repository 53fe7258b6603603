"""Screening recall on variants of listed names, false hits on ordinary names, speed.

    .venv/bin/python bench/screening_variants.py [--lists tests/data/lists] [--ordinary 12000]

Also run by bench/screening.py (after its own figures). How the variants and
the ordinary names are made, and the dev/holdout split, are described in
docs/triage.md, Screening, "Benchmark"; in short:

- **Listed entries**: every entry of the UN consolidated list and every OFAC
  SDN entry in the NPWMD program. All three lists (UN, OFAC, BIS DPL) are
  loaded once into one `Screener`, as in production.
- **Variants** of each entry's primary name, by kind (`KINDS`), each screened
  once down to the possible-hit threshold. A variant is *found* when its own
  entry is among the hits at `HIT_THRESHOLD` (and, counted apart, at
  `POSSIBLE_HIT_THRESHOLD`). `exact` (the primary name as listed) is the
  baseline.
- **Ordinary names**: persons and companies of many origins, made by `Faker`
  (seeded) in many locales, in native scripts and in Latin. Any hit at the
  threshold, on any entry, is a false hit.
- **Split**: entries by a hash of ``source:entry_id``, ordinary names by a
  hash of the name: 70 % dev, 30 % holdout. Every figure is printed for both;
  examples (misses, worst false hits) come from dev only.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import cyrtranslit  # noqa: E402
from anyascii import anyascii  # noqa: E402
from faker import Faker  # noqa: E402

from triage.scoring import POSSIBLE_HIT_THRESHOLD  # noqa: E402
from triage.screening import (  # noqa: E402
    HIT_THRESHOLD,
    EntryKind,
    ListEntry,
    ParsedList,
    Screener,
    parse_list,
)

DEFAULT_LISTS = REPO / "tests" / "data" / "lists"
LEGAL_FORMS_FILE = REPO / "bench" / "data" / "legal_forms.tsv"
LIST_FILES = {"un": "un_sc_consolidated.xml", "ofac_sdn": "ofac_sdn", "bis_dpl": "bis_dpl.txt"}

SPLITS = ("dev", "holdout")
DEV_PERCENT = 70
SEED = 20260301

KINDS = (
    "exact",  # the primary name as listed (baseline)
    "middle_dropped",  # persons with 3+ name parts: the first middle name left out
    "initials",  # persons: given names as initials ("A. Q. Khan")
    "reordered",  # persons: family name first
    "typo",  # one seeded edit, not in the first letter
    "original_script",  # UN's original-script name, against the lists without such aliases
    "cyrillic",  # the name in Cyrillic (cyrtranslit, Russian), where UN gives no original script
    "legal_abbreviated",  # organisations: a spelt-out legal form abbreviated
    "legal_spelled_out",  # organisations: an abbreviated legal form spelt out
    "acronym",  # organisations of 3+ words: their initials ("IRGC")
)

# Words an acronym skips (as "Islamic Revolutionary Guard Corps" is IRGC).
ACRONYM_SKIP = frozenset(
    ["of", "the", "and", "for", "in", "on", "at", "to", "&", "de", "del", "la", "le", "les",
     "du", "des", "et", "y", "da", "di", "van", "von"]
)  # fmt: skip


def split_of(key: str) -> str:
    """'dev' or 'holdout', from a hash of `key`: 70 % dev, fixed for good."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return "dev" if int.from_bytes(digest[:8], "big") % 100 < DEV_PERCENT else "holdout"


def is_latin(text: str) -> bool:
    """No letter of another script than Latin."""
    return all(unicodedata.name(ch, "").startswith("LATIN") for ch in text if ch.isalpha())


# ---------------------------------------------------------------- variants


def person_parts(name: str) -> tuple[list[str], str]:
    """(given names, family name). OFAC writes ``FAMILY, Given Middle``; UN writes
    the names in their order, taken here as given names then the family name."""
    if "," in name:
        family, _, given = name.partition(",")
        return given.split(), family.strip()
    words = name.split()
    return words[:-1], words[-1] if words else ""


def natural(name: str) -> str:
    given, family = person_parts(name)
    return " ".join([*given, family]).strip()


def middle_dropped(name: str) -> str | None:
    given, family = person_parts(name)
    if len(given) < 2:
        return None
    return " ".join([given[0], *given[2:], family])


def initials(name: str) -> str | None:
    given, family = person_parts(name)
    letters = [next((ch for ch in word if ch.isalpha()), "") for word in given]
    if not family or not any(letters):
        return None
    return " ".join([*(f"{letter.upper()}." for letter in letters if letter), family])


def reordered(name: str) -> str | None:
    given, family = person_parts(name)
    if not given:
        return None
    return " ".join([family, *given])


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(text: str, seed: str) -> str | None:
    """One edit (substitution, deletion or transposition of a letter), at a
    position chosen by `seed`; never the first letter of the name."""
    rng = random.Random(seed)
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    positions = letters[1:]
    if not positions:
        return None
    kind = rng.choice(("substitution", "deletion", "transposition"))
    if kind == "transposition":
        swappable = [
            i for i in positions if i + 1 < len(text) and text[i + 1].isalpha()
            and text[i + 1].lower() != text[i].lower()
        ]  # fmt: skip
        if swappable:
            i = rng.choice(swappable)
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        kind = "substitution"
    i = rng.choice(positions)
    if kind == "deletion":
        return text[:i] + text[i + 1 :]
    old = text[i]
    new = rng.choice([ch for ch in _LETTERS if ch != old.lower()])
    return text[:i] + (new.upper() if old.isupper() else new) + text[i + 1 :]


def cyrillic(text: str) -> str | None:
    """The name in Cyrillic, by cyrtranslit's Russian scheme (it reads lower case
    only: ``Sh`` would stay Latin), each word capitalised."""
    if not is_latin(text):
        return None
    written = cyrtranslit.to_cyrillic(text.lower(), "ru")
    return " ".join(word.capitalize() for word in written.split())


@dataclass(frozen=True)
class LegalForm:
    short: str
    long: str
    short_re: re.Pattern[str]
    long_re: re.Pattern[str]


def _form_pattern(form: str) -> re.Pattern[str]:
    """A legal form as written, with or without its dots and commas, any case."""
    parts = [re.escape(part) for part in re.findall(r"[^\W_]+|&", form)]
    body = r"[.,]*\s*".join(parts)
    return re.compile(rf"(?<!\w){body}\.?(?!\w)", re.IGNORECASE)


def load_legal_forms(path: Path = LEGAL_FORMS_FILE) -> list[LegalForm]:
    forms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        short, long = line.split("\t")
        forms.append(LegalForm(short, long, _form_pattern(short), _form_pattern(long)))
    return forms


def _cased(replacement: str, original: str) -> str:
    return replacement.upper() if original.isupper() else replacement


def legal_form_variant(name: str, forms: list[LegalForm]) -> tuple[str, str] | None:
    """(kind, variant): the longest legal form in `name` swapped for its other form;
    a spelt-out one is abbreviated, else an abbreviated one spelt out."""
    found: list[tuple[int, int, str, re.Match[str], str]] = []
    for form in forms:
        for pattern, other, kind in (
            (form.long_re, form.short, "legal_abbreviated"),
            (form.short_re, form.long, "legal_spelled_out"),
        ):
            for match in pattern.finditer(name):
                # Spelt-out forms first, then the longest, then the earliest row.
                found.append((kind != "legal_abbreviated", -len(match.group()), kind, match, other))
    if not found:
        return None
    _, _, kind, match, other = min(found, key=lambda item: item[:2])
    variant = name[: match.start()] + _cased(other, name) + name[match.end() :]
    return kind, " ".join(variant.split())


def acronym(name: str, forms: list[LegalForm]) -> str | None:
    """The initials of an organisation's words (legal forms and small words
    left out), when there are three or more."""
    text = re.sub(r"\([^()]*\)", " ", name.partition(";")[0])
    for form in forms:
        text = form.long_re.sub(" ", text)
        text = form.short_re.sub(" ", text)
    words = [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() not in ACRONYM_SKIP]
    if len(words) < 3:
        return None
    return "".join(word[0].upper() for word in words)


@dataclass(frozen=True)
class Variant:
    kind: str
    text: str
    source: str
    entry_id: str
    primary: str
    split: str


def original_script_name(entry: ListEntry) -> str | None:
    return next((a.name for a in entry.aliases if not is_latin(a.name)), None)


def entry_variants(source: str, entry: ListEntry, forms: list[LegalForm]) -> Iterator[Variant]:
    split = split_of(f"{source}:{entry.entry_id}")
    name = entry.primary_name

    def make(kind: str, text: str | None) -> Iterator[Variant]:
        if text and text.strip():
            yield Variant(kind, text, source, entry.entry_id, name, split)

    yield from make("exact", name)
    person = entry.kind is EntryKind.INDIVIDUAL
    base = natural(name) if person else name
    if person:
        yield from make("middle_dropped", middle_dropped(name))
        yield from make("initials", initials(name))
        yield from make("reordered", reordered(name))
    yield from make("typo", typo(base, f"{SEED}:{source}:{entry.entry_id}"))
    original = original_script_name(entry) if source == "un" else None
    if original:
        yield from make("original_script", original)
    else:
        yield from make("cyrillic", cyrillic(base))
    if entry.kind is EntryKind.ENTITY:
        legal = legal_form_variant(name, forms)
        if legal:
            yield from make(*legal)
        yield from make("acronym", acronym(name, forms))


def screened_entries(lists: dict[str, ParsedList]) -> list[tuple[str, ListEntry]]:
    """Every UN entry, and every OFAC entry in the NPWMD program."""
    chosen = [("un", entry) for entry in lists["un"].entries]
    chosen += [("ofac_sdn", e) for e in lists["ofac_sdn"].entries if "NPWMD" in e.programs]
    return chosen


def all_variants(lists: dict[str, ParsedList]) -> list[Variant]:
    forms = load_legal_forms()
    return [v for src, entry in screened_entries(lists) for v in entry_variants(src, entry, forms)]


def latin_only(parsed: ParsedList) -> ParsedList:
    """The list with its aliases in other scripts left out."""
    entries = tuple(
        replace(entry, aliases=tuple(a for a in entry.aliases if is_latin(a.name)))
        for entry in parsed.entries
    )
    return replace(parsed, entries=entries)


# ---------------------------------------------------------------- ordinary names

# locale: how its persons are also written in Latin (None: they are not, or
# the locale writes them in Latin already). Latin Arabic- and Persian-origin
# names come from fr_DZ, en_PK, ha_NG, az_AZ, uz_UZ and tr_TR: anyascii would
# write Arabic script without its short vowels ("mhmd").
LOCALES: dict[str, str | None] = {
    "en_US": None, "en_GB": None, "de_DE": None, "fr_FR": None, "es_ES": None,
    "es_MX": None, "it_IT": None, "pt_BR": None, "pl_PL": None, "nl_NL": None,
    "tr_TR": None, "az_AZ": None, "uz_UZ": None, "fr_DZ": None, "en_PK": None,
    "ha_NG": None, "en_NG": None, "id_ID": None, "vi_VN": None, "en_IN": None,
    "hi_IN": "anyascii", "ar_AA": None, "ar_SA": None, "ar_PS": None, "fa_IR": None,
    "ru_RU": "anyascii", "uk_UA": "anyascii", "zh_CN": "romanized", "zh_TW": "romanized",
    "ja_JP": "romanized", "ko_KR": "korean", "he_IL": None, "el_GR": "anyascii",
    "th_TH": None, "bn_BD": None,
}  # fmt: skip
PERSONS_PER_LOCALE = 230
COMPANIES_PER_LOCALE = 90


def _latin(fake: Faker, mode: str, native: str) -> str:
    if mode == "romanized":
        return str(fake.romanized_name())
    if mode == "korean":  # family name first, one syllable: "Hong Jeonghun"
        family, given = native[:1], native[1:]
        return f"{anyascii(family).capitalize()} {anyascii(given).capitalize()}"
    return " ".join(word.capitalize() for word in anyascii(native).split())


@dataclass(frozen=True)
class Ordinary:
    text: str
    origin: str  # "ru_RU person latin"
    split: str


def ordinary_names(scale: float = 1.0, seed: int = SEED) -> list[Ordinary]:
    """Persons and companies of every locale in `LOCALES`, seeded: the same
    names on every run of the same Faker version."""
    names: dict[str, Ordinary] = {}

    def add(text: str, origin: str) -> None:
        text = " ".join(text.split())
        if text and text not in names:
            names[text] = Ordinary(text, origin, split_of(text))

    for index, (locale, latin) in enumerate(LOCALES.items()):
        fake = Faker(locale)
        fake.seed_instance(seed + index)
        for _ in range(round(PERSONS_PER_LOCALE * scale)):
            native = str(fake.name())
            add(native, f"{locale} person")
            if latin:
                add(_latin(fake, latin, native), f"{locale} person latin")
        for _ in range(round(COMPANIES_PER_LOCALE * scale)):
            company = str(fake.company())
            add(company, f"{locale} company")
            if latin == "anyascii" and locale in ("ru_RU", "uk_UA"):
                add(anyascii(company), f"{locale} company latin")
    return list(names.values())


# ---------------------------------------------------------------- screening


@dataclass
class Outcome:
    score: float  # the source entry's score (0: not among the hits)
    best: float  # the best score on any entry
    best_name: str
    seconds: float


def screen(screener: Screener, text: str, source: str = "", entry_id: str = "") -> Outcome:
    started = time.perf_counter()
    hits = screener.screen(text, threshold=POSSIBLE_HIT_THRESHOLD, limit=100)
    seconds = time.perf_counter() - started
    own = max(
        (h.score for h in hits if h.list_source == source and h.entry_id == entry_id),
        default=0.0,
    )
    best = hits[0] if hits else None
    return Outcome(
        own,
        best.score if best else 0.0,
        f"{best.list_source} {best.entry_id} {best.matched_name}" if best else "",
        seconds,
    )


@dataclass
class Tally:
    count: int = 0
    hit: int = 0
    possible: int = 0
    times: list[float] = field(default_factory=list)

    def add(self, hit: bool, possible: bool, seconds: float) -> None:
        self.count += 1
        self.hit += hit
        self.possible += possible
        self.times.append(seconds)


def load_lists(lists_dir: Path) -> dict[str, ParsedList]:
    return {source: parse_list(lists_dir / name) for source, name in LIST_FILES.items()}


def run(lists_dir: Path = DEFAULT_LISTS, ordinary_scale: float = 1.0) -> dict[str, object]:
    """Every figure of the benchmark, by split."""
    started = time.perf_counter()
    lists = load_lists(lists_dir)
    screener = Screener(lists.values())
    latin = Screener([latin_only(lists["un"]), lists["ofac_sdn"], lists["bis_dpl"]])
    setup_s = time.perf_counter() - started

    variants = all_variants(lists)
    ordinary = ordinary_names(ordinary_scale)
    for variant in variants[:200]:  # warm up
        screener.screen(variant.text)

    recall = {(kind, split): Tally() for kind in KINDS for split in SPLITS}
    misses: dict[str, list[tuple[Variant, Outcome]]] = {kind: [] for kind in KINDS}
    for variant in variants:
        against = latin if variant.kind == "original_script" else screener
        outcome = screen(against, variant.text, variant.source, variant.entry_id)
        recall[variant.kind, variant.split].add(
            outcome.score >= HIT_THRESHOLD, outcome.score >= POSSIBLE_HIT_THRESHOLD, outcome.seconds
        )
        if variant.split == "dev" and outcome.score < HIT_THRESHOLD:
            misses[variant.kind].append((variant, outcome))

    false = {split: Tally() for split in SPLITS}
    worst: list[tuple[float, Ordinary, str]] = []
    for name in ordinary:
        outcome = screen(screener, name.text)
        false[name.split].add(
            outcome.best >= HIT_THRESHOLD, outcome.best >= POSSIBLE_HIT_THRESHOLD, outcome.seconds
        )
        if name.split == "dev" and outcome.best:
            worst.append((outcome.best, name, outcome.best_name))
    worst.sort(key=lambda item: (-item[0], item[1].text))

    variant_times = {
        split: [t for (kind, s), tally in recall.items() if s == split and kind != "exact"
                for t in tally.times]
        for split in SPLITS
    }  # fmt: skip
    return {
        "setup_s": setup_s,
        "entries": len(screener),
        "screened_entries": len(screened_entries(lists)),
        "recall": recall,
        "misses": misses,
        "false": false,
        "worst": worst[:20],
        "speed": {
            "exact listed names (baseline)": {s: recall["exact", s].times for s in SPLITS},
            "variants": variant_times,
            "ordinary names": {s: false[s].times for s in SPLITS},
        },
        "total_s": time.perf_counter() - started,
    }


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


def _speed(times: list[float]) -> str:
    if not times:
        return f"{'-':>27}"
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    per_second = len(ordered) / sum(ordered)
    return f"{statistics.median(ordered) * 1000:5.2f} {p99 * 1000:6.2f} {per_second:8,.0f}/s"


def print_report(figures: dict[str, object]) -> None:
    recall = figures["recall"]
    misses = figures["misses"]
    false = figures["false"]
    worst = figures["worst"]
    speed = figures["speed"]
    assert isinstance(recall, dict)
    assert isinstance(misses, dict)
    assert isinstance(false, dict)
    assert isinstance(worst, list)
    assert isinstance(speed, dict)
    hit, possible = f"{HIT_THRESHOLD:.2f}", f"{POSSIBLE_HIT_THRESHOLD:.2f}"
    print(
        f"Screening benchmark: {figures['screened_entries']} listed entries (UN, OFAC NPWMD)"
        f" against {figures['entries']} entries of the three lists (built in"
        f" {figures['setup_s']:.1f} s); dev | holdout"
    )
    print(f"  {'variant kind':<18} {'names':>11}   {'found at ' + hit:>17}   "
          f"{'found at ' + possible:>17}")  # fmt: skip
    for kind in KINDS:
        dev, hold = recall[kind, "dev"], recall[kind, "holdout"]
        print(
            f"  {kind:<18} {dev.count:>5} {hold.count:>5}   {_rate(dev.hit, dev.count)} |"
            f" {_rate(hold.hit, hold.count)}   {_rate(dev.possible, dev.count)} |"
            f" {_rate(hold.possible, hold.count)}"
        )
    print("  missed at the hit threshold (dev; the entry's own score, 0 when not a candidate):")
    for kind in KINDS:
        examples = misses[kind][:: max(1, len(misses[kind]) // 3)][:3]
        if examples:
            shown = "; ".join(f"{v.text!r} for {v.primary!r} {o.score:.2f}" for v, o in examples)
            print(f"    {kind}: {shown}")
    dev, hold = false["dev"], false["holdout"]
    print(
        f"Ordinary names (Faker, {len(LOCALES)} locales, persons and companies, native"
        f" scripts and Latin): {dev.count} | {hold.count}"
    )
    print(
        f"  false hits at {hit}: {_rate(dev.hit, dev.count)} | {_rate(hold.hit, hold.count)}"
        f"  ({dev.hit} | {hold.hit});  at {possible}: {_rate(dev.possible, dev.count)} |"
        f" {_rate(hold.possible, hold.count)}  ({dev.possible} | {hold.possible})"
    )
    print("  the 20 worst (dev): score, name (origin) ~ best hit")
    for score, name, matched in worst:
        print(f"    {score:.2f}  {name.text} ({name.origin}) ~ {matched}")
    print("Speed (ms per name: median, p99; names per second of screening)")
    print(f"  {'':<31} {'dev':>27} | {'holdout':>27}")
    for label, by_split in speed.items():
        print(f"  {label:<31} {_speed(by_split['dev'])} | {_speed(by_split['holdout'])}")
    print(f"Benchmark run: {figures['total_s']:.1f} s")


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="ordinary names, a multiple of the default"
    )
    args = parser.parse_args(None if argv is None else list(argv))
    print_report(run(args.lists, args.scale))


if __name__ == "__main__":
    main()
