"""Tokenization with spaCy's blank pipeline: texts in, token lists out.

Memory and speed
----------------
spaCy keeps every string it meets (string store, lexemes, tokenizer cache),
so a long stream of text grows it without bound. spaCy's memory zones
(``nlp.memory_zone()``, spaCy >= 3.8) free what was added inside them, but a
zone per batch forgets the common words too and makes spaCy re-create their
lexemes in every batch (and spaCy never caches a tokenization inside a zone).
So each process keeps one private blank pipeline per language, split in two:

* a permanent part: the strings of the first documents the process
  tokenizes, up to :data:`PERMANENT_STRINGS` strings (the frequent words of a
  corpus come early), kept as spaCy keeps them, tokenizer cache included;
* a transient part: after that, documents are tokenized inside one memory
  zone that spans batches and calls, and is closed (its strings freed) and
  reopened whenever it holds more than :data:`TRANSIENT_STRINGS` strings.

The string store therefore stays under about ``PERMANENT_STRINGS +
TRANSIENT_STRINGS`` strings plus one document's, however long the stream,
while re-creating a word's lexeme is amortised over many batches. The tokens
are spaCy's own in every case. The pipeline is private: no ``Doc`` of it
outlives a call, so closing a zone can never invalidate a caller's object.

The module is longer than most (about 700 lines): the per-process engine
(zones, packing for the trip back from a worker) and the estimator that
drives it are one mechanism and are tested together.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from functools import lru_cache
from numbers import Integral
from typing import Any, Literal, Self

import numpy as np
from sklearn.base import BaseEstimator
from tqdm.auto import tqdm

from textfeat._base import TextTransformerMixin
from textfeat._compat import (
    Interval,
    Options,
    StrOptions,
    fit_context,
    validate_parameters,
)
from textfeat._parallel import ProcessPool, effective_n_jobs
from textfeat._validation import check_corpus, check_documents

__all__ = [
    "PARALLEL_MIN_CHARS",
    "PERMANENT_STRINGS",
    "TRANSIENT_STRINGS",
    "SpacyTokenizer",
]

Attr = Literal["text", "lower", "norm"]

#: Strings a process keeps for good (its first ones; see the module notes).
PERMANENT_STRINGS = 400_000
#: Strings a memory zone may hold before it is closed and a new one opened.
TRANSIENT_STRINGS = 100_000
#: A document longer than this (characters) is always tokenized in a zone.
_PERMANENT_DOC_CHARS = 20_000
#: Whitespace-separated chunks spaCy's tokenizer may cache (its default is
#: 10,000); spaCy caches only outside memory zones, so with lexemes that
#: are all permanent.
_CACHE_CHUNKS = 400_000
#: Entries of the per-process hash -> str table kept between calls.
_TEXT_CACHE = 300_000
#: A corpus of known length with fewer characters than this is tokenized in
#: the calling process whatever ``n_jobs`` says: starting workers would
#: cost more than they save.
PARALLEL_MIN_CHARS = 1_000_000
#: With a pool, each batch of a corpus of known size holds this share of
#: the characters left, divided by the process count ...
_SHARES = 4
#: ... but at least this many characters (a few milliseconds of work).
_MIN_BATCH_CHARS = 10_000


def _new_pipeline(lang: str) -> Any:
    import spacy

    try:
        return spacy.blank(lang)
    except (ImportError, KeyError) as exc:  # spaCy raises ImportError (E048)
        raise ValueError(
            f"The 'lang' parameter of SpacyTokenizer must be a language code "
            f"spaCy knows (e.g. 'en', 'de', 'xx'). Got {lang!r} instead."
        ) from exc


@lru_cache(maxsize=16)
def blank_pipeline(lang: str, sentences: bool = False) -> Any:
    """spaCy's blank pipeline for ``lang`` (no model download), cached per process.

    With ``sentences=True`` it carries spaCy's rule-based ``sentencizer``.
    :class:`SpacyTokenizer` does not use it (it keeps a private pipeline, see
    the module notes), so ``Doc`` objects made with it stay valid.

    Examples
    --------
    >>> [t.text for t in blank_pipeline("en").tokenizer("Don't panic.")]
    ['Do', "n't", 'panic', '.']
    """
    nlp = _new_pipeline(lang)
    if sentences:
        nlp.add_pipe("sentencizer")
    return nlp


def _memory_zone(nlp: Any) -> Any:
    """``nlp.memory_zone()`` where spaCy has it (>= 3.8), else a no-op."""
    return nlp.memory_zone() if hasattr(nlp, "memory_zone") else nullcontext()


def _private_pipeline(lang: str) -> Any:
    """A blank pipeline whose new lexemes compute only what tokenizing needs.

    spaCy computes some twenty attributes for each new word (shape, prefix,
    suffix, like_num, is_stop...), in Python, and stores their strings.
    Segmentation never reads them, so the private pipeline keeps the
    getters of the attributes textfeat outputs or uses (lower case, norm,
    whitespace, punctuation for the sentencizer): the same tokens, fewer
    strings per word, and a word learned in a fraction of the time.
    """
    from spacy.attrs import IS_PUNCT, IS_SPACE, LANG, LOWER, NORM

    nlp = _new_pipeline(lang)
    keep = {LOWER, NORM, IS_SPACE, IS_PUNCT, LANG}
    vocab = nlp.vocab
    vocab.lex_attr_getters = {
        k: f for k, f in vocab.lex_attr_getters.items() if k in keep
    }
    nlp.tokenizer.max_cache_size = max(nlp.tokenizer.max_cache_size, _CACHE_CHUNKS)
    return nlp


def _columns(attr: str, split_sentences: bool) -> list[int]:
    from spacy.attrs import IS_SPACE, LOWER, NORM, ORTH, SENT_START

    cols = [{"text": ORTH, "lower": LOWER, "norm": NORM}[attr], IS_SPACE]
    return [*cols, SENT_START] if split_sentences else cols


class _Engine:
    """A process's private blank pipeline with its permanent and transient parts."""

    def __init__(self, lang: str) -> None:
        self.nlp = _private_pipeline(lang)
        self.lock = threading.Lock()
        self.zone: Any = None  # the open memory zone's context manager
        self.zone_base = 0  # strings in the store when the zone was opened
        self.zone_limit = 0
        self.texts: dict[int, str] = {}  # hash -> str; a pure function of the hash
        self.sentencizer: Any = None

    # -- zones ------------------------------------------------------------------
    def _room(self) -> bool:
        """Whether the permanent part may still grow."""
        held = self.zone_base if self.zone is not None else len(self.nlp.vocab.strings)
        return held < PERMANENT_STRINGS

    def _open(self) -> None:
        zone = _memory_zone(self.nlp)
        zone.__enter__()
        self.zone = zone
        self.zone_base = len(self.nlp.vocab.strings)
        self.zone_limit = self.zone_base + TRANSIENT_STRINGS

    def _close(self) -> None:
        zone, self.zone = self.zone, None
        if zone is not None:
            zone.__exit__(None, None, None)

    def _resolve(self, arrays: list[np.ndarray]) -> None:
        """Python strings of every hash in ``arrays`` (while they are in the store)."""
        if not arrays:
            return
        texts = self.texts
        hashes = np.concatenate([a[:, 0] for a in arrays]).tolist()
        new = set(hashes).difference(texts)
        if new:
            strings = self.nlp.vocab.strings
            for h in new:
                texts[h] = strings[h]

    # -- work -------------------------------------------------------------------
    def tokenize(
        self,
        texts: Sequence[str],
        attr: str,
        keep_whitespace: bool,
        split_sentences: bool,
        packed: bool = False,
        keep_punct: bool = True,
    ) -> Any:
        """Token lists of ``texts`` (``packed``: see :func:`_assemble`)."""
        with self.lock:
            arrays = self._arrays(
                texts, _columns(attr, split_sentences), split_sentences
            )
            out = _assemble(
                arrays, self.texts, keep_whitespace, split_sentences, packed,
                keep_punct,
            )
            if len(self.texts) > _TEXT_CACHE:
                self.texts = {}
            return out

    def _arrays(
        self, texts: Sequence[str], cols: list[int], split_sentences: bool
    ) -> list[np.ndarray]:
        nlp = self.nlp
        strings = nlp.vocab.strings
        tokenizer = nlp.tokenizer
        sentencizer = None
        if split_sentences:
            if self.sentencizer is None:
                self.sentencizer = nlp.add_pipe("sentencizer")
            sentencizer = self.sentencizer
        arrays: list[np.ndarray] = []
        start = 0  # arrays[start:] still hold hashes only the store can resolve
        for text in texts:
            permanent = len(text) <= _PERMANENT_DOC_CHARS and self._room()
            if permanent == (self.zone is not None):
                self._resolve(arrays[start:])
                start = len(arrays)
                if permanent:
                    self._close()
                else:
                    self._open()
            # Calling the tokenizer directly (not nlp()) means no max_length
            # refusal: the blank pipeline's cost is linear in the text length.
            doc = tokenizer(text)
            if sentencizer is not None:
                doc = sentencizer(doc)
            arrays.append(doc.to_array(cols))
            if self.zone is not None and len(strings) > self.zone_limit:
                self._resolve(arrays[start:])
                start = len(arrays)
                self._close()
                self._open()
        self._resolve(arrays[start:])
        return arrays

    def norms(self, tokens: Sequence[str]) -> list[str]:
        """spaCy's norm of each token (tokens passed through with ``attr="norm"``)."""
        with self.lock:
            vocab = self.nlp.vocab
            if self.zone is not None:
                out = [vocab[t].norm_ for t in tokens]
                if len(vocab.strings) > self.zone_limit:
                    self._close()
                return out
            with _memory_zone(self.nlp):
                return [vocab[t].norm_ for t in tokens]


def _assemble(
    arrays: list[np.ndarray],
    texts: dict[int, str],
    keep_whitespace: bool,
    split_sentences: bool,
    packed: bool = False,
    keep_punct: bool = True,
) -> Any:
    """Token lists from the attribute arrays of a batch, in one pass.

    With ``packed`` (and no sentences) the batch comes as ``(strings, ids,
    bounds)`` instead: its distinct tokens, the index of each token among
    them and the documents' start offsets, which a worker process sends
    back far more cheaply than lists of strings (see :func:`_unpack`).
    """
    if not arrays:
        return []
    lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    flat = np.concatenate(arrays)
    bounds = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    keep = None if keep_whitespace else flat[:, 1] == 0
    if not keep_punct:
        words = _word_mask(flat[:, 0], texts)
        keep = words if keep is None else keep & words
    if split_sentences:
        tokens = list(map(texts.__getitem__, flat[:, 0].tolist()))
        return _sentences(tokens, flat, bounds, keep)
    hashes = flat[:, 0]
    if keep is not None:
        if not keep.all():
            doc_of = np.repeat(np.arange(len(arrays)), lengths)
            np.cumsum(np.bincount(doc_of[keep], minlength=len(arrays)), out=bounds[1:])
            hashes = hashes[keep]
    if packed:
        distinct, ids = np.unique(hashes, return_inverse=True)
        strings = list(map(texts.__getitem__, distinct.tolist()))
        return strings, ids.astype(np.int32).ravel(), bounds
    tokens = list(map(texts.__getitem__, hashes.tolist()))
    return [tokens[a:b] for a, b in itertools.pairwise(bounds.tolist())]


def is_word(token: str) -> bool:
    """Whether a token has a letter, digit or underscore (``keep_punct=False`` keeps those).

    Examples
    --------
    >>> [is_word(t) for t in ["can't", "3", "--", ">", " "]]
    [True, True, False, False, False]
    """
    return _WORD(token) is not None


_WORD = re.compile(r"\w").search


def _word_mask(hashes: np.ndarray, texts: dict[int, str]) -> np.ndarray:
    """``is_word`` of each token, computed once per distinct string."""
    distinct, inverse = np.unique(hashes, return_inverse=True)
    words = np.fromiter(
        (_WORD(texts[h]) is not None for h in distinct.tolist()),
        dtype=bool,
        count=len(distinct),
    )
    return words[inverse.ravel()]


def _unpack(result: Any) -> list[Any]:
    """Token lists of a batch sent back by a worker (packed or not)."""
    if not isinstance(result, tuple):
        return result
    strings, ids, bounds = result
    tokens = list(map(strings.__getitem__, ids.tolist()))
    return [tokens[a:b] for a, b in itertools.pairwise(bounds.tolist())]


def _sentences(
    tokens: list[str], flat: np.ndarray, bounds: np.ndarray, mask: np.ndarray | None
) -> list[list[list[str]]]:
    keep = None if mask is None else mask.tolist()
    starts = np.flatnonzero(flat[:, 2].astype(np.int64) == 1)
    first = np.searchsorted(starts, bounds).tolist()
    starts_list = starts.tolist()
    out = []
    for i, (a, b) in enumerate(itertools.pairwise(bounds.tolist())):
        inner = starts_list[first[i] : first[i + 1]]
        cuts = inner if inner[:1] == [a] else [a, *inner]
        sents = []
        for s, e in itertools.pairwise([*cuts, b]):
            sent = (
                tokens[s:e]
                if keep is None
                else list(itertools.compress(tokens[s:e], keep[s:e]))
            )
            if sent:
                sents.append(sent)
        out.append(sents)
    return out


_ENGINES: dict[str, _Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(lang: str) -> _Engine:
    """This process's engine for ``lang`` (made on first use)."""
    engine = _ENGINES.get(lang)
    if engine is None:
        with _ENGINES_LOCK:
            engine = _ENGINES.get(lang)
            if engine is None:
                engine = _ENGINES[lang] = _Engine(lang)
    return engine


def _after_fork() -> None:
    # A lock held by another thread at fork time would never be released
    # in the child.
    global _ENGINES_LOCK
    _ENGINES_LOCK = threading.Lock()
    for engine in _ENGINES.values():
        engine.lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _tokenize_texts(
    texts: Sequence[str],
    lang: str,
    attr: str,
    keep_whitespace: bool,
    split_sentences: bool,
    keep_punct: bool = True,
) -> list[Any]:
    """Tokenize ``texts``; module level so worker processes can run it."""
    return _engine(lang).tokenize(
        texts, attr, keep_whitespace, split_sentences, keep_punct=keep_punct
    )


#: -1 (every usable CPU) or a positive count: the rule of textfeat._parallel.
_N_JOBS: list[Any] = [
    Options(Integral, {-1}),
    Interval(Integral, 1, None, closed="left"),
]


def _tokenize_batch(settings: tuple[Any, ...], texts: list[str]) -> Any:
    """A worker's batch, packed for the trip back (see :func:`_assemble`).

    ``settings`` is ``(lang, attr, keep_whitespace, split_sentences,
    keep_punct)``, sent
    to each worker once (the state of :class:`textfeat._parallel.ProcessPool`).
    """
    lang, attr, keep_whitespace, split_sentences, keep_punct = settings
    return _engine(lang).tokenize(
        texts, attr, keep_whitespace, split_sentences, True, keep_punct
    )


class SpacyTokenizer(TextTransformerMixin, BaseEstimator):
    """Split texts into token lists with spaCy's tokenizer.

    Uses spaCy's *blank* pipeline for ``lang``, which needs no model download.
    The step is stateless: ``fit`` only checks the parameters.

    Parameters
    ----------
    lang : str, default="en"
        Language code of the blank pipeline (``"en"``, ``"de"``, ``"xx"``...).
    attr : {"text", "lower", "norm"}, default="text"
        Token attribute to output: the verbatim text, the lower-cased text, or
        spaCy's norm (lower case with spelling variants unified, for example
        ``"n't"`` -> ``"not"``).
    keep_whitespace : bool, default=False
        Keep spaCy's whitespace tokens (runs of newlines and extra spaces).
    keep_punct : bool, default=True
        If False, drop every token without a letter, digit or underscore
        (punctuation, symbols such as ``>`` or ``--``, and whitespace tokens
        whatever ``keep_whitespace`` says), as scikit-learn's default
        ``token_pattern`` does; token lists passed through are filtered the
        same way. On 20 Newsgroups this raises the accuracy of a tf-idf
        document classifier by about half a point (benchmarks/README.md).
    split_sentences : bool, default=False
        If True, each document becomes a list of sentences, each a list of
        tokens (spaCy's rule-based ``sentencizer``), for token-level work.
    n_jobs : int, default=1
        Processes that tokenize, this one included; ``-1`` uses every usable
        CPU, and more than the usable CPUs means that many (the rule of every
        ``n_jobs`` in textfeat). The worker pool
        starts once per call; this process tokenizes a batch itself whenever
        the workers are busy. A corpus of known length with fewer than
        :data:`PARALLEL_MIN_CHARS` characters is tokenized here, without a
        pool. Workers return token strings rather than spaCy ``Doc``
        objects.
    n_process : int or None, default=None
        Deprecated alias of ``n_jobs`` (removed in the next release); setting
        it warns (``FutureWarning``) and takes precedence over ``n_jobs``.
    batch_size : int, default=1000
        Documents tokenized or sent to a worker at a time. With a pool and a
        corpus of known length this is an upper bound: each batch holds
        about a ``4 * n_jobs``-th of the characters left (at least 10,000),
        large batches first and small ones last, so that no process idles
        long waiting for another's last batch.
    progress : bool, default=False
        Show a progress bar (tqdm) with documents per second, and with the
        total and the time left when the corpus has a length (list, tuple,
        array, Series).

    Notes
    -----
    Documents longer than spaCy's ``nlp.max_length`` are tokenized, not
    refused: that limit protects the memory of parsers and entity
    recognisers, which the blank pipeline does not run. A document that is
    already a list of tokens passes through (lower-cased or normalised when
    ``attr`` asks for it).

    The memory spaCy keeps between calls is bounded whatever the length of
    the stream, while the words of the first documents (in a Pipeline, the
    training corpus) stay known to spaCy: see the notes of
    :mod:`textfeat.tokenize`.

    Examples
    --------
    >>> tok = SpacyTokenizer(attr="lower")
    >>> tok.fit_transform(["Hello, world!", ["Already", "split"], ""])
    [['hello', ',', 'world', '!'], ['already', 'split'], []]
    >>> SpacyTokenizer(split_sentences=True).transform(["One. Two here."])
    [[['One', '.'], ['Two', 'here', '.']]]
    """

    _requires_fit = False

    _parameter_constraints: dict[str, list[Any]] = {
        "lang": [str],
        "attr": [StrOptions({"text", "lower", "norm"})],
        "keep_whitespace": ["boolean"],
        "keep_punct": ["boolean"],
        "split_sentences": ["boolean"],
        "n_jobs": _N_JOBS,
        "n_process": [*_N_JOBS, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "progress": ["boolean"],
    }

    def __init__(
        self,
        lang: str = "en",
        attr: Attr = "text",
        *,
        keep_whitespace: bool = False,
        keep_punct: bool = True,
        split_sentences: bool = False,
        n_jobs: int = 1,
        batch_size: int = 1000,
        progress: bool = False,
        n_process: int | None = None,
    ) -> None:
        self.lang = lang
        self.attr = attr
        self.keep_whitespace = keep_whitespace
        self.keep_punct = keep_punct
        self.split_sentences = split_sentences
        self.n_jobs = n_jobs
        self.batch_size = batch_size
        self.progress = progress
        self.n_process = n_process

    def __getattr__(self, name: str) -> Any:
        # Only reached when the attribute is missing: a tokenizer from a model
        # file written before 'n_jobs' replaced 'n_process' holds only
        # 'n_process', which _processes() then follows.
        if name == "n_jobs":
            return 1
        if name == "keep_punct":  # a tokenizer saved before it existed
            return True
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[str | Sequence[str]], y: Any = None) -> Self:
        """Check the parameters and the corpus; learns nothing.

        Parameters
        ----------
        X : iterable of str or of token lists
            The documents.
        y : ignored

        Returns
        -------
        self : SpacyTokenizer
        """
        check_documents(X, step=type(self).__name__, allow_empty=False)
        self._processes()  # a deprecated n_process warns in fit too
        _engine(self.lang)  # an unknown language fails here, naming 'lang'
        return self

    def transform(self, X: Iterable[str | Sequence[str]]) -> list[Any]:
        """Tokenize each document.

        Parameters
        ----------
        X : iterable of str or of token lists
            The documents; token lists pass through.

        Returns
        -------
        list
            One token list per document (one list of sentences per document
            if ``split_sentences``).
        """
        return list(self.iter_transform(X))

    def iter_transform(self, X: Iterable[str | Sequence[str]]) -> Iterator[Any]:
        """Tokenize lazily, one document at a time, in input order.

        Parameters
        ----------
        X : iterable of str or of token lists
            The documents (a generator is fine: it is read a batch at a time).

        Yields
        ------
        list
            Token list (or list of sentences) of each document.
        """
        validate_parameters(self)
        X = check_corpus(X, type(self).__name__)
        n_jobs = self._processes()
        total = _length(X)
        batches = None
        if n_jobs > 1 and total is not None:
            chars = _characters(X)
            if chars < PARALLEL_MIN_CHARS:
                n_jobs = 1
            else:  # shrinking batches: no process waits long for the last one
                batches = self._guided_batches(X, chars, n_jobs)
        if batches is None:
            batches = self._batches(X, self.batch_size)
        bar = tqdm(total=total, unit="doc", disable=not self.progress, desc="tokenize")
        try:
            if n_jobs == 1:
                for batch in batches:
                    yield from self._finish(batch, self._run(batch))
                    bar.update(len(batch))
            else:
                yield from self._parallel(batches, n_jobs, bar)
        finally:
            bar.close()

    def _warm_up(self) -> None:
        """Import spaCy and build this process's pipeline for ``lang`` now.

        The first ``transform`` would otherwise pay for it (about a second);
        :func:`textfeat.load_model` calls this so that the first prediction
        after loading costs what the next ones do. An unknown ``lang`` is
        left for ``transform`` to report.
        """
        try:
            _engine(self.lang)
        except ValueError:
            pass

    # -- internals ---------------------------------------------------------
    def _processes(self) -> int:
        """The process count: ``n_jobs``, or the deprecated ``n_process`` if set."""
        n_jobs, n_process = self.n_jobs, self.n_process
        if n_process is not None and "n_jobs" not in vars(self):
            # loaded from a model file written before n_jobs existed, where
            # n_process was the parameter: no warning, the user set nothing
            n_jobs, name = n_process, "n_process"
        elif n_process is not None:
            warnings.warn(
                "The 'n_process' parameter of SpacyTokenizer was renamed 'n_jobs' "
                "and will be removed in the next release; use "
                f"n_jobs={n_process!r}.",
                FutureWarning,
                stacklevel=3,
            )
            n_jobs, name = n_process, "n_process"
        else:
            name = "n_jobs"
        return effective_n_jobs(n_jobs, name)

    def _batches(self, X: Iterable[Any], batch_size: int) -> Iterator[list[Any]]:
        step = type(self).__name__
        batch: list[Any] = []
        offset = 0
        for doc in X:
            batch.append(doc)
            if len(batch) == batch_size:
                yield check_documents(batch, step=step, offset=offset)
                offset += len(batch)
                batch = []
        if batch:
            yield check_documents(batch, step=step, offset=offset)

    def _guided_batches(
        self, X: Iterable[Any], chars: int, n_jobs: int
    ) -> Iterator[list[Any]]:
        """Batches of a corpus of known size, each a share of what is left.

        A batch holds about ``1 / (_SHARES * n_jobs)`` of the characters not
        yet handed out (at least :data:`_MIN_BATCH_CHARS`, at most
        ``batch_size`` documents): large batches first, small ones at the
        end, so that when the last batch is done no process has been idle
        for long waiting for another's (guided self-scheduling).
        """
        step = type(self).__name__
        cap = self.batch_size
        left = chars
        target = max(_MIN_BATCH_CHARS, left // (_SHARES * n_jobs))
        batch: list[Any] = []
        size = 0
        offset = 0
        for doc in X:
            batch.append(doc)
            if isinstance(doc, str):
                size += len(doc)
            if size >= target or len(batch) == cap:
                yield check_documents(batch, step=step, offset=offset)
                offset += len(batch)
                left -= size
                target = max(_MIN_BATCH_CHARS, left // (_SHARES * n_jobs))
                batch, size = [], 0
        if batch:
            yield check_documents(batch, step=step, offset=offset)

    def _args(self, texts: list[str]) -> tuple[Any, ...]:
        return (
            texts,
            self.lang,
            self.attr,
            self.keep_whitespace,
            self.split_sentences,
            self.keep_punct,
        )

    def _run(self, batch: list[Any]) -> list[Any]:
        texts = [d for d in batch if isinstance(d, str)]
        return _tokenize_texts(*self._args(texts)) if texts else []

    def _finish(self, batch: list[Any], tokenized: list[Any]) -> Iterator[Any]:
        """Merge tokenized texts back with pass-through token lists, in order."""
        it = iter(tokenized)
        for doc in batch:
            if isinstance(doc, str):
                yield next(it)
            else:
                tokens = self._pass_through(doc)
                yield [tokens] if self.split_sentences else tokens

    def _pass_through(self, tokens: Sequence[str]) -> list[str]:
        if not self.keep_punct:
            tokens = [t for t in tokens if _WORD(t) is not None]
        if self.attr == "lower":
            return [t.lower() for t in tokens]
        if self.attr == "norm":
            return _engine(self.lang).norms(tokens)
        return list(tokens)

    def _parallel(
        self, batches: Iterator[list[Any]], n_jobs: int, bar: Any
    ) -> Iterator[Any]:
        """Tokenize with ``n_jobs - 1`` workers and this process, in order."""
        workers = n_jobs - 1
        settings = (
            self.lang,
            self.attr,
            self.keep_whitespace,
            self.split_sentences,
            self.keep_punct,
        )
        # Each worker has at most two batches queued; when they are all
        # busy this process tokenizes the next batch itself. A bounded
        # window keeps memory independent of the corpus size.
        window: deque[tuple[list[Any], Any]] = deque()
        queued = 0

        with ProcessPool(workers, _tokenize_batch, settings) as pool:

            def emit() -> Iterator[Any]:
                nonlocal queued
                batch, result = window.popleft()
                if not isinstance(result, list):
                    queued -= 1
                    result = _unpack(pool.result(result))
                yield from self._finish(batch, result)
                bar.update(len(batch))

            for batch in batches:
                while window and (
                    isinstance(window[0][1], list) or pool.ready(window[0][1])
                ):
                    yield from emit()
                if queued < 2 * workers:
                    texts = [d for d in batch if isinstance(d, str)]
                    window.append((batch, pool.submit(texts)))
                    queued += 1
                else:
                    window.append((batch, self._run(batch)))
                while len(window) > 4 * n_jobs:
                    yield from emit()
            while window:
                yield from emit()


def _length(X: Any) -> int | None:
    """Number of documents when ``X`` has a length (list, array, Series)."""
    if isinstance(X, Iterator):
        return None
    try:
        return len(X)
    except TypeError:
        return None


def _characters(X: Iterable[Any]) -> int:
    """Characters of the texts of a corpus with a length (a cheap pass)."""
    return sum(len(d) for d in X if isinstance(d, str))
