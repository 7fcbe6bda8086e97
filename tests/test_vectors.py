"""WordVectors (loaders, unknown words, similarity) and PPMI-SVD vectors."""

from __future__ import annotations

import copy
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import NEWS, require

from textfeat.corpus import CorpusError, load_jsonl
from textfeat.ppmi import PPMIVectors
from textfeat.tokenize import SpacyTokenizer
from textfeat.vectors import VECTOR_FORMATS, WordVectors

WORDS = ["the", "cat", "naïve", "x"]
VECS = np.array(
    [[0.1, -2.5, 3.0], [1e-8, 0.333333343, -7.0], [0.0, 0.0, 1.0], [5.5, 6.5, 7.5]],
    dtype=np.float32,
)


# -- round trips -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "suffix"),
    [(fmt, ".txt") for fmt in VECTOR_FORMATS]
    + [(fmt, ".txt.gz") for fmt in VECTOR_FORMATS if fmt != "word2vec-binary"],
)
def test_round_trip_every_format(tmp_path: Path, fmt: str, suffix: str) -> None:
    path = tmp_path / f"v{suffix}"
    WordVectors(WORDS, VECS).save(path, fmt)
    back = WordVectors.load(path, fmt)
    assert back.words == WORDS
    assert back.vectors.dtype == np.float32
    np.testing.assert_array_equal(back.vectors, VECS)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("word2vec", "v.txt"), ("glove", "v.txt"), ("word2vec-binary", "v.bin"),
     ("fasttext", "v.vec")],
)  # fmt: skip
def test_auto_format_detection(tmp_path: Path, fmt: str, name: str) -> None:
    path = tmp_path / name
    WordVectors(WORDS, VECS).save(path, fmt)
    np.testing.assert_array_equal(WordVectors.load(path).vectors, VECS)


def test_float64_text_round_trip_is_exact(tmp_path: Path) -> None:
    vecs = np.random.default_rng(0).normal(size=(3, 4))
    WordVectors(["a", "b", "c"], vecs).save(tmp_path / "v.txt")
    back = WordVectors.load(tmp_path / "v.txt", dtype=np.float64)
    np.testing.assert_array_equal(back.vectors, vecs)


def test_written_word2vec_text_by_hand(tmp_path: Path) -> None:
    WordVectors(["a", "b"], np.array([[1.5, -2.0], [0.0, 3.25]])).save(tmp_path / "v")
    assert (tmp_path / "v").read_text() == "2 2\na 1.5 -2.0\nb 0.0 3.25\n"


def test_written_binary_by_hand(tmp_path: Path) -> None:
    WordVectors(["ab"], np.array([[1.0, -2.0]], dtype=np.float32)).save(
        tmp_path / "v.bin", "word2vec-binary"
    )
    expected = b"1 2\nab " + np.array([1.0, -2.0], dtype="<f4").tobytes() + b"\n"
    assert (tmp_path / "v.bin").read_bytes() == expected


# -- malformed files -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "text", "line", "match"),
    [
        ("word2vec", "2 x\na 1 2\n", 1, "bad header"),
        ("word2vec", "2\na 1 2\n", 1, "bad header"),
        ("word2vec", "2 2\na 1 2\nb 1\n", 3, "expected the word and 2 values, got 1"),
        ("word2vec", "3 2\na 1 2\nb 1 2\n", 4, "truncated"),
        ("word2vec", "1 2\na 1 2\nb 1 2\n", 3, "more vectors"),
        ("word2vec", "2 2\na 1 2\na 3 4\n", 3, "already had a vector on line 2"),
        ("word2vec", "1 2\na 1 zz\n", 2, "not a number"),
        ("fasttext", "3 2\na 1 2 \nb 1 2 \n", 4, "truncated"),
        ("fasttext", "2 2\na 1 2 \nb 1 2 3 \n", 3, "got 3 values"),
        ("glove", "a 1 2 3\nb 1 2 3\nc 1 2\n", 3, "expected the word and 3 values"),
        ("glove", "a 1 2\n\nb 1 2\n", 2, "blank line"),
    ],
)
def test_malformed_text_files_name_the_line(
    tmp_path: Path, fmt: str, text: str, line: int, match: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(CorpusError, match=match) as err:
        WordVectors.load(path, fmt)
    assert err.value.line == line
    assert str(path) in str(err.value)


def binary(n: int, dim: int, entries: list[tuple[bytes, list[float]]]) -> bytes:
    body = b"".join(
        w + b" " + np.asarray(v, dtype="<f4").tobytes() + b"\n" for w, v in entries
    )
    return f"{n} {dim}\n".encode() + body


@pytest.mark.parametrize(
    ("data", "line", "match"),
    [
        (b"two 2\n", 1, "bad header"),
        # too short for its header: refused before reading (gzipped files are
        # read to the record where they end: tests/test_trust_inputs.py)
        (binary(3, 2, [(b"a", [1, 2]), (b"b", [3, 4])]), 1, "truncated"),
        (binary(2, 2, [(b"a", [1, 2]), (b"b", [3, 4])])[:-3], 1, "truncated"),
        (binary(2, 2, [(b"a", [1, 2, 3]), (b"b", [3, 4, 5])]), 3, "bad word"),
        (binary(1, 2, [(b"a", [1, 2]), (b"b", [3, 4])]), 3, "bytes after"),
    ],
)
def test_malformed_binary_files_name_the_line(
    tmp_path: Path, data: bytes, line: int, match: str
) -> None:
    path = tmp_path / "bad.bin"
    path.write_bytes(data)
    with pytest.raises(CorpusError, match=match) as err:
        WordVectors.load(path)
    assert err.value.line == line


# -- other sources ----------------------------------------------------------------
def test_from_spacy_vocab_built_by_hand() -> None:
    from spacy.vocab import Vocab

    vocab = Vocab()
    for w, v in zip(WORDS, VECS, strict=True):
        vocab.set_vector(w, v)
    wv = WordVectors.from_spacy(vocab)
    assert sorted(wv.words) == sorted(WORDS)
    for w, v in zip(WORDS, VECS, strict=True):
        np.testing.assert_array_equal(wv[w], v)
    assert WordVectors.from_spacy(vocab.vectors).words == wv.words


def test_from_spacy_blank_pipeline_has_no_vectors() -> None:
    import spacy

    with pytest.raises(ValueError, match="no vectors"):
        WordVectors.from_spacy(spacy.blank("en"))


def test_from_gensim_keyed_vectors() -> None:
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(vector_size=3)
    kv.add_vectors(WORDS, VECS)
    wv = WordVectors.from_gensim(kv)
    assert wv.words == WORDS
    np.testing.assert_array_equal(wv.vectors, VECS)


def test_from_gensim_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="KeyedVectors"):
        WordVectors.from_gensim(object())


def test_constructor_checks() -> None:
    with pytest.raises(ValueError, match="twice"):
        WordVectors(["a", "a"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        WordVectors(["a"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\*UNK\*"):
        WordVectors(["a"], np.zeros((1, 2)), handle_unknown="unk")
    with pytest.raises(ValueError, match="handle_unknown"):
        WordVectors(["a"], np.zeros((1, 2)), handle_unknown="drop")


# -- unknown words, lookups, similarity ----------------------------------------------
def test_unknown_policies_by_hand() -> None:
    words = ["a", "b", "*UNK*"]
    vecs = np.array([[1.0, 0.0], [3.0, 2.0], [9.0, 9.0]])
    toks = ["b", "zz", "a"]
    look = {p: WordVectors(words, vecs, handle_unknown=p).lookup(toks) for p in
            ("zero", "mean", "unk", "ignore")}  # fmt: skip
    np.testing.assert_array_equal(look["zero"], [[3, 2], [0, 0], [1, 0]])
    np.testing.assert_array_equal(look["mean"], [[3, 2], [13 / 3, 11 / 3], [1, 0]])
    np.testing.assert_array_equal(look["unk"], [[3, 2], [9, 9], [1, 0]])
    np.testing.assert_array_equal(look["ignore"], [[3, 2], [1, 0]])
    with pytest.raises(KeyError, match="zz"):
        WordVectors(words, vecs, handle_unknown="error").lookup(toks)


def test_most_similar_by_hand() -> None:
    wv = WordVectors(["n", "ne", "e", "s"], [[0, 1], [1, 1], [1, 0], [0, -1]])
    got = wv.most_similar("n", topn=3)
    assert [w for w, _ in got] == ["ne", "e", "s"]
    np.testing.assert_allclose([s for _, s in got], [math.sqrt(0.5), 0.0, -1.0])
    assert wv.most_similar([1.0, 0.0], topn=1)[0][0] == "e"


def test_deepcopy_shares_the_table() -> None:
    wv = WordVectors(["a"], [[1.0]])
    assert copy.deepcopy(wv) is wv


# -- PPMI-SVD ---------------------------------------------------------------------------
def test_ppmi_matrix_against_the_formula_by_hand() -> None:
    docs = [["a", "b", "c", "a"], ["b", "c"], ["c", "a", "a", "b"]]
    model = PPMIVectors(window=2, min_count=1, shift=2.0)
    model.vocabulary_ = vocab = __import__("textfeat").Vocabulary().fit(docs)
    ids, offsets = vocab.encode_documents(docs)
    ppmi = model._ppmi(model._cooccurrences(ids, offsets, len(vocab))).toarray()
    # Slow oracle: count pairs within distance 2, both directions.
    pairs: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        for i, w in enumerate(doc):
            for j, c in enumerate(doc):
                if i != j and abs(i - j) <= 2:
                    pairs[w, c] += 1
    n_w: Counter[str] = Counter()
    n_c: Counter[str] = Counter()
    for (w, c), n in pairs.items():
        n_w[w] += n
        n_c[c] += n
    z = sum(v**0.75 for v in n_c.values())
    for w in "abc":
        for c in "abc":
            n = pairs[w, c]
            pmi = math.log(n * z / (n_w[w] * n_c[c] ** 0.75)) if n else -math.inf
            assert ppmi[vocab[w], vocab[c]] == pytest.approx(max(pmi - math.log(2), 0))


def test_ppmi_is_deterministic_with_a_seed() -> None:
    docs = [["a", "b", "c"], ["b", "c", "d"], ["c", "d", "e"], ["a", "e", "b"]] * 3
    one = PPMIVectors(dim=2, min_count=1, random_state=3).fit(docs).vectors_
    two = PPMIVectors(dim=2, min_count=1, random_state=3).fit(docs).vectors_
    np.testing.assert_array_equal(one.vectors, two.vectors)
    assert one.words == two.words


def test_ppmi_learns_an_unk_row_for_rare_words() -> None:
    docs = [["a", "b", "rare1"], ["a", "b", "rare2"], ["b", "a", "c"]] * 2
    wv = PPMIVectors(dim=2, min_count=3, random_state=0).fit(docs).vectors_
    assert "*UNK*" in wv and wv.handle_unknown == "unk"
    np.testing.assert_array_equal(wv["never seen"], wv["*UNK*"])


def test_ppmi_dim_too_large_is_explained() -> None:
    with pytest.raises(ValueError, match="dim=50"):
        PPMIVectors(dim=50, min_count=1).fit([["a", "b", "c"]])


# Related pairs from the 20 newsgroups' topics, written down before looking at
# the vectors. Criterion: their mean cosine beats that of random pairs of
# frequent words by at least 0.25, and at least 75% of them are above the
# 90th percentile of the random pairs' cosines.
RELATED = [
    ("god", "jesus"), ("windows", "dos"), ("drive", "disk"), ("monitor", "vga"),
    ("car", "engine"), ("space", "nasa"), ("gun", "guns"), ("team", "game"),
    ("israel", "israeli"), ("doctor", "patients"), ("encryption", "key"),
    ("bike", "ride"), ("hockey", "nhl"), ("christian", "church"),
    ("software", "program"), ("sale", "price"),
]  # fmt: skip


@pytest.fixture(scope="module")
def news_ppmi() -> PPMIVectors:
    texts, _, _ = load_jsonl(require(NEWS / "train.jsonl.gz"))
    # Every 5th training document (2263 of 11314, about 0.9M tokens): the
    # file is sorted by newsgroup, so a stride keeps all twenty topics.
    docs = SpacyTokenizer(attr="lower").fit_transform(texts[::5])
    return PPMIVectors(dim=100, window=2, min_count=5, random_state=0).fit(docs)


@pytest.mark.corpus
def test_ppmi_on_20news_puts_related_words_closer_than_random(
    news_ppmi: PPMIVectors,
) -> None:
    wv = news_ppmi.vectors_
    assert all(a in wv and b in wv for a, b in RELATED)
    related = np.array([wv.similarity(a, b) for a, b in RELATED])
    frequent = news_ppmi.vocabulary_.itos_[4:2004]
    rng = np.random.default_rng(0)
    picks = rng.choice(len(frequent), size=(300, 2))
    rand = np.array(
        [wv.similarity(frequent[i], frequent[j]) for i, j in picks if i != j]
    )
    assert related.mean() - rand.mean() >= 0.25
    assert (related > np.quantile(rand, 0.9)).mean() >= 0.75


@pytest.mark.corpus
def test_ppmi_nearest_neighbours_on_20news(news_ppmi: PPMIVectors) -> None:
    wv = news_ppmi.vectors_
    assert "drives" in [w for w, _ in wv.most_similar("drive", topn=10)]
    assert "nhl" in [w for w, _ in wv.most_similar("hockey", topn=10)]
