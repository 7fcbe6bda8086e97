"""SpacyTokenizer: spaCy's own output is the oracle."""

from __future__ import annotations

import numpy as np
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


def test_two_processes_give_the_same_tokens(monkeypatch):
    import textfeat.text.tokenize as tk

    monkeypatch.setattr(tk, "PARALLEL_MIN_CHARS", 0)  # a pool even for 60 texts
    texts = [f"Document {i}: some text, with punctuation." for i in range(60)]
    texts[7] = ["already", "tokenized"]
    one = SpacyTokenizer().transform(texts)
    two = SpacyTokenizer(n_jobs=2, batch_size=7).transform(texts)
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


needs_zones = pytest.mark.skipif(
    not hasattr(spacy.blank("en"), "memory_zone"), reason="spaCy < 3.8: no memory zones"
)


def _strings() -> int:
    from textfeat.text.tokenize import _engine

    return len(_engine("en").nlp.vocab.strings)


def _random_words(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return ["".join(w) for w in rng.choice(letters, size=(n, 9)).tolist()]


@needs_zones
def test_string_store_stays_bounded_over_an_unbounded_stream():
    # 200,000 distinct words (about 600,000 strings for spaCy) in 40 calls
    # of 50 batches: without zones the store would hold them all.
    from textfeat.tokenize import PERMANENT_STRINGS, TRANSIENT_STRINGS

    words = _random_words(200_000, seed=0)
    tok = SpacyTokenizer(batch_size=10)
    peak = 0
    for call in range(40):
        chunk = words[call * 5000 : (call + 1) * 5000]
        texts = [" ".join(chunk[i : i + 10]) for i in range(0, 5000, 10)]
        assert tok.transform(texts) == [t.split() for t in texts]
        peak = max(peak, _strings())
    assert peak < PERMANENT_STRINGS + TRANSIENT_STRINGS + 1000


@needs_zones
def test_passed_through_norms_stay_bounded(monkeypatch):
    import textfeat.text.tokenize as tk

    monkeypatch.setattr(tk, "_ENGINES", {})
    monkeypatch.setattr(tk, "PERMANENT_STRINGS", 2000)
    monkeypatch.setattr(tk, "TRANSIENT_STRINGS", 2000)
    words = _random_words(20_000, seed=1)
    lists = [words[i : i + 100] for i in range(0, 20_000, 100)]
    nlp = spacy.blank("en")
    tok = SpacyTokenizer(attr="norm")
    for docs in (lists[:100], lists[100:]):
        assert tok.transform(docs) == [[nlp.vocab[w].norm_ for w in ws] for ws in docs]
        assert _strings() < 2000 + 2000 + 1000


@needs_zones
def test_the_callers_blank_pipeline_is_left_alone():
    # SpacyTokenizer keeps a private pipeline: the cached one a caller uses
    # gains no strings, and its Doc objects stay valid.
    from textfeat.tokenize import blank_pipeline

    shared = blank_pipeline("en", False)
    doc = shared("a kept document")
    before = len(shared.vocab.strings)
    SpacyTokenizer().transform([f"zqx{i}word blorp{i}ing" for i in range(300)])
    assert len(shared.vocab.strings) == before
    assert [t.text for t in doc] == ["a", "kept", "document"]


def _check_against_spacy(texts, monkeypatch, attr):
    # Small bounds so that the permanent part fills up and the zone is
    # closed and reopened many times during the run.
    import textfeat.text.tokenize as tk

    monkeypatch.setattr(tk, "_ENGINES", {})
    monkeypatch.setattr(tk, "PERMANENT_STRINGS", 5000)
    monkeypatch.setattr(tk, "TRANSIENT_STRINGS", 5000)
    nlp = spacy.blank("en")
    get = (lambda t: t.text) if attr == "text" else (lambda t: getattr(t, attr + "_"))
    expected = [[get(t) for t in d if not t.is_space] for d in nlp.tokenizer.pipe(texts)]
    tok = SpacyTokenizer(attr=attr, batch_size=200)
    half = len(texts) // 2
    assert tok.fit_transform(texts[:half]) == expected[:half]
    assert tok.transform(texts[half:]) == expected[half:]


@pytest.mark.parametrize("attr", ["text", "lower", "norm"])
def test_tokens_equal_spacys_on_ud_ewt_sentences(monkeypatch, attr):
    from conftest import UD_EWT, require

    path = require(UD_EWT) / "en_ewt-ud-train.conllu"
    with path.open(encoding="utf-8") as f:
        texts = [ln[9:].rstrip("\n") for ln in f if ln.startswith("# text = ")]
    _check_against_spacy(texts, monkeypatch, attr)


@pytest.mark.parametrize("attr", ["text", "lower"])
def test_tokens_equal_spacys_on_20news_posts(monkeypatch, attr):
    from conftest import NEWS, require

    from textfeat import load_jsonl

    texts, _, _ = load_jsonl(require(NEWS) / "test.jsonl.gz")
    _check_against_spacy(texts[:600], monkeypatch, attr)


def test_sentences_equal_the_sentencizers_across_batches_and_zones(monkeypatch):
    import textfeat.text.tokenize as tk

    monkeypatch.setattr(tk, "_ENGINES", {})
    monkeypatch.setattr(tk, "PERMANENT_STRINGS", 300)
    monkeypatch.setattr(tk, "TRANSIENT_STRINGS", 300)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    words = _random_words(400, seed=2)
    texts = [
        f"{words[i]} went home. Did {words[i + 1]} stay?\n\n No, {words[i + 2]}!"
        for i in range(0, 390, 3)
    ]
    expected = [
        [[t.text for t in s if not t.is_space] for s in nlp(x).sents] for x in texts
    ]
    expected = [[s for s in d if s] for d in expected]
    assert SpacyTokenizer(split_sentences=True, batch_size=7).transform(texts) == expected


def test_progress_bar_has_a_total_for_arrays_and_series(capsys):
    import pandas as pd

    for X in (np.array(["a b", "c", "d"]), pd.Series(["a b", "c", "d"])):
        SpacyTokenizer(progress=True, batch_size=2).transform(X)
        assert "3/3" in capsys.readouterr().err


def test_progress_bar_without_length_counts_documents(capsys):
    SpacyTokenizer(progress=True, batch_size=2).transform(x for x in ["a", "b", "c"])
    err = capsys.readouterr().err
    assert "3it" in err.replace(" ", "") or "3doc" in err.replace(" ", "")


def test_short_corpus_does_not_start_a_pool(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a short corpus")

    monkeypatch.setattr(SpacyTokenizer, "_parallel", no_pool)
    got = SpacyTokenizer(n_jobs=2).transform(["a b", "c"] * 50)
    assert got == [["a", "b"], ["c"]] * 50


def _record_processes(monkeypatch):
    import textfeat._parallel as par
    import textfeat.text.tokenize as tk

    monkeypatch.setattr(tk, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(par, "usable_cpus", lambda: 2)
    seen = []

    def record(self, batches, n_jobs, bar):
        seen.append(n_jobs)
        for batch in batches:
            yield from self._finish(batch, self._run(batch))

    monkeypatch.setattr(SpacyTokenizer, "_parallel", record)
    return seen


def test_n_jobs_is_clamped_to_the_usable_cpus(monkeypatch):
    seen = _record_processes(monkeypatch)
    for n in (64, -1):
        assert SpacyTokenizer(n_jobs=n).transform(["a b"] * 8) == [["a", "b"]] * 8
    assert seen == [2, 2]


def test_n_process_is_a_deprecated_alias_of_n_jobs(monkeypatch):
    seen = _record_processes(monkeypatch)
    with pytest.warns(FutureWarning, match="'n_process'.*renamed 'n_jobs'.*n_jobs=2"):
        got = SpacyTokenizer(n_process=2).transform(["a b"] * 8)
    assert got == [["a", "b"]] * 8 and seen == [2]


def test_n_process_warns_in_fit():
    with pytest.warns(FutureWarning, match="n_jobs"):
        SpacyTokenizer(n_process=1).fit(["a b"])


def test_n_jobs_alone_does_not_warn():
    SpacyTokenizer(n_jobs=2).fit(["a b"])  # filterwarnings=error: any warning fails


def test_n_process_round_trips_through_get_params_and_clone():
    from sklearn.base import clone

    tok = SpacyTokenizer(n_process=2)
    params = clone(tok).get_params()
    assert (params["n_process"], params["n_jobs"]) == (2, 1)


def test_tokenizer_from_a_file_before_n_jobs_uses_its_n_process(monkeypatch):
    seen = _record_processes(monkeypatch)
    old = SpacyTokenizer()
    del old.n_jobs  # what persist rebuilds from a file that holds only n_process
    old.n_process = 2
    assert old.get_params()["n_jobs"] == 1
    assert old.transform(["a b"] * 8) == [["a", "b"]] * 8  # and no warning
    assert seen == [2]


def test_n_jobs_zero_is_refused_naming_the_parameter():
    with pytest.raises(InvalidParameterError, match="'n_jobs'"):
        SpacyTokenizer(n_jobs=0).fit(["a"])


def test_warm_up_builds_the_pipeline():
    import textfeat.text.tokenize as tk

    SpacyTokenizer(lang="de")._warm_up()
    assert "de" in tk._ENGINES


@pytest.mark.parametrize(
    "params",
    [{"keep_whitespace": True}, {"split_sentences": True}, {"attr": "norm"}],
    ids=["whitespace", "sentences", "norm"],
)
def test_two_processes_equal_one_for_every_output_shape(monkeypatch, params):
    import textfeat.text.tokenize as tk

    monkeypatch.setattr(tk, "PARALLEL_MIN_CHARS", 0)
    texts = [f"Doc {i}.  It's  here!\n\nNew para {i % 7}." for i in range(40)]
    texts[3] = ["Already", "Split"]
    one = SpacyTokenizer(**params).transform(texts)
    two = SpacyTokenizer(n_jobs=2, batch_size=6, **params).transform(texts)
    assert one == two
