"""SpacyTokenizer(keep_punct=False): spaCy's tokens minus those without a word character.

The oracle is spaCy's own tokenizer (a blank English pipeline) followed by
the documented rule, a token is kept iff ``re.search(r"\\w", token)``.
"""

from __future__ import annotations

import re

import pytest
import spacy

from textfeat import SpacyTokenizer, load_jsonl
from textfeat.io.persist import dumps, loads

TEXTS, _, _ = load_jsonl("corpora/topics.jsonl")
ODD = [
    "Hello, world!  > quoted -- it's 3 p.m.\n\nBye",
    "   ",
    "!!! ??? ...",
    "_under_score and ½ and ٣ and émigré;",
    "",
]


def oracle(texts: list[str], attr: str = "text") -> list[list[str]]:
    nlp = spacy.blank("en")
    out = []
    for doc in nlp.tokenizer.pipe(texts):
        toks = [t.lower_ if attr == "lower" else t.text for t in doc]
        out.append([t for t in toks if re.search(r"\w", t)])
    return out


@pytest.mark.parametrize("attr", ["text", "lower"])
def test_drops_exactly_the_tokens_without_a_word_character(attr: str) -> None:
    texts = list(TEXTS) + ODD
    got = SpacyTokenizer(attr=attr, keep_punct=False).transform(texts)
    assert got == oracle(texts, attr)


def test_default_keeps_punctuation() -> None:
    assert SpacyTokenizer().transform(["a, b!"]) == [["a", ",", "b", "!"]]


def test_whitespace_tokens_go_too_even_when_kept() -> None:
    tok = SpacyTokenizer(keep_whitespace=True, keep_punct=False)
    assert tok.transform(["a\n\nb  c"]) == [["a", "b", "c"]]


def test_two_processes_give_the_same_tokens() -> None:
    texts = list(TEXTS) * 40  # above the size where a pool is used
    one = SpacyTokenizer(keep_punct=False).transform(texts)
    two = SpacyTokenizer(keep_punct=False, n_jobs=2).transform(texts)
    assert one == two == oracle(texts)


def test_sentences_are_filtered_and_empty_ones_dropped() -> None:
    tok = SpacyTokenizer(keep_punct=False, split_sentences=True)
    assert tok.transform(["One. !!! Two here!"]) == [[["One"], ["Two", "here"]]]


def test_token_lists_passed_through_are_filtered() -> None:
    tok = SpacyTokenizer(attr="lower", keep_punct=False)
    assert tok.transform([["A", "--", "B", ">"]]) == [["a", "b"]]


@pytest.mark.parametrize("bad", ["no", 1, None])
def test_non_boolean_is_refused_naming_the_parameter(bad) -> None:
    with pytest.raises(ValueError, match="keep_punct"):
        SpacyTokenizer(keep_punct=bad).fit(["a"])


def test_a_tokenizer_saved_before_the_parameter_keeps_punctuation() -> None:
    tok = SpacyTokenizer()
    del tok.keep_punct  # as unpickled from an older release
    assert tok.get_params()["keep_punct"] is True
    assert tok.transform(["a, b"]) == [["a", ",", "b"]]


def test_model_file_round_trip_keeps_the_setting() -> None:
    tok = loads(dumps(SpacyTokenizer(keep_punct=False).fit(["a"])))
    assert tok.keep_punct is False
    assert tok.transform(["a, b"]) == [["a", "b"]]
