"""Tokenization with spaCy's blank pipeline: texts in, token lists out."""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
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
from textfeat._compat import Interval, StrOptions, fit_context, validate_parameters
from textfeat._validation import check_corpus, check_documents

__all__ = ["SpacyTokenizer"]

Attr = Literal["text", "lower", "norm"]


@lru_cache(maxsize=16)
def blank_pipeline(lang: str, sentences: bool = False) -> Any:
    """spaCy's blank pipeline for ``lang`` (no model download), cached per process.

    With ``sentences=True`` it carries spaCy's rule-based ``sentencizer``.

    Examples
    --------
    >>> [t.text for t in blank_pipeline("en").tokenizer("Don't panic.")]
    ['Do', "n't", 'panic', '.']
    """
    import spacy

    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError) as exc:  # spaCy raises ImportError (E048)
        raise ValueError(
            f"The 'lang' parameter of SpacyTokenizer must be a language code "
            f"spaCy knows (e.g. 'en', 'de', 'xx'). Got {lang!r} instead."
        ) from exc
    if sentences:
        nlp.add_pipe("sentencizer")
    return nlp


def _attr_ids(attr: str) -> tuple[int, int, int]:
    from spacy.attrs import IS_SPACE, LOWER, NORM, ORTH, SENT_START

    return {"text": ORTH, "lower": LOWER, "norm": NORM}[attr], IS_SPACE, SENT_START


def _memory_zone(nlp: Any) -> Any:
    """``nlp.memory_zone()`` where spaCy has it (>= 3.8), else a no-op."""
    return nlp.memory_zone() if hasattr(nlp, "memory_zone") else nullcontext()


def _tokenize_texts(
    texts: Sequence[str],
    lang: str,
    attr: str,
    keep_whitespace: bool,
    split_sentences: bool,
) -> list[Any]:
    """Tokenize ``texts``; module level so worker processes can run it."""
    nlp = blank_pipeline(lang, split_sentences)
    # spaCy keeps every string it has seen (vocabulary, string store,
    # tokenizer cache); over a long stream of text that grows without bound.
    # A memory zone (spaCy >= 3.8) frees what this call added: the tokens
    # leave it as Python strings.
    with _memory_zone(nlp):
        return _tokenize_docs(nlp, texts, attr, keep_whitespace, split_sentences)


def _tokenize_docs(
    nlp: Any,
    texts: Sequence[str],
    attr: str,
    keep_whitespace: bool,
    split_sentences: bool,
) -> list[Any]:
    strings = nlp.vocab.strings
    attr_id, space_id, sent_id = _attr_ids(attr)
    sentencizer = nlp.get_pipe("sentencizer") if split_sentences else None
    cache: dict[int, str] = {}
    out: list[Any] = []
    # Calling the tokenizer directly (not nlp()) means no max_length refusal:
    # the blank pipeline's cost is linear in the length of the text.
    for doc in nlp.tokenizer.pipe(texts, batch_size=256):
        if sentencizer is not None:
            doc = sentencizer(doc)
        cols = doc.to_array([attr_id, space_id, sent_id])
        hashes = cols[:, 0].tolist()
        tokens = list(map(cache.get, hashes))
        if None in tokens:
            for k, tok in enumerate(tokens):
                if tok is None:
                    tok = cache[hashes[k]] = strings[hashes[k]]
                    tokens[k] = tok
        keep = None if keep_whitespace else cols[:, 1] == 0
        if sentencizer is None:
            if keep is not None and not keep.all():
                tokens = [t for t, k in zip(tokens, keep.tolist(), strict=True) if k]
            out.append(tokens)
            continue
        starts = np.flatnonzero(cols[:, 2].astype(np.int64) == 1).tolist()
        bounds = (
            [*starts, len(tokens)] if starts[:1] == [0] else [0, *starts, len(tokens)]
        )
        keep_list = None if keep is None else keep.tolist()
        sents = []
        for a, b in itertools.pairwise(bounds):
            sent = (
                tokens[a:b]
                if keep_list is None
                else [t for t, k in zip(tokens[a:b], keep_list[a:b], strict=True) if k]
            )
            if sent:
                sents.append(sent)
        out.append(sents)
    return out


def _tokenize_batch(args: tuple[Any, ...]) -> list[Any]:
    return _tokenize_texts(*args)


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
    split_sentences : bool, default=False
        If True, each document becomes a list of sentences, each a list of
        tokens (spaCy's rule-based ``sentencizer``), for token-level work.
    n_process : int, default=1
        Worker processes; ``-1`` uses every core. Workers return token
        strings rather than spaCy ``Doc`` objects, which keeps the parent's
        share of the work small.
    batch_size : int, default=1000
        Documents sent to a worker at a time.
    progress : bool, default=False
        Show a progress bar (tqdm) with documents per second.

    Notes
    -----
    Documents longer than spaCy's ``nlp.max_length`` are tokenized, not
    refused: that limit protects the memory of parsers and entity
    recognisers, which the blank pipeline does not run. A document that is
    already a list of tokens passes through (lower-cased or normalised when
    ``attr`` asks for it).

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
        "split_sentences": ["boolean"],
        "n_process": [Interval(Integral, -1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "progress": ["boolean"],
    }

    def __init__(
        self,
        lang: str = "en",
        attr: Attr = "text",
        *,
        keep_whitespace: bool = False,
        split_sentences: bool = False,
        n_process: int = 1,
        batch_size: int = 1000,
        progress: bool = False,
    ) -> None:
        self.lang = lang
        self.attr = attr
        self.keep_whitespace = keep_whitespace
        self.split_sentences = split_sentences
        self.n_process = n_process
        self.batch_size = batch_size
        self.progress = progress

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
        blank_pipeline(self.lang, self.split_sentences)
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
        check_corpus(X, type(self).__name__)
        if self.n_process == -1:
            n_process = os.cpu_count() or 1
        else:
            n_process = max(1, self.n_process)
        total = len(X) if isinstance(X, Sequence) else None
        bar = tqdm(total=total, unit="doc", disable=not self.progress, desc="tokenize")
        batches = self._batches(X)
        try:
            if n_process == 1:
                for batch in batches:
                    yield from self._finish(batch, self._run(batch))
                    bar.update(len(batch))
            else:
                yield from self._parallel(batches, n_process, bar)
        finally:
            bar.close()

    # -- internals ---------------------------------------------------------
    def _batches(self, X: Iterable[Any]) -> Iterator[list[Any]]:
        step = type(self).__name__
        batch: list[Any] = []
        offset = 0
        for doc in X:
            batch.append(doc)
            if len(batch) == self.batch_size:
                yield check_documents(batch, step=step, offset=offset)
                offset += len(batch)
                batch = []
        if batch:
            yield check_documents(batch, step=step, offset=offset)

    def _args(self, texts: list[str]) -> tuple[Any, ...]:
        return (
            texts,
            self.lang,
            self.attr,
            self.keep_whitespace,
            self.split_sentences,
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
        if self.attr == "lower":
            return [t.lower() for t in tokens]
        if self.attr == "norm":
            nlp = blank_pipeline(self.lang)
            with _memory_zone(nlp):
                return [nlp.vocab[t].norm_ for t in tokens]
        return list(tokens)

    def _parallel(
        self, batches: Iterator[list[Any]], n_process: int, bar: Any
    ) -> Iterator[Any]:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        # A bounded window of batches in flight keeps memory independent of
        # the corpus size (Pool.imap would read the whole input ahead).
        window: deque[tuple[list[Any], Any]] = deque()
        with ctx.Pool(n_process) as pool:
            for batch in batches:
                texts = [d for d in batch if isinstance(d, str)]
                job = pool.apply_async(_tokenize_batch, (self._args(texts),))
                window.append((batch, job))
                if len(window) >= 2 * n_process:
                    done, job = window.popleft()
                    yield from self._finish(done, job.get())
                    bar.update(len(done))
            while window:
                done, job = window.popleft()
                yield from self._finish(done, job.get())
                bar.update(len(done))
