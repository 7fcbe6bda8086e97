"""Word signatures of hand-written word lists, and WordSignatures' behaviour."""

from __future__ import annotations

import pytest

from textfeat import UNK, WordSignatures, berkeley_signature, goldberg_signature
from textfeat._compat import InvalidParameterError

GOLDBERG = {
    "flirting": "*__ING*",
    "1,024": "*NUM*",
    "3.14": "*NUM*",
    "-7": "*NUM*",
    "1990s": "*NUM*",
    "2nd": "*NUM*",
    "50%": "*NUM*",
    "12:30": "*NUM*",
    "jane@example.com": "*EMAIL*",
    "https://example.org/a": "*URL*",
    "B52": "*HASDIGIT*",
    "--": "*PUNCT*",
    "?!": "*PUNCT*",
    "NASA": "*ALLCAPS*",
    "Gorbachev": "*CAP*",
    "state-owned": "*HYPHEN*",
    "walked": "*__ED*",
    "quickly": "*__LY*",
    "nation": "*__ION*",
    "enjoyment": "*__MENT*",
    "readable": "*__ABLE*",
    "dogs": "*__S*",
    "glass": UNK,  # -ss is not a plural
    "unzip": "*UN__*",
    "ring": UNK,  # too short for -ing
    "bed": UNK,
}

BERKELEY = {
    # word, sentence-initial, lower-case known -> signature (rules by hand)
    ("flirting", False, False): "UNK-LC-ing",
    ("Reagan-era", False, False): "UNK-CAPS-DASH",
    ("1990s", False, False): "UNK-LC-NUM-s",
    ("McDonald", False, False): "UNK-CAPS",
    ("walked", False, False): "UNK-LC-ed",
    ("42", False, False): "UNK-NUM",
    ("happily", False, False): "UNK-LC-ly",
    ("glasses", False, False): "UNK-LC-s",
    ("analysis", False, False): "UNK-LC",
    ("X-ray", True, False): "UNK-INITC-DASH",
    ("Houses", True, True): "UNK-INITC-KNOWNLC-s",
    ("Houses", False, True): "UNK-CAPS-s",
    ("fancy", False, False): "UNK-LC-y",
    ("--", False, False): "UNK-DASH",
}


@pytest.mark.parametrize(("word", "signature"), GOLDBERG.items())
def test_goldberg_signature(word, signature):
    assert goldberg_signature(word) == signature


@pytest.mark.parametrize(("case", "signature"), BERKELEY.items())
def test_berkeley_signature(case, signature):
    word, initial, known = case
    assert (
        berkeley_signature(word, sentence_initial=initial, known_lower=known)
        == signature
    )


TRAIN = [["the", "dog", "is", "barking"], ["the", "dog", "is", "fed", "*UNK*"]]


def test_frequent_words_keep_identity_rare_ones_get_signatures():
    sig = WordSignatures(min_count=2)
    assert sig.fit_transform(TRAIN) == [
        ["the", "dog", "is", "*__ING*"],
        ["the", "dog", "is", UNK, "*UNK*"],
    ]
    assert sig.known_words_ == {"the", "dog", "is"}


def test_unseen_words_in_transform_get_signatures():
    sig = WordSignatures(min_count=1).fit(TRAIN)
    assert sig.transform([["fed", "eating", "1984", "Moscow"]]) == [
        ["fed", "*__ING*", "*NUM*", "*CAP*"]
    ]


def test_berkeley_scheme_uses_sentence_position_and_known_lowercase():
    sig = WordSignatures(min_count=1, scheme="berkeley").fit([["houses", "are"]])
    assert sig.transform([["Houses", "Houses"]]) == [
        ["UNK-INITC-KNOWNLC-s", "UNK-CAPS-s"]
    ]


def test_callable_scheme():
    sig = WordSignatures(scheme=lambda w: f"LEN{len(w)}").fit(TRAIN)
    assert sig.transform([["the", "xyz"]]) == [["the", "LEN3"]]


def test_callable_returning_non_string_is_reported():
    sig = WordSignatures(scheme=len).fit(TRAIN)
    with pytest.raises(TypeError, match="returned int .* for the word 'xyz'"):
        sig.transform([["xyz"]])


def test_unknown_scheme_is_named():
    with pytest.raises(InvalidParameterError, match="'scheme' parameter"):
        WordSignatures(scheme="stanford").fit(TRAIN)


def test_min_count_below_one_is_named():
    with pytest.raises(InvalidParameterError, match="'min_count' parameter"):
        WordSignatures(min_count=0).fit(TRAIN)
