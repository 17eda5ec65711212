"""The seed sentences: quoted verbatim, every normative one covered, the table up to date."""
import re

from conformance._case import CATALOGUE, load_cases
from conformance._spec import SPEC_TABLE, render_table, sentences, uncovered
from tests.conftest import REPO


def _norm(text):
    return re.sub(r"\s+", " ", text)


def test_sentences_are_verbatim_quotes_of_the_seed():
    """The seed's sentences quote the seed; those with a `source` (lazy imports, CPython 3.15's
    documentation) quote the passages kept in seed-lazy-imports.txt, under their link."""
    seed = _norm((CATALOGUE / "seed.txt").read_text(encoding="utf-8"))
    lazy = (CATALOGUE / "seed-lazy-imports.txt").read_text(encoding="utf-8")
    for sentence in sentences():
        if "source" in sentence:
            assert "link: " + sentence["source"].split("#")[0] in lazy, sentence["id"]
            assert _norm(sentence["text"]) in _norm(lazy), sentence["id"]
        else:
            assert _norm(sentence["text"]) in seed, sentence["id"]


def test_seed_copy_matches_shared_seed():
    shared = REPO.parent / "shared" / "seed" / "importlib-functions.txt"
    assert shared.read_text(encoding="utf-8") == (CATALOGUE / "seed.txt").read_text(encoding="utf-8")


def test_every_normative_sentence_has_a_case():
    assert uncovered(load_cases()) == []


def test_non_normative_sentences_say_why():
    for sentence in sentences():
        assert sentence["normative"] or sentence.get("why_not"), sentence["id"]


def test_refs_name_known_sentences_or_issues():
    known = {s["id"] for s in sentences()}
    for case in load_cases():
        for ref in case.data.get("refs", []):
            assert ref in known or re.match(r"^(gh|bpo)-\d+$", ref), (case.id, ref)


def test_table_is_up_to_date():
    assert SPEC_TABLE.read_text() == render_table(load_cases()), "run: python -m conformance spec-map"


def test_uncovered_reports_missing_sentences():
    assert "reload.20" in uncovered([c for c in load_cases() if "reload.20" not in c.data.get("refs", [])])
