#!/usr/bin/env python3
"""Trains the newsmark NER network (see src/ner/network.rs) with JAX.

Reads what `cargo xtask train` wrote into --work, or --features if given
(features computed by the Rust extractor: {train,dev}.{ids,tags,doc}.npy and
meta.json); never computes features itself. With --teachers it also learns
from the averaged tag marginals of earlier CRF runs (distillation). Writes
checkpoints to WORK/ckpt (resumable with --resume) and the best epoch's weights
(embeddings quantized per row to int8, or to 4 bits with --table-bits 4: see
quant.py) plus reference logits to WORK/export, for the Rust packer. A run
resumed after its last epoch only exports, so a checkpoint can be re-exported
with another --table-bits.
"""
import argparse, json, os, pickle, struct, sys, time

import numpy as np
import jax
import jax.numpy as jnp
import optax

import quant

WORD_DROPOUT_TABLES = "norm,cased,vector"  # --word-dropout-tables' default
TABLE_DIMS = {"norm": 64, "prefix": 16, "suffix": 24, "shape": 16, "cased": 32, "wordpiece": 64, "vector": 50}


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--features", help="directory of the feature files and meta.json (default: --work)")
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch", type=int, default=64, help="chunks per batch")
    p.add_argument("--chunk", type=int, default=128, help="tokens per chunk")
    p.add_argument("--dropout", type=float, default=0.25)
    p.add_argument("--max-epochs", type=int, default=8, help="epochs; the learning rate decays to 5%% over them")
    p.add_argument("--patience", type=int, default=8)
    p.add_argument("--no-minilm", action="store_true", help="random init of the word-piece table")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dilations", default="", help="one dilation per layer, e.g. 1,2,4,1 (default: all 1)")
    p.add_argument("--ema", type=float, default=0.0, help="decay of an exponential moving average of the weights, used for dev and export (0: off)")
    p.add_argument("--int8-dense", action="store_true", help="store dense weights int8 with one scale per row")
    p.add_argument("--table-bits", type=int, choices=(4, 8), default=8,
                   help="export the embedding tables in int8 or in 4 bits (values -7..7, f16 row scales); "
                        "export only: a finished checkpoint can be re-exported with another width")
    p.add_argument("--keep-vectors", type=int, default=0,
                   help="export only the rows of the N most frequent words of the `vector` table (the word list "
                        "is in GloVe's frequency order); the other words read as not in the list (0: keep all)")
    p.add_argument("--table-dims", default="", help="embedding widths other than TABLE_DIMS', e.g. wordpiece=32")
    p.add_argument("--word-dropout", type=float, default=0.0,
                   help="chance that a token's whole-word tables (--word-dropout-tables) read as zeros in training, "
                        "so the network also learns to tag words it has not seen")
    p.add_argument("--word-dropout-tables", default=WORD_DROPOUT_TABLES,
                   help="the tables --word-dropout zeros together (default: norm,cased,vector; add `wordpiece` so that a word's pieces, "
                        "which for a common word are the word itself, drop with it)")
    p.add_argument("--crf", action="store_true", help="train a linear-chain CRF over the BILOU tags (learned transition scores) instead of per-token softmax")
    p.add_argument("--pool", action="store_true",
                   help="a document layer after the convolutions: each token also reads the mean of the "
                        "hidden states of the other tokens of its document with the same normalised word")
    p.add_argument("--export-only", action="store_true", help="export the checkpoint's best epoch, no training")
    p.add_argument("--teachers", default="",
                   help="comma-separated checkpoints (ckpt.pkl of CRF runs on the same features) whose averaged "
                        "tag marginals the model also learns from (distillation)")
    p.add_argument("--teacher-view", default="",
                   help="with --teachers: the split (same tokens and tags as train) the teachers read in "
                        "place of the training text, e.g. each case-changed copy's original")
    p.add_argument("--transformer", default="",
                   help="directory of the transformer teacher's tag marginals (train/teacher.py label): train.npy "
                        "for the training stream (or what --teacher-view names) and unlabelled.npy; mixed with the "
                        "CNN teachers' average by --transformer-weight, or used alone without --teachers")
    p.add_argument("--transformer-weight", type=float, default=0.5,
                   help="with --transformer and --teachers: the transformer's share of the teachers' marginals")
    p.add_argument("--distill", type=float, default=0.5,
                   help="with --teachers: weight of the teachers' tag marginals against the gold tags")
    p.add_argument("--distill-temperature", type=float, default=1.0,
                   help="with --teachers: their scores and transitions are divided by this before their "
                        "marginals are taken (above 1: softer targets)")
    args = p.parse_args()
    for item in filter(None, args.table_dims.split(",")):
        name, dim = item.split("=")
        assert name in TABLE_DIMS, f"no table `{name}`"
        TABLE_DIMS[name] = int(dim)
    return args


def load_split(work, split):
    ids = np.load(os.path.join(work, f"{split}.ids.npy"))
    tags = np.load(os.path.join(work, f"{split}.tags.npy")).astype(np.int32)
    doc = np.load(os.path.join(work, f"{split}.doc.npy")).astype(np.int64)
    return ids.astype(np.int32), tags, doc


def read_safetensor(path, name):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        key = next(k for k in header if k.endswith(name))
        info = header[key]
        assert info["dtype"] == "F32", info
        start, end = info["data_offsets"]
        f.seek(8 + n + start)
        return np.frombuffer(f.read(end - start), dtype="<f4").reshape(info["shape"])


def minilm_init(path, rows, dim):
    """MiniLM's word-piece table reduced to `dim` by PCA, one zero pad row."""
    table = read_safetensor(path, "word_embeddings.weight").astype(np.float64)
    centered = table - table.mean(axis=0)
    cov = centered.T @ centered / len(centered)
    vals, vecs = np.linalg.eigh(cov)
    top = vecs[:, np.argsort(vals)[::-1][:dim]]
    reduced = centered @ top
    reduced = reduced / reduced.std() * 0.1
    out = np.zeros((rows, dim), np.float32)
    out[: len(reduced)] = reduced
    return out


def glove_init(rows, dim):
    """Row 0 (words outside the vocabulary) zero, row i + 1 GloVe's vector of word i,
    scaled to the spread of the other tables."""
    import vectors

    v = vectors.vectors(rows - 1)
    assert v.shape[1] == dim, "the vector table's width must be GloVe's"
    out = np.zeros((rows, dim), np.float32)
    out[1:] = v / v.std() * 0.1
    return out


def init_params(meta, args, key):
    tables = meta["tables"]
    rows = meta["table_rows"]
    params = {}
    keys = jax.random.split(key, 16)
    in_dim = 0
    for i, (t, r) in enumerate(zip(tables, rows)):
        if r == 0:
            continue
        d = TABLE_DIMS[t]
        if t == "wordpiece" and not args.no_minilm:
            params[f"emb.{t}"] = jnp.asarray(minilm_init(meta["minilm"], r, d))
        elif t == "vector":
            params[f"emb.{t}"] = jnp.asarray(glove_init(r, d))
        else:
            params[f"emb.{t}"] = jax.random.normal(keys[i], (r, d)) * 0.1
        in_dim += d
    w = args.width

    def dense(k, i, o):
        return jax.random.normal(k, (i, o)) * np.sqrt(2.0 / i), jnp.zeros((o,))

    params["in.w"], params["in.b"] = dense(keys[8], in_dim, w)
    lk = jax.random.split(keys[9], args.depth)
    for l in range(args.depth):
        cw, cb = dense(lk[l], 3 * w, w)
        params[f"conv{l}.w"], params[f"conv{l}.b"] = cw * 0.5, cb
        params[f"ln{l}.g"] = jnp.ones((w,))
        params[f"ln{l}.b"] = jnp.zeros((w,))
    if args.pool:
        pw, pb = dense(keys[11], 2 * w, w)
        params["pool.w"], params["pool.b"] = pw * 0.5, pb
        params["lnp.g"] = jnp.ones((w,))
        params["lnp.b"] = jnp.zeros((w,))
    params["out.w"] = jax.random.normal(keys[10], (w, meta["n_tags"])) * np.sqrt(1.0 / w)
    params["out.b"] = jnp.zeros((meta["n_tags"],))
    if args.crf:
        params["crf.trans"] = jnp.zeros((meta["n_tags"], meta["n_tags"]))
    return params


def dilations_of(args):
    if not args.dilations:
        return [1] * args.depth
    d = [int(x) for x in args.dilations.split(",")]
    assert len(d) == args.depth and all(1 <= x <= 64 for x in d), "--dilations needs one value 1..64 per layer"
    return d


def shifted(x, k, fill):
    """x[:, t - k] along axis 1 (k may be negative), `fill` past the ends."""
    if k == 0:
        return x
    pad = [(0, 0)] * x.ndim
    if k > 0:
        pad[1] = (k, 0)
        return jnp.pad(x, pad, constant_values=fill)[:, :-k]
    pad[1] = (0, -k)
    return jnp.pad(x, pad, constant_values=fill)[:, -k:]


def layer_norm(h, g, b):
    mean = h.mean(-1, keepdims=True)
    var = ((h - mean) ** 2).mean(-1, keepdims=True)
    return (h - mean) / jnp.sqrt(var + 1e-5) * g + b


def dropout(key, x, rate):
    """(the next key, x with dropout at `rate`); without a key (not training), (None, x)."""
    if key is None:
        return None, x
    key, k = jax.random.split(key)
    return key, x * jax.random.bernoulli(k, 1 - rate, x.shape) / (1 - rate)


def same_word_mean(h, ids, doc):
    """For each position, the mean of h over the OTHER positions of the same
    document (within the chunk) whose normalised word is the same (both `norm`
    hashes, slots 0 and 1, equal); zeros where there is none."""
    def equal(a):
        return a[:, :, None] == a[:, None, :]
    same = equal(ids[:, :, 0]) & equal(ids[:, :, 1]) & equal(doc) & (doc[:, :, None] >= 0)
    same = same & ~jnp.eye(doc.shape[1], dtype=bool)[None]
    same = same.astype(h.dtype)
    count = same.sum(-1, keepdims=True)
    return (same @ h) / jnp.maximum(count, 1.0)


def make_forward(meta, dilations, pool=False):
    tables = [t for t, r in zip(meta["tables"], meta["table_rows"]) if r > 0]
    slot_tables = meta["slot_tables"]
    slots_of = {t: [s for s, ti in enumerate(slot_tables) if meta["tables"][ti] == t] for t in tables}
    # The document layer's word key: the two `norm` hashes in slots 0 and 1.
    assert not pool or (slot_tables[:2] == [0, 0] and meta["tables"][0] == "norm")

    def forward(params, ids, doc, dropout_key=None, rate=0.0, word_rate=0.0, word_tables=tuple(WORD_DROPOUT_TABLES.split(","))):
        # ids: [B, T, S]; doc: [B, T] document number of each position (-1: padding).
        # A window reads zeros where its neighbour is in another document or past the chunk.
        parts = []
        keep_word = None
        if dropout_key is not None and word_rate > 0:
            dropout_key, k = jax.random.split(dropout_key)
            keep_word = jax.random.bernoulli(k, 1 - word_rate, ids.shape[:2] + (1,))
        for t in tables:
            emb = params[f"emb.{t}"]
            part = sum(emb[ids[:, :, s]] for s in slots_of[t])
            if keep_word is not None and t in word_tables:
                part = part * keep_word
            parts.append(part)
        dropout_key, x = dropout(dropout_key, jnp.concatenate(parts, axis=-1), rate)
        h = jax.nn.relu(x @ params["in.w"] + params["in.b"])
        w = h.shape[-1]
        for l, k in enumerate(dilations):
            cw = params[f"conv{l}.w"]
            left_ok = ((shifted(doc, k, -2) == doc) & (doc >= 0)).astype(h.dtype)
            right_ok = ((shifted(doc, -k, -2) == doc) & (doc >= 0)).astype(h.dtype)
            prev = shifted(h, k, 0.0) * left_ok[..., None]
            nxt = shifted(h, -k, 0.0) * right_ok[..., None]
            c = prev @ cw[:w] + h @ cw[w : 2 * w] + nxt @ cw[2 * w :] + params[f"conv{l}.b"]
            dropout_key, r = dropout(dropout_key, jax.nn.relu(c), rate)
            h = layer_norm(h + r, params[f"ln{l}.g"], params[f"ln{l}.b"])
        if pool:
            p = same_word_mean(h, ids, doc)
            r = jax.nn.relu(jnp.concatenate([h, p], axis=-1) @ params["pool.w"] + params["pool.b"])
            dropout_key, r = dropout(dropout_key, r, rate)
            h = layer_norm(h + r, params["lnp.g"], params["lnp.b"])
        return h @ params["out.w"] + params["out.b"]

    return forward


def allowed_transitions(n_tags):
    """allowed[p, n]: tag n may follow tag p (BILOU; as TagSet::allowed in src/ner/decode.rs)."""
    def split(t):
        return ("O", 0) if t == 0 else ("BILU"[(t - 1) % 4], (t - 1) // 4)
    out = np.zeros((n_tags, n_tags), bool)
    for p in range(n_tags):
        pp, pl = split(p)
        for n in range(n_tags):
            np_, nl = split(n)
            if pp in "BI":
                out[p, n] = np_ in "IL" and nl == pl
            else:
                out[p, n] = np_ in "OBU"
    return out


def crf_transitions(params, allowed):
    return jnp.where(allowed, params["crf.trans"], -1e4)


def crf_log_z(logits, valid, trans):
    """Log partition function of a linear-chain CRF per row of logits [B, T, K].
    valid: [B, T] float; the valid positions of a chunk are contiguous (padding
    only before or after them); a row without any is 0. trans: [K, K], or
    [B, K, K] for one per row."""
    trans_b = trans if trans.ndim == 3 else trans[None]

    def step(carry, x):
        alpha, started = carry
        logit, v = x
        rec = jax.nn.logsumexp(alpha[:, :, None] + trans_b, axis=1) + logit
        new = jnp.where(started[:, None] > 0, rec, logit)
        alpha = jnp.where(v[:, None] > 0, new, alpha)
        return (alpha, jnp.maximum(started, v)), None

    b, _, k = logits.shape
    init = (jnp.zeros((b, k)), jnp.zeros((b,)))
    (alpha, started), _ = jax.lax.scan(step, init, (jnp.swapaxes(logits, 0, 1), valid.T))
    return jax.nn.logsumexp(alpha, -1) * started


def crf_nll(logits, tags, valid, trans, soft=None, distill=0.0, labelled=None):
    """Negative log-likelihood of the gold tags under a linear-chain CRF, summed over
    the batch (see crf_log_z for `valid`). With `soft` ([B, T, K] teacher tag
    marginals), the emission part of the target is (1 - distill) gold + distill
    soft: the gradient on each emission is then the model's marginal minus that
    mixture; transitions always learn from the gold tags. Where `labelled` ([B, T]
    float) is 0 there are no gold tags: the target is the soft tags alone and no
    transition is learnt there."""
    emit = jnp.take_along_axis(logits, tags[..., None], -1)[..., 0]
    pair = valid[:, 1:] * valid[:, :-1]
    z_trans = trans
    if soft is not None:
        soft_emit = (soft * logits).sum(-1)
        mixed = (1 - distill) * emit + distill * soft_emit
        if labelled is not None:
            mixed = jnp.where(labelled > 0, mixed, soft_emit)
            pair = pair * labelled[:, 1:] * labelled[:, :-1]
            # A row without gold tags must not move the transitions at all:
            # through log Z alone it would push down every transition it uses.
            row_gold = (labelled.max(1) > 0)[:, None, None]
            z_trans = jnp.where(row_gold, trans[None], jax.lax.stop_gradient(trans)[None])
        emit = mixed
    gold = (emit * valid).sum(1) + (trans[tags[:, :-1], tags[:, 1:]] * pair).sum(1)
    return (crf_log_z(logits, valid, z_trans) - gold).sum()


def crf_marginals(logits, valid, trans):
    """Tag marginals [B, T, K] of a linear-chain CRF (the gradient of log Z)."""
    return jax.grad(lambda l: crf_log_z(l, valid, trans).sum())(logits)


def crf_viterbi(logits, trans):
    """Best tag path per row of logits [B, T, K] (model selection only: no start/end rules)."""
    def step(score, logit):
        cand = score[:, :, None] + trans[None]
        return cand.max(1) + logit, cand.argmax(1)

    score, back = jax.lax.scan(step, logits[:, 0], jnp.swapaxes(logits, 0, 1)[1:])
    last = score.argmax(-1)

    def trace(tag, bp):
        prev = jnp.take_along_axis(bp, tag[:, None], 1)[:, 0]
        return prev, prev

    _, path = jax.lax.scan(trace, last, back, reverse=True)
    return jnp.concatenate([jnp.swapaxes(path, 0, 1), last[:, None]], axis=1)


def chunk(ids, tags, doc, length, offset):
    """Cuts the token stream into [n, length] chunks starting at `offset`, padded;
    also returns each position's token index (clipped into the stream)."""
    n = len(tags)
    starts = np.arange(-offset if offset else 0, n, length)
    idx = starts[:, None] + np.arange(length)[None, :]
    valid = (idx >= 0) & (idx < n)
    idx_c = np.clip(idx, 0, n - 1)
    d = np.where(valid, doc[idx_c], -1).astype(np.int32)
    return ids[idx_c], np.where(valid, tags[idx_c], 0), valid, d, idx_c


def load_teachers(paths, meta, allowed):
    """The teachers (the best epoch of checkpoints trained with --crf on the same
    features), each loaded and compiled once: (path, best dev F1, marginals
    function of (ids, doc, valid, temperature))."""
    teachers = []
    for path in paths:
        with open(path, "rb") as f:
            ck = pickle.load(f)
        s = ck["settings"]
        assert s["crf"], f"teacher {path} was not trained with --crf"
        params = jax.tree_util.tree_map(jnp.asarray, ck["best_params"])
        dil = [int(x) for x in s["dilations"].split(",")] if s["dilations"] else [1] * s["depth"]
        fwd = make_forward(meta, dil, s.get("pool", False))
        marg = jax.jit(lambda ids_b, doc_b, valid_b, temperature, params=params, fwd=fwd: crf_marginals(
            fwd(params, ids_b, doc_b) / temperature, valid_b, crf_transitions(params, allowed) / temperature))
        teachers.append((path, ck["best"], marg))
    return teachers


def teacher_marginals(teachers, n_tags, ids, tags, doc, length=512, batch=32, temperature=1.0):
    """The teachers' CRF tag marginals for every token of the stream, averaged
    over the teachers: [n, K] float32; their scores and transitions are divided
    by `temperature` first."""
    c_ids, _, c_valid, c_doc, c_idx = chunk(ids, tags, doc, length, 0)
    total = np.zeros((len(tags), n_tags), np.float32)
    for path, best, marg in teachers:
        t0 = time.time()
        for b in range(0, len(c_ids), batch):
            sl = slice(b, b + batch)
            n = len(c_ids[sl])
            pad = batch - n
            m = np.asarray(marg(np.pad(c_ids[sl], ((0, pad), (0, 0), (0, 0))),
                                np.pad(c_doc[sl], ((0, pad), (0, 0)), constant_values=-1),
                                np.pad(c_valid[sl], ((0, pad), (0, 0))).astype(np.float32),
                                np.float32(temperature)))[:n]
            v = c_valid[sl]
            total[c_idx[sl][v]] += m[v]
        print(f"teacher {path}: best dev F1 {best * 100:.2f}, marginals of {len(tags)} tokens "
              f"in {time.time() - t0:.0f} s", flush=True)
    return total / len(teachers)


def entities_from_tags(tags, doc, n_labels):
    """Greedy BILOU reading (for model selection only): (doc, start, end, label) set."""
    out = set()
    open_ = None
    prev_doc = -1
    for i, (t, d) in enumerate(zip(tags, doc)):
        if d != prev_doc:
            open_ = None
            prev_doc = d
        if t == 0:
            open_ = None
            continue
        part, label = (t - 1) % 4, (t - 1) // 4
        if part == 3:
            out.add((d, i, i, label))
            open_ = None
        elif part == 0:
            open_ = (i, label)
        elif part == 1:
            if open_ is None or open_[1] != label:
                open_ = None
        else:
            if open_ is not None and open_[1] == label:
                out.add((d, open_[0], i, label))
            open_ = None
    return out


def f1(gold, pred):
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def main():
    args = parse_args()
    work = args.work
    os.makedirs(work, exist_ok=True)
    features = args.features or work
    meta = json.load(open(os.path.join(features, "meta.json")))
    n_labels = len(meta["labels"])
    tr_ids, tr_tags, tr_doc = load_split(features, "train")
    dv_ids, dv_tags, dv_doc = load_split(features, "dev")
    print(f"train {len(tr_tags)} tokens, dev {len(dv_tags)} tokens, {meta['n_tags']} tags", flush=True)
    forward = make_forward(meta, dilations_of(args), args.pool)
    dv = chunk(dv_ids, dv_tags, dv_doc, 256, 0)
    gold_dev = entities_from_tags(dv_tags, dv_doc, n_labels)
    allowed = jnp.asarray(allowed_transitions(meta["n_tags"]))
    soft_train = None
    unlabelled_tokens = 0
    labelled = np.ones(len(tr_tags), bool)
    ckpt_path = os.path.join(work, "ckpt.pkl")
    ck = None
    if args.resume and os.path.exists(ckpt_path):
        with open(ckpt_path, "rb") as f:
            ck = pickle.load(f)
    # A run resumed after its last epoch only exports: no need for the teachers' marginals.
    finished = ck is not None and (ck["epoch"] >= args.max_epochs or ck["patience_left"] <= 0)
    if (args.teachers or args.transformer) and finished:
        if os.path.exists(os.path.join(features, "unlabelled.ids.npy")):
            unlabelled_tokens = int(len(load_split(features, "unlabelled")[1]))
    elif args.teachers or args.transformer:
        assert args.crf, "--teachers and --transformer need --crf"
        teachers = load_teachers(args.teachers.split(","), meta, allowed) if args.teachers else []
        if args.teacher_view:
            vw_ids, vw_tags, vw_doc = load_split(features, args.teacher_view)
            assert (vw_tags == tr_tags).all() and (vw_doc == tr_doc).all(), \
                f"{args.teacher_view} has other tokens or tags than train"
            print(f"teachers read {args.teacher_view} in place of train", flush=True)
        else:
            vw_ids = tr_ids

        def soft_for(split, ids, tags, doc):
            """The teachers' marginals for a stream: the CNN teachers' average,
            the transformer's, or their mixture."""
            cnn = (teacher_marginals(teachers, meta["n_tags"], ids, tags, doc,
                                     temperature=args.distill_temperature) if teachers else None)
            if not args.transformer:
                return cnn
            path = os.path.join(args.transformer, f"{split}.npy")
            tr = np.load(path).astype(np.float32)
            assert tr.shape == (len(tags), meta["n_tags"]), f"{path}: shape {tr.shape}, stream has {len(tags)} tokens"
            return tr if cnn is None else args.transformer_weight * tr + (1 - args.transformer_weight) * cnn

        if teachers:
            # The teachers together on dev (most probable tag per token, greedy reading): what distillation aims at.
            dv_soft = teacher_marginals(teachers, meta["n_tags"], dv_ids, dv_tags, dv_doc)
            ens = f1(gold_dev, entities_from_tags(dv_soft.argmax(-1), dv_doc, n_labels))
            print(f"CNN teachers together: dev F1 {ens * 100:.2f} (greedy over averaged marginals)", flush=True)
        if args.transformer and os.path.exists(os.path.join(args.transformer, "dev.npy")):
            dv_tr = np.load(os.path.join(args.transformer, "dev.npy")).astype(np.float32)
            ens = f1(gold_dev, entities_from_tags(dv_tr.argmax(-1), dv_doc, n_labels))
            print(f"transformer teacher: dev F1 {ens * 100:.2f} (greedy over its marginals)", flush=True)
        soft_train = soft_for("train", vw_ids, tr_tags, tr_doc)
        hard_path = os.path.join(features, "train.hard.npy")
        if os.path.exists(hard_path):
            # Tokens whose labels only their construction knows (the synthetic
            # pages' added lines): learnt from the labels alone.
            hard = np.load(hard_path).astype(bool)
            assert len(hard) == len(tr_tags), "train.hard.npy has another number of tokens than train"
            soft_train[hard] = np.eye(meta["n_tags"], dtype=soft_train.dtype)[tr_tags[hard]]
            print(f"constructed tokens learnt from their labels alone: {int(hard.sum())}", flush=True)
        if os.path.exists(os.path.join(features, "unlabelled.ids.npy")):
            # Text without labels: learnt from the teachers alone.
            un_ids, un_tags, un_doc = load_split(features, "unlabelled")
            un_soft = soft_for("unlabelled", un_ids, un_tags, un_doc)
            labelled = np.concatenate([np.ones(len(tr_tags), bool), np.zeros(len(un_tags), bool)])
            tr_ids = np.concatenate([tr_ids, un_ids])
            tr_tags = np.concatenate([tr_tags, un_tags])
            tr_doc = np.concatenate([tr_doc, un_doc + tr_doc.max() + 1])
            soft_train = np.concatenate([soft_train, un_soft])
            unlabelled_tokens = int(len(un_tags))
            print(f"unlabelled: {len(un_tags)} tokens", flush=True)

    steps_per_epoch = int(np.ceil(len(tr_tags) / args.chunk / args.batch))
    sched = optax.warmup_cosine_decay_schedule(
        0.0, args.lr, min(300, steps_per_epoch), steps_per_epoch * args.max_epochs, args.lr * 0.05
    )
    opt = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(sched))


    word_tables = tuple(args.word_dropout_tables.split(","))
    assert all(t in TABLE_DIMS for t in word_tables), f"--word-dropout-tables: tables are {', '.join(TABLE_DIMS)}"

    def loss_fn(params, ids, tags, valid, doc, key, soft, lab):
        logits = forward(params, ids, doc, key, args.dropout, args.word_dropout, word_tables)
        if args.crf:
            nll = crf_nll(logits, tags, valid, crf_transitions(params, allowed), soft, args.distill, lab)
            return nll / jnp.maximum(valid.sum(), 1.0)
        ce = optax.softmax_cross_entropy_with_integer_labels(logits, tags)
        return (ce * valid).sum() / jnp.maximum(valid.sum(), 1.0)

    @jax.jit
    def step(params, ema, opt_state, ids, tags, valid, doc, key, soft, lab):
        loss, grads = jax.value_and_grad(loss_fn)(params, ids, tags, valid, doc, key, soft, lab)
        updates, opt_state = opt.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        if args.ema > 0:
            ema = jax.tree_util.tree_map(lambda e, p: args.ema * e + (1 - args.ema) * p, ema, params)
        return params, ema, opt_state, loss

    @jax.jit
    def predict(params, ids, doc):
        logits = forward(params, ids, doc)
        if args.crf:
            return crf_viterbi(logits, crf_transitions(params, allowed))
        return jnp.argmax(logits, -1)

    # The settings a checkpoint must match to resume (not the export's table width).
    settings = {k: v for k, v in vars(args).items()
                if k not in ("work", "features", "resume", "minutes", "export_only", "table_bits", "keep_vectors")}
    settings["table_dims"] = TABLE_DIMS
    if args.teachers or args.transformer:
        # Teachers by their run directory (not machine paths: the settings go into the model card).
        settings["teachers"] = [os.path.basename(os.path.dirname(os.path.abspath(t)))
                                for t in args.teachers.split(",") if t]
        if unlabelled_tokens:
            settings["unlabelled_tokens"] = unlabelled_tokens
    else:
        for k in ("teachers", "teacher_view", "distill", "distill_temperature"):
            settings.pop(k)
    if args.transformer:
        settings["transformer"] = os.path.basename(os.path.normpath(args.transformer))
        if not args.teachers:
            settings.pop("transformer_weight")
    else:
        # As for runs from before the option (so their checkpoints still resume).
        settings.pop("transformer")
        settings.pop("transformer_weight")
    if not args.teacher_view:
        # As for runs from before the option.
        settings.pop("teacher_view", None)
    if not args.pool:
        # Settings of runs from before the option (so their checkpoints still resume).
        settings.pop("pool")
    if args.word_dropout_tables == WORD_DROPOUT_TABLES:
        settings.pop("word_dropout_tables")
    if ck is not None:
        assert ck["settings"] == settings, "checkpoint was made with other settings"
        params = jax.tree_util.tree_map(jnp.asarray, ck["params"])
        opt_state = jax.tree_util.tree_map(jnp.asarray, ck["opt_state"])
        ema = jax.tree_util.tree_map(jnp.asarray, ck.get("ema", ck["params"]))
        epoch, best, best_params, log, patience_left = (
            ck["epoch"], ck["best"], ck["best_params"], ck["log"], ck["patience_left"])
        print(f"resumed after epoch {epoch} (best dev F1 {best:.4f})", flush=True)
    else:
        params = init_params(meta, args, jax.random.PRNGKey(args.seed))
        opt_state = opt.init(params)
        ema = params
        epoch, best, best_params, log, patience_left = 0, -1.0, None, [], args.patience

    dv = chunk(dv_ids, dv_tags, dv_doc, 256, 0)
    gold_dev = entities_from_tags(dv_tags, dv_doc, n_labels)
    started = time.time()
    epoch_secs = None
    while epoch < args.max_epochs and patience_left > 0 and not args.export_only:
        if epoch_secs and (time.time() - started + epoch_secs) / 60 > args.minutes:
            print("time budget reached", flush=True)
            break
        t0 = time.time()
        rng = np.random.default_rng(args.seed * 1000 + epoch)
        ids, tags, valid, doc, idx = chunk(tr_ids, tr_tags, tr_doc, args.chunk, int(rng.integers(args.chunk)))
        order = rng.permutation(len(tags))
        # Fixed-size batches (the last partial batch is dropped) so jit compiles once.
        nb = len(order) // args.batch
        key = jax.random.PRNGKey(args.seed * 7919 + epoch)
        total = 0.0
        for b in range(nb):
            sel = order[b * args.batch : (b + 1) * args.batch]
            key, k = jax.random.split(key)
            soft = None if soft_train is None else soft_train[idx[sel]] * valid[sel][..., None]
            lab = (labelled[idx[sel]] & valid[sel]).astype(np.float32)
            params, ema, opt_state, loss = step(
                params, ema, opt_state, ids[sel], tags[sel], valid[sel].astype(np.float32), doc[sel], k, soft, lab)
            total += float(loss) if b % 50 == 0 or b == nb - 1 else 0.0
        # Dev: greedy decoding, entity F1 (of the averaged weights with --ema).
        scored = ema if args.ema > 0 else params
        pred = []
        for b in range(0, len(dv[0]), 64):
            pred.append(np.asarray(predict(scored, dv[0][b : b + 64], dv[3][b : b + 64])))
        pred = np.concatenate(pred)[dv[2]]
        dev_f1 = f1(gold_dev, entities_from_tags(pred, dv_doc, n_labels))
        epoch += 1
        epoch_secs = time.time() - t0
        line = f"epoch {epoch:2d}  loss {float(loss):.4f}  dev F1 {dev_f1 * 100:.2f}  ({epoch_secs:.0f} s)"
        if args.ema > 0:
            # The raw weights too, to see what the average adds.
            raw = np.concatenate([np.asarray(predict(params, dv[0][b : b + 64], dv[3][b : b + 64]))
                                  for b in range(0, len(dv[0]), 64)])[dv[2]]
            line += f"  (raw weights {f1(gold_dev, entities_from_tags(raw, dv_doc, n_labels)) * 100:.2f})"
        print(line, flush=True)
        log.append(line)
        if dev_f1 > best:
            best, best_params, patience_left = dev_f1, jax.tree_util.tree_map(np.asarray, scored), args.patience
        else:
            patience_left -= 1
        with open(ckpt_path + ".tmp", "wb") as f:
            pickle.dump({"params": jax.tree_util.tree_map(np.asarray, params),
                         "opt_state": jax.tree_util.tree_map(np.asarray, opt_state),
                         "ema": jax.tree_util.tree_map(np.asarray, ema),
                         "epoch": epoch, "best": best, "best_params": best_params, "log": log,
                         "patience_left": patience_left, "settings": settings}, f)
        os.replace(ckpt_path + ".tmp", ckpt_path)

    export(work, meta, args, best_params, forward, dv_ids, dv_doc, settings, log, best)


def export(work, meta, args, params, forward, dv_ids, dv_doc, settings, log, best):
    out = os.path.join(work, "export")
    os.makedirs(out, exist_ok=True)
    for stale in os.listdir(out):
        # Files of an earlier export (a weight saved in the other form would confuse the packer).
        if stale.endswith(".npy"):
            os.remove(os.path.join(out, stale))
    params = dict(params)
    dv_ids = np.array(dv_ids)
    keep = args.keep_vectors
    if keep and "emb.vector" in params and keep + 1 < params["emb.vector"].shape[0]:
        # Row 0 is "not in the list"; word i of the list is row i.
        params["emb.vector"] = params["emb.vector"][: keep + 1]
        for s, ti in enumerate(meta["slot_tables"]):
            if meta["tables"][ti] == "vector":
                dv_ids[:, s] = np.where(dv_ids[:, s] > keep, 0, dv_ids[:, s])
        print(f"export: the vector table cut to its first {keep} words", flush=True)
    deq = dict(params)
    for name in list(params):
        # The reference logits below run through the quantized weights, as the model file stores them.
        if name.startswith("emb."):
            deq[name] = quant.export_quantized(out, name, params[name], args.table_bits)
        elif args.int8_dense and name.endswith(".w"):
            deq[name] = quant.export_quantized(out, name, params[name], 8)
        else:
            np.save(os.path.join(out, f"{name}.npy"), np.asarray(params[name], np.float32))
    net = [args.width, args.depth] + ([] if not args.dilations else dilations_of(args))
    np.save(os.path.join(out, "net.npy"), np.array(net, dtype="<u4"))
    # Reference: the first dev document (at most 400 tokens) through the quantized network.
    n = min(int((dv_doc == dv_doc[0]).sum()), 400)
    ids = dv_ids[:n]
    logits = np.asarray(forward(deq, jnp.asarray(ids[None]), jnp.zeros((1, n), jnp.int32)))[0]
    np.save(os.path.join(out, "ref.ids.npy"), ids.astype("<u4"))
    np.save(os.path.join(out, "ref.logits.npy"), logits.astype(np.float32))
    with open(os.path.join(out, "settings.json"), "w") as f:
        json.dump(dict(settings, table_bits=args.table_bits, keep_vectors=args.keep_vectors, best_dev_f1_greedy=round(best, 4)),
                  f, indent=1, sort_keys=True)
    with open(os.path.join(out, "train_log.txt"), "w") as f:
        f.write("\n".join(log) + "\n")
    print(f"exported best epoch (greedy dev F1 {best * 100:.2f}) to {out}", flush=True)


if __name__ == "__main__":
    main()
