"""Streaming fit of WindowVectorizer, PPMIVectors and FrequencyScaler.

The oracle is ``fit`` on the whole data: after ``partial_fit`` over chunks
(sizes that do not divide the data, size 1, one chunk), or after merging
parts fitted independently (both orders, three parts grouped both ways),
every fitted attribute and the output are the same: vocabularies, ids,
conjunction keys, ambiguity classes, co-occurrence counts, vectors, factors.
Real corpora: the first 2,000 sentences of UD English EWT (dev, with their
UPOS tags) for WindowVectorizer, the first 500 posts of 20 Newsgroups for
PPMIVectors; both skip, with the reason, when absent.
"""

from __future__ import annotations

import json
import pickle
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import NEWS, UD_EWT, require
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from textfeat import (
    FrequencyScaler,
    PPMIVectors,
    SpacyTokenizer,
    WindowVectorizer,
    WordVectors,
    load_model,
    read_conllu,
    read_jsonl,
    save_model,
)
from textfeat.persist import dumps, loads
from textfeat.windows import Tokens

ROOT = Path(__file__).resolve().parent.parent


def chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


# -- corpora ----------------------------------------------------------------------
@cache
def ud() -> tuple[list[list[str]], list[list[str]]]:
    """The first 2,000 sentences of UD EWT dev and their UPOS tags."""
    sents = read_conllu(require(UD_EWT / "en_ewt-ud-dev.conllu"))[:2000]
    return [s.words for s in sents], [s["upos"] for s in sents]


def flat(tags: list[list[str]]) -> list[str]:
    return [t for sent in tags for t in sent]


@cache
def topics() -> list[list[str]]:
    lines = (ROOT / "corpora" / "topics.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    return SpacyTokenizer(attr="lower").transform(texts)


@cache
def news() -> list[list[str]]:
    """The first 500 posts of 20 Newsgroups (train), lower-cased tokens."""
    records = islice(read_jsonl(require(NEWS / "train.jsonl.gz")), 500)
    return SpacyTokenizer(attr="lower").transform([r.text for r in records])


# -- WindowVectorizer --------------------------------------------------------------
WINDOW_PARAMS = {
    "conjunctions": {
        "window": 2,
        "attributes": ["lower", "suffix3", "shape"],
        "min_count": 2,
        "max_size": 300,
        "conjunctions": [[(-1, "lower"), (0, "lower")], [(0, "suffix3"), (2, "shape")]],
    },
    "ambiguity": {
        "window": 1,
        "attributes": {0: ["word", "ambiguity"], -1: ["lower"], 1: ["lower"]},
        "min_count": 3,
        "ambiguity_min_count": 4,
        "conjunctions": [[(-1, "ambiguity"), (0, "ambiguity"), (1, "lower")]],
    },
    "sum": {"window": 2, "combination": "sum", "attributes": ["word", "prefix2"]},
}


def window_state(vec: WindowVectorizer, sents: list[list[str]]) -> tuple[Any, ...]:
    X = vec.transform(sents)
    return (
        vec.slots_,
        vec.conjunctions_,
        [keys.tolist() for keys in vec.conjunction_keys_],
        vec.ambiguity_,
        sorted(
            (p, v.itos_, v.stoi_, dict(v.counts_)) for p, v in vec.vocabularies_.items()
        ),
        vec.n_features_out_,
        vec.get_feature_names_out().tolist(),
        X.indptr.tolist(),
        X.indices.tolist(),
        X.data.tolist(),
    )


def needs_tags(params: dict[str, Any]) -> bool:
    return "ambiguity" in repr(params)


def window_fit(params: dict[str, Any], sents, tags) -> WindowVectorizer:
    y = flat(tags) if needs_tags(params) else None
    return WindowVectorizer(**params).fit(sents, y)


def window_part(params, sents, tags, part: slice) -> WindowVectorizer:
    y = flat(tags[part]) if needs_tags(params) else None
    return WindowVectorizer(**params).partial_fit(sents[part], y)


def window_streamed(params, sents, tags, size: int) -> WindowVectorizer:
    vec = WindowVectorizer(**params)
    for part in chunks(len(sents), size):
        y = flat(tags[part]) if needs_tags(params) else None
        vec.partial_fit(sents[part], y)
    return vec


@pytest.mark.parametrize("size", [1, 7, 113, 300])
@pytest.mark.parametrize("name", list(WINDOW_PARAMS))
def test_window_partial_fit_equals_fit_on_300_ewt_sentences(name, size):
    sents, tags = (x[:300] for x in ud())
    params = WINDOW_PARAMS[name]
    whole = window_fit(params, sents, tags)
    part = window_streamed(params, sents, tags, size)
    assert window_state(part, sents) == window_state(whole, sents)


@pytest.mark.parametrize("name", list(WINDOW_PARAMS))
def test_window_partial_fit_equals_fit_on_2000_ewt_sentences(name):
    sents, tags = ud()
    params = WINDOW_PARAMS[name]
    whole = window_fit(params, sents, tags)
    part = window_streamed(params, sents, tags, 451)
    assert window_state(part, sents) == window_state(whole, sents)


@pytest.mark.parametrize("name", list(WINDOW_PARAMS))
def test_window_merge_equals_fit_in_both_orders(name):
    sents, tags = ud()
    params = WINDOW_PARAMS[name]
    whole = window_state(window_fit(params, sents, tags), sents)
    a = window_part(params, sents, tags, slice(0, 777))
    b = window_part(params, sents, tags, slice(777, None))
    assert window_state(a.merge(b), sents) == whole
    assert window_state(b.merge(a), sents) == whole


@pytest.mark.parametrize("name", list(WINDOW_PARAMS))
def test_window_merge_is_associative_over_three_parts(name):
    sents, tags = ud()
    params = WINDOW_PARAMS[name]
    whole = window_state(window_fit(params, sents, tags), sents)
    a, b, c = (
        window_part(params, sents, tags, s)
        for s in (slice(0, 501), slice(501, 1333), slice(1333, None))
    )
    assert window_state(a.merge(b).merge(c), sents) == whole
    assert window_state(a.merge(b.merge(c)), sents) == whole


def test_window_chunks_may_split_a_sentence():
    # Tokens slices cut sentences in two: each window still sees the whole one
    sents, tags = (x[:200] for x in ud())
    params = WINDOW_PARAMS["ambiguity"]
    toks, y = Tokens(sents), np.asarray(flat(tags))
    part = WindowVectorizer(**params)
    for s in chunks(len(toks), 333):
        part.partial_fit(toks[s], y[s])
    whole = WindowVectorizer(**params).fit(toks, y)
    assert window_state(part, sents) == window_state(whole, sents)


def test_window_fit_then_partial_fit_continues_from_fit():
    sents, tags = (x[:400] for x in ud())
    params = WINDOW_PARAMS["conjunctions"]
    vec = WindowVectorizer(**params).fit(sents[:150]).partial_fit(sents[150:])
    assert window_state(vec, sents) == window_state(window_fit(params, sents, tags), sents)


def test_window_stays_unfitted_until_a_value_passes_min_count():
    vec = WindowVectorizer(window=1, min_count=2).partial_fit([["a", "b"]])
    with pytest.raises(NotFittedError):
        vec.transform([["a"]])
    vec.partial_fit([["a"]])
    whole = WindowVectorizer(window=1, min_count=2).fit([["a", "b"], ["a"]])
    assert window_state(vec, [["a", "b"]]) == window_state(whole, [["a", "b"]])


def test_window_chunk_without_tokens_adds_nothing():
    vec = WindowVectorizer(window=1).partial_fit([["a", "b"]]).partial_fit([[], []])
    whole = WindowVectorizer(window=1).fit([["a", "b"]])
    assert window_state(vec, [["a", "b"]]) == window_state(whole, [["a", "b"]])


def test_window_dense_streams_and_merges():
    vectors = WordVectors(["a", "b"], [[1.0, 0.0], [0.0, 1.0]])
    params = {"window": 1, "representation": "dense", "vectors": vectors}
    part = WindowVectorizer(**params).partial_fit([["a"]]).partial_fit([["b", "a"]])
    whole = WindowVectorizer(**params).fit([["a"], ["b", "a"]])
    merged = WindowVectorizer(**params).fit([["b"]]).merge(part)
    assert part.n_features_out_ == whole.n_features_out_ == merged.n_features_out_ == 6
    assert np.array_equal(part.transform([["a", "b"]]), whole.transform([["a", "b"]]))
    assert np.array_equal(merged.transform([["a", "b"]]), whole.transform([["a", "b"]]))


def test_window_ambiguity_class_hand_computed_from_two_chunks():
    # "can" is AUX in one chunk and VERB in the other: seen 2 times in all,
    # so with ambiguity_min_count=2 its class joins both; "I" is seen twice
    params = {"window": 0, "attributes": ["ambiguity"], "ambiguity_min_count": 2}
    vec = WindowVectorizer(**params)
    vec.partial_fit([["I", "can"]], ["PRON", "AUX"]).partial_fit([["can", "i"]], ["VERB", "PRON"])
    assert vec.ambiguity_ == {"can": "AUX+VERB", "i": "PRON"}


def test_window_orchestrator_clone_partial_fit_pickle_merge():
    # workers: clone(step).partial_fit(chunk), sent back by pickle; parent:
    # acc = acc.merge(part); the result transforms, streams and merges on
    sents, tags = ud()
    params = WINDOW_PARAMS["ambiguity"]
    step = WindowVectorizer(**params)
    parts = []
    for s in chunks(1500, 373):
        part = clone(step).partial_fit(sents[s], flat(tags[s]))
        parts.append(pickle.loads(pickle.dumps(part)))
    acc = parts[0]
    for part in parts[1:]:
        acc = acc.merge(part)
    acc.transform(sents[:5])
    rest = window_part(params, sents, tags, slice(1800, None))
    acc.partial_fit(sents[1500:1800], flat(tags[1500:1800]))
    acc = acc.merge(rest)
    assert window_state(acc, sents) == window_state(window_fit(params, sents, tags), sents)


def test_window_merge_leaves_both_inputs_unchanged():
    sents, tags = (x[:300] for x in ud())
    params = WINDOW_PARAMS["conjunctions"]
    a = window_part(params, sents, tags, slice(0, 100))
    b = window_part(params, sents, tags, slice(100, None))
    before = window_state(a, sents), window_state(b, sents)
    a.merge(b)
    assert (window_state(a, sents), window_state(b, sents)) == before
    assert window_state(a, sents) == window_state(window_fit(params, sents[:100], tags), sents)


def test_window_partial_fit_refuses_changed_min_count():
    vec = WindowVectorizer(window=1, min_count=2).partial_fit([["a", "a"]])
    vec.set_params(min_count=3)
    with pytest.raises(ValueError, match="'min_count' parameter changed from 2 to 3"):
        vec.partial_fit([["a"]])


def test_window_partial_fit_refuses_changed_conjunctions():
    vec = WindowVectorizer(window=1).partial_fit([["a", "b"]])
    vec.set_params(conjunctions=[[(-1, "word"), (0, "word")]])
    with pytest.raises(ValueError, match="'conjunctions' parameter changed from None"):
        vec.partial_fit([["a"]])


def test_window_merge_refuses_other_window():
    a = WindowVectorizer(window=1).fit([["a"]])
    b = WindowVectorizer(window=2).fit([["a"]])
    with pytest.raises(ValueError, match="'window' parameter differs"):
        a.merge(b)


def test_window_merge_refuses_another_class():
    with pytest.raises(TypeError, match="WindowVectorizer.merge expects another"):
        WindowVectorizer().fit([["a"]]).merge(FrequencyScaler().fit(np.eye(2)))


@pytest.mark.parametrize("unfitted", ["self", "other"])
def test_window_merge_refuses_an_unfitted_vectorizer(unfitted):
    fitted, fresh = WindowVectorizer().fit([["a"]]), WindowVectorizer()
    a, b = (fresh, fitted) if unfitted == "self" else (fitted, fresh)
    with pytest.raises(NotFittedError, match="is not fitted"):
        a.merge(b)


def test_window_partial_fit_refuses_a_bare_string():
    with pytest.raises(TypeError, match="WindowVectorizer.*single str"):
        WindowVectorizer().partial_fit("the cat")


def test_window_partial_fit_refuses_tags_of_the_wrong_length_naming_y():
    vec = WindowVectorizer(window=0, attributes=["ambiguity"])
    with pytest.raises(ValueError, match="y must hold one tag per token"):
        vec.partial_fit([["a", "b"]], ["X"])


def test_window_partial_fit_refuses_missing_tags():
    with pytest.raises(ValueError, match=r"fit\(X, y\)"):
        WindowVectorizer(window=0, attributes=["ambiguity"]).partial_fit([["a"]])


def test_window_failed_partial_fit_leaves_state_unchanged():
    sents, tags = (x[:100] for x in ud())
    params = WINDOW_PARAMS["ambiguity"]
    vec = window_part(params, sents, tags, slice(0, 60))
    before, stream = window_state(vec, sents), vec._stream
    with pytest.raises(ValueError, match="one tag per token"):
        vec.partial_fit(sents[60:], flat(tags[60:])[:-1])
    assert window_state(vec, sents) == before and vec._stream is stream


def test_window_failed_first_partial_fit_records_no_parameters():
    vec = WindowVectorizer(window=0, attributes=["ambiguity"])
    with pytest.raises(ValueError, match="fit"):
        vec.partial_fit([["a"]])
    assert vars(vec) == vars(WindowVectorizer(window=0, attributes=["ambiguity"]))


def test_window_fault_while_rebuilding_leaves_state_unchanged(monkeypatch):
    sents, tags = (x[:100] for x in ud())
    params = WINDOW_PARAMS["conjunctions"]
    vec = window_part(params, sents, tags, slice(0, 60))
    before, stream = window_state(vec, sents), vec._stream

    def fail(*args: Any) -> None:
        raise MemoryError("injected")

    monkeypatch.setattr("textfeat.windows.vectorizer._key_ids", fail)
    with pytest.raises(MemoryError, match="injected"):
        vec.partial_fit(sents[60:])
    monkeypatch.undo()
    assert window_state(vec, sents) == before and vec._stream is stream


def test_window_loaded_without_conjunctions_continues(tmp_path):
    sents, tags = (x[:300] for x in ud())
    params = WINDOW_PARAMS["sum"]
    vec = load_model(save_model(WindowVectorizer(**params).fit(sents[:120]), tmp_path / "m.tfm"))
    vec.partial_fit(sents[120:])
    assert window_state(vec, sents) == window_state(window_fit(params, sents, tags), sents)


def test_window_loaded_position_free_keeps_the_attributes_block_order(tmp_path):
    # a model file gives vocabularies_ back in another key order ("prefix2"
    # before "w"); the blocks follow 'attributes', so the columns do not move
    sents = [["the", "cat", "sat"], ["a", "dog", "sat"], ["the", "theory"]]
    vec = WindowVectorizer(window=1, combination="sum", attributes=["word", "prefix2"])
    vec.fit(sents)
    again = load_model(save_model(vec, tmp_path / "m.tfm"))
    names = again.get_feature_names_out().tolist()
    assert names == vec.get_feature_names_out().tolist()
    assert names[4:7] == ["w=sat", "w=the", "w=a"]
    assert (again.transform(sents) != vec.transform(sents)).nnz == 0


def test_window_loaded_with_conjunctions_refuses_to_continue(tmp_path):
    sents, tags = (x[:50] for x in ud())
    vec = window_fit(WINDOW_PARAMS["conjunctions"], sents, tags)
    again = load_model(save_model(vec, tmp_path / "m.tfm"))
    assert window_state(again, sents) == window_state(vec, sents)
    with pytest.raises(ValueError, match="partial_fit: this vectorizer holds no counts"):
        again.partial_fit(sents)
    with pytest.raises(ValueError, match="merge: this vectorizer holds no counts"):
        again.merge(vec)


# -- PPMIVectors -------------------------------------------------------------------
PPMI_PARAMS = {
    "plain": {"dim": 8, "window": 2, "min_count": 3, "random_state": 0},
    "dynamic": {
        "dim": 6,
        "window": 3,
        "dynamic_window": True,
        "min_count": 2,
        "max_size": 300,
        "shift": 2.0,
        "add_context": True,
        "random_state": 1,
    },
    "ignore_uncut": {"dim": 5, "window": 2, "min_count": 1, "handle_unknown": "ignore",
                     "random_state": 2},
}  # fmt: skip


def ppmi_state(est: PPMIVectors) -> tuple[Any, ...]:
    v = est.vocabulary_
    wv = est.vectors_
    return (
        v.itos_,
        v.stoi_,
        dict(v.counts_),
        wv.words,
        wv.handle_unknown,
        wv.vectors.tobytes(),
        est.singular_values_.tobytes(),
    )


def ppmi_streamed(params, docs, size: int) -> PPMIVectors:
    est = PPMIVectors(**params)
    for s in chunks(len(docs), size):
        est.partial_fit(docs[s])
    return est


@pytest.mark.parametrize("size", [1, 7, 113, 360])
@pytest.mark.parametrize("name", list(PPMI_PARAMS))
def test_ppmi_partial_fit_equals_fit_bit_for_bit(name, size):
    docs = topics()
    params = PPMI_PARAMS[name]
    whole = PPMIVectors(**params).fit(docs)
    assert ppmi_state(ppmi_streamed(params, docs, size)) == ppmi_state(whole)


@pytest.mark.parametrize("name", list(PPMI_PARAMS))
def test_ppmi_merge_equals_fit_in_both_orders(name):
    docs = topics()
    params = PPMI_PARAMS[name]
    whole = ppmi_state(PPMIVectors(**params).fit(docs))
    a = PPMIVectors(**params).partial_fit(docs[:149])
    b = PPMIVectors(**params).partial_fit(docs[149:])
    assert ppmi_state(a.merge(b)) == whole
    assert ppmi_state(b.merge(a)) == whole


def test_ppmi_merge_is_associative_over_three_parts():
    docs = topics()
    params = PPMI_PARAMS["dynamic"]
    whole = ppmi_state(PPMIVectors(**params).fit(docs))
    a, b, c = (PPMIVectors(**params).fit(docs[s]) for s in (slice(0, 101), slice(101, 250), slice(250, None)))
    assert ppmi_state(a.merge(b).merge(c)) == whole
    assert ppmi_state(a.merge(b.merge(c))) == whole
    assert ppmi_state(c.merge(a, b)) == whole


def test_ppmi_unseeded_streams_the_deterministic_part():
    # random_state=None: the SVD's random start differs between any two
    # fits; the vocabulary and the words with a vector do not
    docs = topics()
    params = {"dim": 5, "window": 2, "min_count": 2}
    whole = PPMIVectors(**params).fit(docs)
    part = ppmi_streamed(params, docs, 97)
    assert part.vocabulary_.itos_ == whole.vocabulary_.itos_
    assert part.vectors_.words == whole.vectors_.words


def test_ppmi_co_occurrence_counts_hand_computed_from_two_chunks():
    # window 1, min_count 2: "c" (seen once) is *UNK*; pairs a-b twice
    # (one per chunk), b-*UNK* once; the PPMI of (a, b) by the formula
    est = PPMIVectors(dim=1, window=1, min_count=2, context_smoothing=1.0, random_state=0)
    est.partial_fit([["a", "b"]]).partial_fit([["b", "a"], ["b", "c"], ["a"]])
    assert est.vocabulary_.itos_[4:] == ["a", "b"]
    counts = est._cooccurrences(*est.vocabulary_.encode_documents([["a", "b"], ["b", "a"], ["b", "c"]]), 6)
    a, b, unk = est.vocabulary_["a"], est.vocabulary_["b"], 1
    assert counts[a, b] == counts[b, a] == 2 and counts[b, unk] == 1
    # PMI(a, b) = log(#(a,b) * total / (#a * #b)) = log(2 * 6 / (2 * 3))
    ppmi = est._ppmi(counts)
    assert ppmi[a, b] == pytest.approx(np.log(2.0))


def test_ppmi_20news_streamed_and_merged_equal_fit():
    docs = news()
    params = {"dim": 50, "window": 2, "min_count": 5, "random_state": 0}
    whole = ppmi_state(PPMIVectors(**params).fit(docs))
    assert ppmi_state(ppmi_streamed(params, docs, 173)) == whole
    parts = [clone(PPMIVectors(**params)).partial_fit(docs[s]) for s in chunks(500, 211)]
    assert ppmi_state(parts[2].merge(parts[0], parts[1])) == whole
    acc = parts[0]
    for part in parts[1:]:
        acc = acc.merge(pickle.loads(pickle.dumps(part)))
    assert ppmi_state(acc) == whole


def test_ppmi_fit_then_partial_fit_continues_from_fit():
    docs = topics()
    params = PPMI_PARAMS["plain"]
    est = PPMIVectors(**params).fit(docs[:200]).partial_fit(docs[200:])
    assert ppmi_state(est) == ppmi_state(PPMIVectors(**params).fit(docs))


def test_ppmi_stays_unfitted_until_enough_words():
    est = PPMIVectors(dim=3, window=1, min_count=1, random_state=0)
    est.partial_fit([["a", "b"]])
    assert "vectors_" not in vars(est)
    est.partial_fit([["c", "d", "e", "a"]])
    whole = PPMIVectors(dim=3, window=1, min_count=1, random_state=0)
    assert ppmi_state(est) == ppmi_state(whole.fit([["a", "b"], ["c", "d", "e", "a"]]))


def test_ppmi_model_file_continues_identically(tmp_path):
    docs = topics()
    params = PPMI_PARAMS["dynamic"]
    est = PPMIVectors(**params).partial_fit(docs[:150])
    again = load_model(save_model(est, tmp_path / "m.tfm")).partial_fit(docs[150:])
    assert ppmi_state(again) == ppmi_state(PPMIVectors(**params).fit(docs))


def test_ppmi_model_file_without_counts_refuses_by_name(tmp_path):
    est = PPMIVectors(dim=1, window=1, min_count=1).fit([["a", "b", "c"]] * 3)
    del est._stream  # as a file written before PPMIVectors could stream
    again = load_model(save_model(est, tmp_path / "m.tfm"))
    with pytest.raises(ValueError, match="partial_fit: this estimator holds no counts"):
        again.partial_fit([["a"]])


def test_ppmi_tampered_counts_are_refused():
    est = PPMIVectors(dim=1, window=1, min_count=1).fit([["a", "b", "c"]] * 3)
    again = loads(dumps(est))
    again._stream["pairs"] = again._stream["pairs"] + 10  # word indices beyond words
    with pytest.raises(ValueError, match="counts this estimator holds are damaged.*'pairs'"):
        again.partial_fit([["a"]])


def test_ppmi_ignore_with_a_cut_off_refuses_to_stream_naming_handle_unknown():
    est = PPMIVectors(dim=1, min_count=2, handle_unknown="ignore")
    with pytest.raises(ValueError, match="handle_unknown='ignore'.*min_count=2"):
        est.partial_fit([["a", "b", "a", "b"]])
    assert vars(est) == vars(PPMIVectors(dim=1, min_count=2, handle_unknown="ignore"))


def test_ppmi_partial_fit_refuses_changed_window():
    est = PPMIVectors(dim=1, window=1, min_count=1).partial_fit([["a", "b", "c"]])
    est.set_params(window=2)
    with pytest.raises(ValueError, match="'window' parameter changed from 1 to 2"):
        est.partial_fit([["a"]])


def test_ppmi_merge_refuses_other_min_count():
    a = PPMIVectors(dim=1, min_count=1).fit([["a", "b", "c"]])
    b = PPMIVectors(dim=1, min_count=2).fit([["a", "b", "c", "a", "b", "c"]])
    with pytest.raises(ValueError, match="'min_count' parameter differs"):
        a.merge(b)


def test_ppmi_merge_refuses_other_int_seed():
    a = PPMIVectors(dim=1, min_count=1, random_state=0).fit([["a", "b", "c"]])
    b = PPMIVectors(dim=1, min_count=1, random_state=1).fit([["a", "b", "c"]])
    with pytest.raises(ValueError, match="'random_state' parameter differs"):
        a.merge(b)


def test_ppmi_merges_clones_of_a_randomstate_seed():
    est = PPMIVectors(dim=1, min_count=1, random_state=np.random.RandomState(0))
    a = clone(est).fit([["a", "b", "c"]])
    b = clone(est).fit([["c", "b", "d"]])
    assert a.merge(b).vocabulary_.itos_[4:] == ["b", "c", "a", "d"]


def test_ppmi_merge_refuses_an_unfitted_estimator():
    with pytest.raises(NotFittedError, match="the other PPMIVectors is not fitted"):
        PPMIVectors(dim=1, min_count=1).fit([["a", "b", "c"]]).merge(PPMIVectors(dim=1, min_count=1))


def test_ppmi_partial_fit_refuses_a_bare_string():
    with pytest.raises(TypeError, match="PPMIVectors expects an iterable of documents"):
        PPMIVectors().partial_fit("the cat")


def test_ppmi_failed_partial_fit_leaves_state_unchanged():
    docs = topics()
    est = PPMIVectors(**PPMI_PARAMS["plain"]).partial_fit(docs[:200])
    before, stream = ppmi_state(est), est._stream
    with pytest.raises(TypeError, match="document at index 1 is NoneType"):
        est.partial_fit([docs[200], None])
    assert ppmi_state(est) == before and est._stream is stream


def test_ppmi_fault_in_the_svd_leaves_state_unchanged(monkeypatch):
    docs = topics()
    est = PPMIVectors(**PPMI_PARAMS["plain"]).partial_fit(docs[:200])
    before, stream = ppmi_state(est), est._stream

    def fail(*args: Any, **kwargs: Any) -> None:
        raise MemoryError("injected")

    monkeypatch.setattr("textfeat.dense.ppmi.randomized_svd", fail)
    with pytest.raises(MemoryError, match="injected"):
        est.partial_fit(docs[200:])
    monkeypatch.undo()
    assert ppmi_state(est) == before and est._stream is stream
    est.partial_fit(docs[200:])  # and it streams on
    assert ppmi_state(est) == ppmi_state(PPMIVectors(**PPMI_PARAMS["plain"]).fit(docs))


def test_ppmi_merge_leaves_both_inputs_unchanged():
    docs = topics()
    params = PPMI_PARAMS["plain"]
    a = PPMIVectors(**params).partial_fit(docs[:180])
    b = PPMIVectors(**params).partial_fit(docs[180:])
    before = ppmi_state(a), ppmi_state(b)
    merged = a.merge(b)
    assert (ppmi_state(a), ppmi_state(b)) == before
    assert merged is not a and merged is not b
    merged.partial_fit(docs[:5])  # a merged estimator streams on


# -- FrequencyScaler -----------------------------------------------------------------
def scaler_data(fmt: str) -> Any:
    rng = np.random.default_rng(0)
    dense = rng.random((211, 37)) * (rng.random((211, 37)) < 0.15)
    dense[:, 5] = 0.0  # a column never seen
    return dense if fmt == "dense" else sp.csr_matrix(dense).asformat(fmt)


def scaler_state(s: FrequencyScaler, X: Any) -> tuple[Any, ...]:
    out = s.transform(X)
    out = out.toarray() if sp.issparse(out) else out
    return s.n_features_in_, s.scale_.tobytes(), out.tobytes()


@pytest.mark.parametrize("size", [1, 7, 64, 211])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_scaler_partial_fit_equals_fit(fmt, size):
    X = scaler_data(fmt)
    whole = FrequencyScaler(power=0.5).fit(X)
    part = FrequencyScaler(power=0.5)
    for s in chunks(X.shape[0], size):
        part.partial_fit(X[s])
    assert scaler_state(part, X) == scaler_state(whole, X)


@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_scaler_merge_equals_fit_in_both_orders_and_groupings(fmt):
    X = scaler_data(fmt)
    whole = scaler_state(FrequencyScaler().fit(X), X)
    a, b, c = (FrequencyScaler().fit(X[s]) for s in (slice(0, 50), slice(50, 99), slice(99, None)))
    assert scaler_state(a.merge(b).merge(c), X) == whole
    assert scaler_state(a.merge(b.merge(c)), X) == whole
    assert scaler_state(c.merge(b).merge(a), X) == whole


def test_scaler_counts_hand_computed_from_two_chunks():
    # chunk a: rows [1, 1] and [1, explicit 0]; chunk b: rows [1, 0] and a
    # duplicate pair in column 1 summing to 0. Column counts 3 and 1, so with
    # power 0.5 the raw factors are 3**-0.5 and 1, scaled by 4 / (sqrt(3) + 1)
    a = sp.csr_matrix(([1.0, 1.0, 1.0, 0.0], ([0, 0, 1, 1], [0, 1, 0, 1])), shape=(2, 2))
    b = sp.csr_matrix(
        (np.array([1.0, 2.0, -2.0]), np.array([0, 1, 1]), np.array([0, 1, 3])),
        shape=(2, 2),
    )
    scaler = FrequencyScaler(power=0.5).partial_fit(a).partial_fit(b)
    root3 = np.sqrt(3.0)
    np.testing.assert_allclose(scaler.scale_, [4 / (3 + root3), 4 / (1 + root3)])


def test_scaler_fit_then_partial_fit_continues_from_fit():
    X = scaler_data("csr")
    part = FrequencyScaler().fit(X[:100]).partial_fit(X[100:])
    assert scaler_state(part, X) == scaler_state(FrequencyScaler().fit(X), X)


def test_scaler_orchestrator_clone_partial_fit_pickle_merge():
    X = scaler_data("csr")
    step = FrequencyScaler(power=0.3)
    parts = [pickle.loads(pickle.dumps(clone(step).partial_fit(X[s]))) for s in chunks(150, 41)]
    acc = parts[0]
    for part in parts[1:]:
        acc = acc.merge(part)
    acc.transform(X[:3])
    acc = acc.partial_fit(X[150:190]).merge(clone(step).partial_fit(X[190:]))
    assert scaler_state(acc, X) == scaler_state(FrequencyScaler(power=0.3).fit(X), X)


def test_scaler_model_file_continues(tmp_path):
    X = scaler_data("csr")
    again = load_model(save_model(FrequencyScaler().fit(X[:90]), tmp_path / "m.tfm"))
    again.partial_fit(X[90:])
    assert scaler_state(again, X) == scaler_state(FrequencyScaler().fit(X), X)


def test_scaler_model_file_without_counts_refuses_by_name(tmp_path):
    scaler = FrequencyScaler().fit(np.eye(3))
    del scaler._stream  # as a file written before FrequencyScaler could stream
    again = load_model(save_model(scaler, tmp_path / "m.tfm"))
    np.testing.assert_array_equal(again.transform(np.eye(3)), scaler.transform(np.eye(3)))
    with pytest.raises(ValueError, match="partial_fit: this scaler holds no counts"):
        again.partial_fit(np.eye(3))


def test_scaler_tampered_counts_are_refused():
    again = loads(dumps(FrequencyScaler().fit(np.eye(3))))
    again._stream["counts"] = np.array([1, -5, 1])
    with pytest.raises(ValueError, match="merge: the counts this scaler holds are damaged"):
        again.merge(FrequencyScaler().fit(np.eye(3)))


def test_scaler_partial_fit_refuses_changed_power():
    scaler = FrequencyScaler(power=0.5).partial_fit(np.eye(3))
    scaler.set_params(power=1.0)
    with pytest.raises(ValueError, match="'power' parameter changed from 0.5 to 1.0"):
        scaler.partial_fit(np.eye(3))


def test_scaler_partial_fit_refuses_another_number_of_columns_and_keeps_state():
    scaler = FrequencyScaler().partial_fit(np.eye(3))
    before = scaler_state(scaler, np.eye(3))
    with pytest.raises(ValueError, match="X has 2 features, but FrequencyScaler is expecting 3"):
        scaler.partial_fit(np.eye(2))
    assert scaler_state(scaler, np.eye(3)) == before


def test_scaler_partial_fit_refuses_nan_naming_x_and_keeps_state():
    scaler = FrequencyScaler().partial_fit(np.eye(3))
    before = scaler_state(scaler, np.eye(3))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        scaler.partial_fit(np.full((1, 3), np.nan))
    assert scaler_state(scaler, np.eye(3)) == before


def test_scaler_merge_refuses_other_power():
    with pytest.raises(ValueError, match="'power' parameter differs"):
        FrequencyScaler(power=0.5).fit(np.eye(2)).merge(FrequencyScaler(power=1).fit(np.eye(2)))


def test_scaler_merge_refuses_other_columns():
    with pytest.raises(ValueError, match="this scaler has 2 columns .* and the other 3"):
        FrequencyScaler().fit(np.eye(2)).merge(FrequencyScaler().fit(np.eye(3)))


def test_scaler_merge_refuses_an_unfitted_scaler():
    with pytest.raises(NotFittedError, match="this FrequencyScaler is not fitted"):
        FrequencyScaler().merge(FrequencyScaler().fit(np.eye(2)))


def test_scaler_merge_leaves_both_inputs_unchanged():
    X = scaler_data("dense")
    a, b = FrequencyScaler().fit(X[:80]), FrequencyScaler().fit(X[80:])
    before = scaler_state(a, X), scaler_state(b, X)
    a.merge(b)
    assert (scaler_state(a, X), scaler_state(b, X)) == before
