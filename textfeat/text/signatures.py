"""Word signatures: rare and unseen words replaced by their word class.

Two schemes are built in:

``"goldberg"``
    After Goldberg, ch. 8 (unknown words and word signatures): one class per
    word, tried in this order, first match wins:

    ==============  ==============================================
    class           rule
    ==============  ==============================================
    ``*NUM*``       a number: ``42``, ``-3.5``, ``1,000``, ``12:30``,
                    ``1990s``, ``2nd``, ``50%``
    ``*EMAIL*``     ``name@host.tld``
    ``*URL*``       starts with ``http://``, ``https://`` or ``www.``
    ``*HASDIGIT*``  any other word with a digit (``B52``, ``mp3``)
    ``*PUNCT*``     no letter and no digit (``--``, ``?!``)
    ``*ALLCAPS*``   two or more letters, all upper case (``NASA``)
    ``*CAP*``       starts with an upper-case letter (``Gorbachev``)
    ``*HYPHEN*``    contains ``-`` (``state-owned``)
    ``*__ING*`` ..  a common suffix, with at least two letters before it:
                    ``-ing -ion -ment -ness -able -ible -ity -ous -ive
                    -ful -less -ism -ist -ize -ise -est -ed -er -ly -al
                    -ic`` and a plural ``-s`` (not ``-ss``, ``-us``,
                    ``-is``)
    ``*UN__*``      the prefix ``un-``
    ``*UNK*``       anything else (the shared unknown symbol)
    ==============  ==============================================

``"berkeley"``
    The unknown-word signature of the Berkeley parser (Petrov et al. 2006),
    itself the Stanford parser's English level-5 signature: ``UNK`` followed
    by a capitalisation class (``-INITC`` for a sentence-initial word with
    one capital, with ``-KNOWNLC`` if its lower-case form is known; ``-CAPS``
    for other capitalised words; ``-LC`` for lower case), ``-NUM`` if it has a
    digit, ``-DASH`` if it has a hyphen, and a suffix class: ``-s`` (not
    after ``s``, ``i``, ``u``), or for words of five letters or more without
    a dash: ``-ed -ing -ion -er -est -ly -ity -y -al``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from numbers import Integral
from typing import Any, Self

from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from textfeat._base import TextTransformerMixin
from textfeat._cache import derived
from textfeat._compat import Interval, StrOptions, fit_context
from textfeat._validation import check_token_lists
from textfeat.text.vocab import (
    SPECIALS,
    UNK,
    check_merge_partner,
    check_stream_params,
    count_tokens,
)

__all__ = ["WordSignatures", "berkeley_signature", "goldberg_signature"]

_NUMBER = re.compile(
    r"[+\-]?(?:\d+(?:[.,:/\-]\d+)*|[.,]\d+)(?:%|s|st|nd|rd|th|'s)?", re.IGNORECASE
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SUFFIXES = (
    ("ing", "*__ING*"),
    ("tion", "*__ION*"),
    ("sion", "*__ION*"),
    ("ment", "*__MENT*"),
    ("ness", "*__NESS*"),
    ("able", "*__ABLE*"),
    ("ible", "*__ABLE*"),
    ("ity", "*__ITY*"),
    ("ous", "*__OUS*"),
    ("ive", "*__IVE*"),
    ("ful", "*__FUL*"),
    ("less", "*__LESS*"),
    ("ism", "*__ISM*"),
    ("ist", "*__IST*"),
    ("ize", "*__IZE*"),
    ("ise", "*__IZE*"),
    ("est", "*__EST*"),
    ("ed", "*__ED*"),
    ("er", "*__ER*"),
    ("ly", "*__LY*"),
    ("al", "*__AL*"),
    ("ic", "*__IC*"),
)


#: Signatures of the built-in schemes already computed in this process (they
#: depend on the word only); emptied when it reaches this many words.
_MEMO_SIZE = 200_000
_GOLDBERG_MEMO: dict[str, str] = {}


def _goldberg_table(words: set[str]) -> dict[str, str]:
    """``goldberg_signature`` of each word, each computed once per process."""
    memo = _GOLDBERG_MEMO
    missing = [w for w in words if w not in memo]
    if len(memo) + len(missing) > _MEMO_SIZE:
        memo.clear()
        missing = list(words)
    for w in missing:
        memo[w] = goldberg_signature(w)
    get = memo.__getitem__
    return dict(zip(words, map(get, words), strict=True))


def goldberg_signature(word: str) -> str:
    """Word class of ``word`` in the ``"goldberg"`` scheme (see module docs).

    Parameters
    ----------
    word : str
        The word, as it appears.

    Returns
    -------
    str
        Its signature, such as ``*__ING*`` or ``*NUM*``.

    Examples
    --------
    >>> [goldberg_signature(w) for w in ["flirting", "1,024", "Zork", "--"]]
    ['*__ING*', '*NUM*', '*CAP*', '*PUNCT*']
    """
    if _NUMBER.fullmatch(word):
        return "*NUM*"
    if _EMAIL.fullmatch(word):
        return "*EMAIL*"
    if _URL.fullmatch(word):
        return "*URL*"
    if any(ch.isdigit() for ch in word):
        return "*HASDIGIT*"
    if not any(ch.isalpha() for ch in word):
        return "*PUNCT*"
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return "*ALLCAPS*"
    if word[0].isupper():
        return "*CAP*"
    if "-" in word:
        return "*HYPHEN*"
    lower = word.lower()
    for suffix, signature in _SUFFIXES:
        if lower.endswith(suffix) and len(lower) >= len(suffix) + 2:
            return signature
    if (
        lower.endswith("s")
        and len(lower) >= 3
        and lower[-2] not in "siu"
        and lower[-2].isalpha()
    ):
        return "*__S*"
    if lower.startswith("un") and len(lower) >= 5:
        return "*UN__*"
    return UNK


def berkeley_signature(
    word: str, *, sentence_initial: bool = False, known_lower: bool = False
) -> str:
    """The Berkeley/Stanford parser's unknown-word signature of ``word``.

    Parameters
    ----------
    word : str
        The word, as it appears.
    sentence_initial : bool, default=False
        Whether the word is the first of its sentence (token list).
    known_lower : bool, default=False
        Whether the lower-cased word is a known word.

    Returns
    -------
    str
        For example ``UNK-LC-ing`` or ``UNK-INITC-KNOWNLC``.

    Examples
    --------
    >>> berkeley_signature("flirting")
    'UNK-LC-ing'
    >>> berkeley_signature("Reagan-era")
    'UNK-CAPS-DASH'
    >>> berkeley_signature("Houses", sentence_initial=True, known_lower=True)
    'UNK-INITC-KNOWNLC-s'
    """
    if not word:
        return "UNK"
    parts = ["UNK"]
    caps = sum(1 for ch in word if ch.isalpha() and (ch.isupper() or ch.istitle()))
    has_lower = any(ch.islower() or ch.istitle() for ch in word if ch.isalpha())
    has_digit = any(ch.isdigit() for ch in word)
    has_dash = "-" in word
    first = word[0]
    if first.isupper() or first.istitle():
        if sentence_initial and caps == 1:
            parts.append("-INITC")
            if known_lower:
                parts.append("-KNOWNLC")
        else:
            parts.append("-CAPS")
    elif not first.isalpha() and caps > 0:
        parts.append("-CAPS")
    elif has_lower:
        parts.append("-LC")
    if has_digit:
        parts.append("-NUM")
    if has_dash:
        parts.append("-DASH")
    lower = word.lower()
    if lower.endswith("s") and len(word) >= 3:
        if lower[-2] not in "siu":
            parts.append("-s")
    elif len(word) >= 5 and not has_dash and not (has_digit and caps > 0):
        for suffix in ("ed", "ing", "ion", "er", "est", "ly", "ity", "y", "al"):
            if lower.endswith(suffix):
                parts.append("-" + suffix)
                break
    return "".join(parts)


class WordSignatures(TextTransformerMixin, BaseEstimator):
    """Replace rare and unseen words by their signature (word class).

    Words seen at least ``min_count`` times in ``fit`` keep their identity;
    the others, and words never seen, become a signature such as
    ``*__ING*`` or ``*NUM*``, so that a vectorizer downstream shares one
    column among all rare words of a class instead of one ``*UNK*`` column.
    Special symbols (``*UNK*``, ``*PAD*``...) pass through unchanged.

    Parameters
    ----------
    min_count : int, default=2
        Words seen fewer times than this in ``fit`` are replaced.
    scheme : {"goldberg", "berkeley"} or callable, default="goldberg"
        The signature scheme (see the module documentation), or a function
        ``word -> signature`` for a custom one.

    Streaming: :meth:`partial_fit` adds one chunk's counts and
    :meth:`merge` returns a new signer from the summed counts of two fitted
    on independent chunks; either way the result equals ``fit`` on all the
    documents, whatever the chunking or merge order.

    Attributes
    ----------
    counts_ : collections.Counter
        Word counts seen in ``fit``.
    known_words_ : frozenset of str
        Words kept as they are.

    Examples
    --------
    >>> sig = WordSignatures(min_count=2)
    >>> train = [["the", "dog", "is", "barking"], ["the", "dog", "is", "fed"]]
    >>> sig.fit_transform(train)
    [['the', 'dog', 'is', '*__ING*'], ['the', 'dog', 'is', '*UNK*']]
    >>> sig.transform([["the", "Zork", "ate", "42", "pies"]])
    [['the', '*CAP*', '*UNK*', '*NUM*', '*__S*']]
    >>> WordSignatures(scheme="berkeley").fit(train).transform([["Jumping"]])
    [['UNK-INITC-ing']]
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "scheme": [StrOptions({"goldberg", "berkeley"}), callable],
    }

    def __init__(
        self,
        min_count: int = 2,
        scheme: str | Callable[[str], str] = "goldberg",
    ) -> None:
        self.min_count = min_count
        self.scheme = scheme

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Count the words of ``X``; those seen ``min_count`` times are kept.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents (or sentences).
        y : ignored

        Returns
        -------
        self : WordSignatures
        """
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        vars(self).pop("_stream_params", None)
        return self._set_counts(count_tokens(docs), "fit")

    def partial_fit(self, X: Iterable[Sequence[str]], y: Any = None) -> Self:
        """Add the word counts of one chunk ``X``; the kept words follow them.

        The first call starts from no counts (a signer fitted by ``fit``, or
        loaded from a model file, continues from its ``counts_``). After any
        call the state is that of ``fit`` on all the chunks so far.

        Parameters
        ----------
        X : iterable of sequences of str
            One chunk of tokenized documents.
        y : ignored

        Returns
        -------
        self : WordSignatures

        Raises
        ------
        ValueError
            If ``min_count`` changed since the counting started.
        """
        self._validate_params()
        docs = check_token_lists(X, step=type(self).__name__, allow_empty=False)
        counts = Counter(vars(self).get("counts_", ()))
        counts.update(count_tokens(docs))
        return self._set_counts(counts, "partial_fit")

    def merge(self, other: WordSignatures) -> WordSignatures:
        """A new signer fitted on the summed counts of ``self`` and ``other``.

        Associative and commutative: merging signers fitted on any split of
        a corpus, in any order, gives the state of ``fit`` on all of it.

        Parameters
        ----------
        other : WordSignatures
            A fitted signer with the same ``min_count`` and ``scheme``.

        Returns
        -------
        WordSignatures
            A new fitted signer; ``self`` and ``other`` are unchanged.

        Examples
        --------
        >>> a = WordSignatures().fit([["the", "dog"]])
        >>> b = WordSignatures().fit([["the", "cat"]])
        >>> sorted(a.merge(b).known_words_)
        ['the']
        """
        check_is_fitted(self)
        check_is_fitted(other)
        check_merge_partner(self, other, ("min_count", "scheme"))
        return clone(self)._set_counts(self.counts_ + other.counts_, "merge")

    def _set_counts(self, counts: Counter[str], method: str) -> Self:
        check_stream_params(self, ("min_count",), method)
        self.counts_ = counts
        self.known_words_ = frozenset(
            w for w, c in counts.items() if c >= self.min_count
        )
        return self

    def transform(self, X: Iterable[Sequence[str]]) -> list[list[str]]:
        """Replace words not kept in ``fit`` by their signatures.

        Parameters
        ----------
        X : iterable of sequences of str
            Tokenized documents (or sentences: for the ``"berkeley"`` scheme,
            the first token of each list counts as sentence-initial).

        Returns
        -------
        list of lists of str
        """
        check_is_fitted(self)
        docs = check_token_lists(X, step=type(self).__name__)
        # The kept words and the specials, built once per fit, not per call.
        known = derived(
            self,
            "known",
            (self.known_words_,),
            lambda: self.known_words_ | frozenset(SPECIALS),
        )
        unseen: set[str] = set()
        for doc in docs:
            unseen.update(doc)
        unseen -= known
        if self.scheme == "berkeley":
            return self._berkeley(docs, unseen, known)
        if self.scheme == "goldberg":
            table = _goldberg_table(unseen)
        else:
            table = {w: self.scheme(w) for w in unseen}
        for w, s in table.items():
            if not isinstance(s, str):
                raise TypeError(
                    f"The signature scheme returned {type(s).__name__} ({s!r}) for "
                    f"the word {w!r}; it must return a string."
                )
        get = table.get
        # map(get, doc, doc): a word missing from the table is a known word.
        return [list(map(get, doc, doc)) for doc in docs]

    def _berkeley(
        self, docs: list[Sequence[str]], unseen: set[str], known: frozenset[str]
    ) -> list[list[str]]:
        def sig(word: str, initial: bool) -> str:
            return berkeley_signature(
                word, sentence_initial=initial, known_lower=word.lower() in known
            )

        table = {w: sig(w, False) for w in unseen}
        get = table.get
        out = []
        for doc in docs:
            row = list(map(get, doc, doc))
            if row and doc[0] in table:
                row[0] = sig(doc[0], True)
            out.append(row)
        return out
