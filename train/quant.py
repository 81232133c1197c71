#!/usr/bin/env python3
"""Row-wise quantisation of the trainer's weights for the model file (numpy only).

The trainer exports each quantised matrix as NAME.q.npy (int8, values -127..127)
or NAME.q4.npy (int8 holding 4-bit values -7..7: an embedding table exported with
`train.py --table-bits 4`), with NAME.scale.npy (one float32 scale per row). The
packer (`pack` in xtask/src/ner_tasks.rs) picks the section kind by the file name:
`.q4.npy` becomes a 4-bit section (two values per byte, f16 scales, see
`Section::I4Rows` in src/model/container.rs). A 4-bit table's scales are rounded
to f16 here, so the reference logits are computed with the very numbers the model
file stores.

`python3 quant.py --self-test` checks these functions on small random arrays.
"""
import os
import sys

import numpy as np


def quantize(table, bits=8):
    """(q, scale) with table ~= q * scale[:, None]: symmetric per row, the row's
    largest magnitude mapped to the largest code (127, or 7 for bits=4).
    For 4 bits the scales are float16 numbers (stored as float32)."""
    assert bits in (4, 8), bits
    top = 127 if bits == 8 else 7
    table = np.asarray(table, np.float32)
    scale = np.abs(table).max(axis=1) / np.float32(top)
    if bits == 4:
        # Only what f16 holds: a row too small for it (or all zeros) gets 1.
        scale = np.minimum(scale, np.float32(65504.0)).astype(np.float16).astype(np.float32)
    scale = np.where(scale > 0, scale, np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(table / scale[:, None]), -top, top).astype(np.int8)
    return q, scale


def dequantize(q, scale):
    return q.astype(np.float32) * scale[:, None]


def export_quantized(out, name, table, bits=8):
    """Saves `table` quantised to `bits` as the packer reads it; returns the
    dequantised table (what the reference logits must be computed with)."""
    q, scale = quantize(table, bits)
    for suffix in (".q.npy", ".q4.npy"):
        # A file of the other width left from an earlier export would confuse the packer.
        stale = os.path.join(out, name + suffix)
        if os.path.exists(stale):
            os.remove(stale)
    np.save(os.path.join(out, name + (".q4.npy" if bits == 4 else ".q.npy")), q)
    np.save(os.path.join(out, name + ".scale.npy"), scale)
    return dequantize(q, scale)


def self_test():
    import tempfile

    rng = np.random.default_rng(0)
    for rows, cols in [(1, 1), (7, 3), (50, 50), (300, 64)]:
        t = (rng.standard_normal((rows, cols)) * rng.uniform(1e-3, 3, (rows, 1))).astype(np.float32)
        t[0] = 0.0  # an all-zero row
        for bits, top in [(8, 127), (4, 7)]:
            q, scale = quantize(t, bits)
            assert q.dtype == np.int8 and q.shape == t.shape
            assert scale.dtype == np.float32 and scale.shape == (rows,)
            assert np.abs(q).max() <= top
            assert scale[0] == 1.0 and not q[0].any()
            # Every error within half a step (plus what rounding the scale to f16 moves).
            err = np.abs(dequantize(q, scale) - t).max(axis=1)
            assert (err <= scale * 0.5 * (1 + 1e-2) + 1e-7).all(), (bits, err / scale)
            if bits == 4:
                assert (scale.astype(np.float16).astype(np.float32) == scale).all()
                # The largest value of a row (not zero) lands on +-7 or near it.
                assert (np.abs(q[1:]).max(axis=1) >= 6).all()
    # Tiny and huge rows stay within f16's range.
    q, scale = quantize(np.array([[1e-9, -2e-9], [1e6, 5.0]], np.float32), 4)
    assert np.isfinite(scale.astype(np.float16)).all() and (scale > 0).all()
    assert q[1, 0] == 7
    # Files: the width's name, the other width's stale file removed.
    with tempfile.TemporaryDirectory() as out:
        t = rng.standard_normal((5, 4)).astype(np.float32)
        deq8 = export_quantized(out, "emb.norm", t, 8)
        assert os.path.exists(os.path.join(out, "emb.norm.q.npy"))
        deq4 = export_quantized(out, "emb.norm", t, 4)
        assert sorted(os.listdir(out)) == ["emb.norm.q4.npy", "emb.norm.scale.npy"]
        q4 = np.load(os.path.join(out, "emb.norm.q4.npy"))
        s4 = np.load(os.path.join(out, "emb.norm.scale.npy"))
        assert q4.dtype == np.int8 and s4.dtype == np.float32
        assert (dequantize(q4, s4) == deq4).all()
        assert np.abs(deq4 - t).max() > np.abs(deq8 - t).max()
    print("quant.py self-test passed")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        sys.exit(__doc__)
