"""SpacyTokenizer: spaCy's own output is the oracle."""

from __future__ import annotations

import pytest
import spacy

from textfeat import SpacyTokenizer
from textfeat._compat import InvalidParameterError

TEXTS = [
    "Don't panic: the U.S. launched 3 rockets in 1969!",
    "E-mail me at jane@example.com or see https://example.org/x?y=1 :-)",
    "Multiple   spaces\n\nand new lines.\tTabs too.",
    "",
    "Ünïcödé façade — naïve café.",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def test_matches_spacy_tokenizer_without_whitespace(nlp):
    expected = [[t.text for t in nlp(text) if not t.is_space] for text in TEXTS]
    assert SpacyTokenizer().transform(TEXTS) == expected


def test_keep_whitespace_matches_every_spacy_token(nlp):
    expected = [[t.text for t in nlp(text)] for text in TEXTS]
    assert SpacyTokenizer(keep_whitespace=True).transform(TEXTS) == expected


@pytest.mark.parametrize("attr", ["lower", "norm"])
def test_attribute_choice(nlp, attr):
    expected = [
        [getattr(t, attr + "_") for t in nlp(text) if not t.is_space] for text in TEXTS
    ]
    assert SpacyTokenizer(attr=attr).transform(TEXTS) == expected


def test_sentence_splitting_matches_sentencizer():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    text = "First sentence here. Second one! And a third?"
    expected = [[[t.text for t in s] for s in nlp(text).sents]]
    assert SpacyTokenizer(split_sentences=True).transform([text]) == expected
    assert len(expected[0]) == 3


def test_two_processes_give_the_same_tokens():
    texts = [f"Document {i}: some text, with punctuation." for i in range(60)]
    texts[7] = ["already", "tokenized"]
    one = SpacyTokenizer().transform(texts)
    two = SpacyTokenizer(n_process=2, batch_size=7).transform(texts)
    assert one == two
    assert two[7] == ["already", "tokenized"]


def test_document_longer_than_max_length_is_tokenized(nlp):
    text = "word " * (nlp.max_length // 5 + 1000)
    assert len(text) > nlp.max_length
    with pytest.raises(ValueError, match="E088"):
        nlp(text)  # spaCy's own call refuses it
    tokens = SpacyTokenizer().transform([text])[0]
    assert len(tokens) == nlp.max_length // 5 + 1000
    assert set(tokens) == {"word"}


def test_token_lists_pass_through():
    docs = [["Already", "Split"], ("a", "tuple")]
    assert SpacyTokenizer().transform(docs) == [["Already", "Split"], ["a", "tuple"]]
    assert SpacyTokenizer(attr="lower").transform(docs)[0] == ["already", "split"]


def test_generator_input_streams():
    gen = (f"text {i}" for i in range(5))
    out = list(SpacyTokenizer(batch_size=2).iter_transform(gen))
    assert out == [["text", str(i)] for i in range(5)]


def test_bare_string_is_rejected():
    with pytest.raises(TypeError, match=r"single str .*Wrap it in a list"):
        SpacyTokenizer().fit_transform("just one text")


@pytest.mark.parametrize(("bad", "kind"), [(None, "NoneType"), (3.5, "float")])
def test_bad_document_names_its_index(bad, kind):
    docs = ["fine", "fine", "fine", bad]
    with pytest.raises(TypeError, match=f"document at index 3 is {kind}"):
        SpacyTokenizer(batch_size=2).transform(docs)


def test_empty_corpus_cannot_be_fitted():
    with pytest.raises(ValueError, match="no documents"):
        SpacyTokenizer().fit([])
    assert SpacyTokenizer().transform([]) == []


def test_empty_document_gives_empty_list():
    assert SpacyTokenizer().transform(["", "  "]) == [[], []]


def test_unknown_language_is_named():
    with pytest.raises(ValueError, match="'lang'.*'zz-nope'"):
        SpacyTokenizer(lang="zz-nope").fit(["x"])


def test_invalid_attr_is_named():
    with pytest.raises(InvalidParameterError, match="'attr' parameter"):
        SpacyTokenizer(attr="lemma").transform(["x"])


def test_progress_bar_reports_documents(capsys):
    SpacyTokenizer(progress=True, batch_size=2).transform(["a b", "c", "d"])
    err = capsys.readouterr().err
    assert "tokenize" in err and "3/3" in err


@pytest.mark.skipif(
    not hasattr(spacy.blank("en"), "memory_zone"), reason="spaCy < 3.8: no memory zones"
)
def test_long_streams_do_not_grow_spacys_string_store(nlp):
    # Without a memory zone spaCy keeps every new string it sees; a batch job
    # over a large corpus would grow without bound.
    from textfeat.tokenize import blank_pipeline

    shared = blank_pipeline("en", False)
    SpacyTokenizer().fit_transform(["warm up"])
    before = len(shared.vocab.strings)
    texts = [f"zqx{i}word and blorp{i}ing, unseen {i * 7}" for i in range(300)]
    got = SpacyTokenizer().fit_transform(texts)
    assert len(shared.vocab.strings) == before
    assert got == [[t.text for t in nlp.tokenizer(s)] for s in texts]
    # token lists passed through with attr="norm" look words up in the vocab
    norm_vocab = blank_pipeline("en").vocab
    before = len(norm_vocab.strings)
    lists = [t.split() for t in texts]
    got = SpacyTokenizer(attr="norm").fit_transform(lists)
    assert len(norm_vocab.strings) == before
    assert got == [[nlp.vocab[w].norm_ for w in ws] for ws in lists]
