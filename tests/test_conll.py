"""CoNLL-U and CoNLL-2003 readers: hand-written files and the real UD-EWT."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import UD_EWT, require

from textfeat.conll import read_conll2003, read_conllu
from textfeat.corpus import CorpusError


def row(*cols: str) -> str:
    return "\t".join(cols)


def word(i: str, form: str, upos: str, xpos: str = "_") -> str:
    return row(i, form, form.lower(), upos, xpos, "_", "0", "dep", "_", "_")


def write(tmp_path: Path, lines: list[str], name: str = "t.conllu") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_conllu_columns_and_metadata(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "# sent_id = a-1",
            "# text = Go home",
            word("1", "Go", "VERB", "VB"),
            word("2", "home", "ADV", "RB"),
            "",
            word("1", "Yes", "INTJ", "UH"),
            "",
        ],
    )
    first, second = read_conllu(path)
    assert first.words == ["Go", "home"]
    assert first["upos"] == ["VERB", "ADV"]
    assert first["xpos"] == ["VB", "RB"]
    assert first["lemma"] == ["go", "home"]
    assert first.metadata == {"sent_id": "a-1", "text": "Go home"}
    assert (first.line, second.line) == (1, 6)
    assert second.words == ["Yes"]


def test_conllu_skips_multiword_tokens_and_empty_nodes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            row("1-2", "won't", *["_"] * 8),
            word("1", "wo", "AUX"),
            word("2", "n't", "PART"),
            word("2.1", "ghost", "X"),
            word("3", "go", "VERB"),
        ],
    )
    [sent] = read_conllu(path)
    assert sent.words == ["wo", "n't", "go"]
    assert sent["upos"] == ["AUX", "PART", "VERB"]


def test_conllu_wrong_column_count_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, ["# c", word("1", "a", "X"), "2\tb\tb\tX", ""])
    with pytest.raises(CorpusError, match=r"t\.conllu, line 3: expected 10") as err:
        read_conllu(path)
    assert err.value.line == 3


def test_conllu_out_of_order_id_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, [word("1", "a", "X"), word("3", "b", "X")])
    with pytest.raises(CorpusError, match="line 2: word id '3' where 2"):
        read_conllu(path)


@pytest.mark.corpus
def test_conllu_reads_ud_ewt_dev() -> None:
    path = require(UD_EWT / "en_ewt-ud-dev.conllu")
    sents = read_conllu(path)
    # Oracle: word lines are those whose id is a plain integer; sentences are
    # the lines with id 1.
    ids = [
        line.split("\t", 1)[0]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(sents) == ids.count("1")
    assert sum(map(len, sents)) == sum(i.isdigit() for i in ids)
    upos = {t for s in sents for t in s["upos"]}
    assert upos <= {
        "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
        "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
    }  # fmt: skip
    assert all(len(s["xpos"]) == len(s.words) for s in sents)


def test_conll2003_reader(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "-DOCSTART- -X- -X- O",
            "",
            "EU NNP B-NP B-ORG",
            "rejects VBZ B-VP O",
            "",
            "",
            "Peter NNP B-NP B-PER",
        ],
        "train.txt",
    )
    first, second = read_conll2003(path)
    assert first.words == ["EU", "rejects"]
    assert first["pos"] == ["NNP", "VBZ"]
    assert first["ner"] == ["B-ORG", "O"]
    assert second["chunk"] == ["B-NP"]


def test_conll2003_custom_columns_and_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, ["a\tDT", "b\tNN", "", "c\tNN\textra"], "t.tsv")
    with pytest.raises(CorpusError, match=r"line 4: expected 2 fields"):
        read_conll2003(path, columns=["pos"], separator="\t")
    good = write(tmp_path, ["a\tDT", "b\tNN"], "g.tsv")
    [sent] = read_conll2003(good, columns=["pos"], separator="\t")
    assert sent["pos"] == ["DT", "NN"]
    with pytest.raises(KeyError, match="ner"):
        sent["ner"]
