"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

#: Tokens: short strings from a small alphabet, so that repeats are common.
tokens = st.text(alphabet="abcdeXY1-", min_size=1, max_size=4)

#: A document: a list of tokens, possibly empty.
documents = st.lists(tokens, max_size=12)

#: A corpus with at least one non-empty document.
corpora = st.lists(documents, min_size=1, max_size=8).filter(lambda docs: any(docs))
