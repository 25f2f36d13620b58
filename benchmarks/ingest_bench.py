"""Ingest benchmark: time and peak memory of a sync, printed as a table (nothing is asserted).

    python -m benchmarks.ingest_bench [--articles 1000] [--out FILE]

Scenarios: a full sync of the real corpus; a full sync of N synthetic articles (~10 chunks
each, built deterministically from the real corpus's sentences and headings); a no-change
re-sync of those N; and the raw model speed (one Embedder.embed call on 512 synthetic chunks,
timed 3 times).
Each scenario runs in a fresh Python process (this module with --child), so its peak RSS and
its model load are its own. The model load is timed apart from the sync.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import ingest.sync as sync
from bot.core.settings import Settings
from bot.retrieve.embedder import Embedder
from bot.retrieve.store import IndexStore
from ingest.chunk import chunk
from ingest.load import RawDoc, load
from ingest.sync import Syncer, clean_and_dedupe, scan

REPO = Path(__file__).resolve().parents[1]
SEED = 20240611
SECTIONS = 10
SAMPLE = 512
RESULT_TAG = "BENCH_RESULT "
TARGET_CHUNKS_PER_S = 60.0
TARGET_RESYNC_S = 2.0
TARGET_PEAK_MB = 1536.0
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+")


# --- synthetic corpus ----------------------------------------------------------------
@dataclass(frozen=True)
class Pool:
    """Body sentences and section headings of the real corpus, after clean and dedupe."""

    sentences: tuple[str, ...]
    headings: tuple[str, ...]


def real_pool(corpus_dir: Path, max_bytes: int = 50 * 10**6) -> Pool:
    """Collect the real corpus's sentences and headings through the project's own ingest stages."""

    articles, _ = clean_and_dedupe([load(path, max_bytes) for path in scan(corpus_dir).values()])
    chunks = [c for a in articles for c in chunk(a)]
    sentences = {s.text for c in chunks for s in c.sentences if s.text.rstrip().endswith((".", "!", "?"))}
    headings = {_NUMBERED.sub("", c.section) for c in chunks if c.section}
    # Headings of 7+ words would count as paragraphs for dedupe ("3. " adds one) and be dropped as repeats.
    return Pool(tuple(sorted(sentences)), tuple(sorted(h for h in headings if len(h.split()) <= 6)))


def section_body(rng: random.Random, pool: Pool, low: int = 75, high: int = 110, cap: int = 128) -> str:
    """One paragraph of 4+ distinct sentences, about `low`..`high` words and at most ~`cap`."""
    target, picked, words = rng.randint(low, high), [], 0
    for _ in range(60):
        if words >= target and len(picked) >= 4:
            break
        sentence = rng.choice(pool.sentences)
        size = len(sentence.split())
        if sentence in picked or (words + size > cap and len(picked) >= 4):
            continue
        picked.append(sentence)
        words += size
    return " ".join(picked)


def make_article(pool: Pool, index: int, seed: int = SEED) -> str:
    """Article `index` of the synthetic corpus: a title and 10 headed sections, same text every run."""
    rng = random.Random(seed * 1_000_003 + index)
    headings = rng.sample(pool.headings, min(SECTIONS, len(pool.headings)))
    numbered = rng.random() < 0.5
    lines = [f"{rng.choice(pool.headings)}: Patient Guide No {index + 1}"]
    for k, heading in enumerate(headings, 1):
        lines += [f"{k}. {heading}" if numbered else heading, section_body(rng, pool)]
    return "\n\n".join(lines) + "\n"


def write_corpus(pool: Pool, folder: Path, count: int, seed: int = SEED) -> None:
    """Write `count` synthetic articles as .txt files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"synthetic-{i:05d}.txt").write_text(make_article(pool, i, seed), encoding="utf-8")


def sample_chunk_texts(pool: Pool, need: int = SAMPLE, seed: int = SEED) -> list[str]:
    """The first `need` chunk texts (as the Syncer embeds them) of the synthetic articles."""

    texts, i = [], 0
    while len(texts) < need:
        text = make_article(pool, i, seed)
        articles, _ = clean_and_dedupe([RawDoc(f"synthetic-{i:05d}.txt", "text", text, str(i))])
        texts += [c.embed_text() for c in chunk(articles[0])]
        i += 1
    return texts[:need]


# --- child process: one scenario --------------------------------------------------------
class TimedEmbedder:
    """Embedder stand-in that loads the model on first use (or load()) and times every call."""

    def __init__(self, factory):
        self.factory, self.model = factory, None
        self.load_s = 0.0
        self.calls: list[tuple[int, float]] = []

    def load(self):
        """Load the model now (once); the time goes to load_s, not to any embed call."""
        if self.model is None:
            started = time.perf_counter()
            self.model = self.factory()
            self.load_s = time.perf_counter() - started
        return self.model

    def embed(self, texts):
        """Embed like Embedder.embed, recording (how many texts, seconds)."""
        model = self.load()
        started = time.perf_counter()
        vectors = model.embed(texts)
        self.calls.append((len(texts), time.perf_counter() - started))
        return vectors

    def split_seconds(self, first: int) -> tuple[float, float]:
        """Embedding seconds for the first `first` texts (the chunks) and for the rest (sentences)."""
        done, head, tail = 0, 0.0, 0.0
        for count, seconds in self.calls:
            if done < first:
                head += seconds
            else:
                tail += seconds
            done += count
        return head, tail


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def bench_settings(corpus_dir: Path, index_dir: Path):
    """Settings for a private embedded index; CLINICBOT_* variables are deliberately ignored."""

    return Settings.from_env({}).with_(corpus_dir=corpus_dir, index_dir=index_dir, collection="bench")


def current_pipeline() -> str | None:
    """The Syncer's fingerprint of the ingest code (None if this Syncer has none)."""

    return sync.pipeline_fingerprint() if hasattr(sync, "pipeline_fingerprint") else None


def pin_pipeline(fingerprint: str | None) -> None:
    """Make the Syncer see the ingest code as it was when the benchmark started, so code edited
    mid-run (a shared checkout) cannot turn the no-change re-sync into a full rebuild."""

    if fingerprint and hasattr(sync, "pipeline_fingerprint"):
        sync.pipeline_fingerprint = lambda: fingerprint


def child_sync(corpus_dir: Path, index_dir: Path, eager: bool, pipeline: str | None) -> dict:
    """Sync corpus_dir into index_dir; model load (eager or on first need) is timed apart."""

    pin_pipeline(pipeline)
    settings = bench_settings(corpus_dir, index_dir)
    store = IndexStore.open(settings)
    embedder = TimedEmbedder(Embedder)
    if eager:
        embedder.load()
    began, loaded_before = time.perf_counter(), embedder.load_s
    report = Syncer(store, embedder, settings.max_file_bytes).run(corpus_dir)
    sync_s = time.perf_counter() - began - (embedder.load_s - loaded_before)
    chunks, sentences = _counts(store, report)
    chunk_embed_s, sentence_embed_s = embedder.split_seconds(chunks if report.changed else 0)
    return {
        "articles": len(report.added) + len(report.updated) + len(report.unchanged),
        "added": len(report.added),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        "failed": len(report.failed),
        "chunks": chunks,
        "sentences": sentences,
        "deduped": report.stats.get("paragraphs_deduped", 0),
        "load_s": embedder.load_s,
        "sync_s": sync_s,
        "embedded_texts": sum(n for n, _ in embedder.calls),
        "chunk_embed_s": chunk_embed_s,
        "sentence_embed_s": sentence_embed_s,
        "model_loaded": embedder.model is not None,
    }


def _counts(store, report) -> tuple[int, int]:
    if report.changed:
        return report.stats["chunks"], report.stats["sentences"]
    name = store.collection_name(report.version, "chunks"), store.collection_name(report.version, "sentences")
    return tuple(store.client.get_collection(n, embedding_function=None).count() for n in name)


def child_model(texts_file: Path, repeats: int = 3) -> dict:
    """Raw model speed: load the Embedder, warm up on 8 texts, then time one embed call on all
    the texts, `repeats` times (CPU speed on shared machines wanders); sync_s is the median."""

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    started = time.perf_counter()
    embedder = Embedder()
    load_s = time.perf_counter() - started
    embedder.embed(texts[:8])
    runs = []
    for _ in range(repeats):
        began = time.perf_counter()
        embedder.embed(texts)
        runs.append(time.perf_counter() - began)
    return {
        "articles": None,
        "chunks": len(texts),
        "sentences": None,
        "load_s": load_s,
        "sync_s": sorted(runs)[len(runs) // 2],
        "runs_s": runs,
        "mean_words": sum(len(t.split()) for t in texts) / len(texts),
    }


def child_main(args) -> int:
    """Run one scenario and print its figures (or its error) as one tagged JSON line on stdout."""
    try:
        if args.child == "model":
            result = child_model(Path(args.texts))
        else:
            result = child_sync(Path(args.corpus), Path(args.index), not args.lazy, args.pipeline)
    except Exception as exc:  # report it as this scenario's result; the others still run
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    result["peak_rss_mb"] = peak_rss_mb()
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 1 if "error" in result else 0


# --- parent: orchestrate, print ----------------------------------------------------------
def run_child(name: str, *child_args: str) -> dict:
    """Run one scenario in a fresh interpreter; add its name and whole-process wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest_bench", "--child", *child_args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    proc_s = time.perf_counter() - started
    line = next((out for out in reversed(done.stdout.splitlines()) if out.startswith(RESULT_TAG)), None)
    result = json.loads(line[len(RESULT_TAG) :]) if line else {"error": f"exit code {done.returncode}, no result"}
    print(f"  {'FAILED' if 'error' in result else 'done'}: {name} ({proc_s:.1f}s)", file=sys.stderr, flush=True)
    return {"scenario": name, **result, "proc_s": proc_s}


def run_all(corpus_dir: Path, articles: int, tmp: Path, pipeline: str | None) -> list[dict]:
    """The four scenarios, in order, each in its own process."""
    pool = real_pool(corpus_dir)
    synthetic = tmp / "synthetic"
    write_corpus(pool, synthetic, articles)
    texts = tmp / "sample.json"
    texts.write_text(json.dumps(sample_chunk_texts(pool)), encoding="utf-8")
    pin = ["--pipeline", pipeline] if pipeline else []
    return [
        run_child("real corpus: full sync", "sync", "--corpus", str(corpus_dir), "--index", str(tmp / "real"), *pin),
        run_child("synthetic: full sync", "sync", "--corpus", str(synthetic), "--index", str(tmp / "synth"), *pin),
        run_child(
            "synthetic: no-change re-sync",
            "sync",
            "--lazy",
            "--corpus",
            str(synthetic),
            "--index",
            str(tmp / "synth"),
            *pin,
        ),
        run_child(f"raw model: embed({SAMPLE}) x3", "model", "--texts", str(texts)),
    ]


def rates(row: dict) -> tuple[float | None, float | None]:
    """chunks/s and sentences/s of a scenario that embedded something (None otherwise)."""
    if "error" in row or row.get("model_loaded") is False or not row["sync_s"]:
        return None, None
    sents = row["sentences"] / row["sync_s"] if row.get("sentences") else None
    return row["chunks"] / row["sync_s"], sents


def _cell(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _line(cells, widths) -> str:
    return " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=False)))


def print_table(rows: list[dict]) -> None:
    """The scenario table: counts, model load, sync time, process time, rates and peak RSS."""
    head = (
        "scenario",
        "articles",
        "chunks",
        "sentences",
        "load s",
        "sync s",
        "proc s",
        "chunks/s",
        "sents/s",
        "peak RSS MB",
    )
    widths = (30, 8, 7, 9, 7, 8, 7, 8, 8, 11)
    print(_line(head, widths))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        if "error" in row:
            print(
                f"{row['scenario']:<30} | FAILED after {row['proc_s']:.1f}s "
                f"(peak {_cell(row.get('peak_rss_mb'), '.0f')} MB): {row['error']}"
            )
            continue
        chunk_rate, sent_rate = rates(row)
        load = row["load_s"] if row.get("model_loaded", True) else None
        print(
            _line(
                (
                    row["scenario"],
                    _cell(row["articles"], "d"),
                    _cell(row["chunks"], "d"),
                    _cell(row["sentences"], "d"),
                    _cell(load, ".2f"),
                    _cell(row["sync_s"], ".2f"),
                    _cell(row["proc_s"], ".1f"),
                    _cell(chunk_rate, ".1f"),
                    _cell(sent_rate, ".1f"),
                    _cell(row["peak_rss_mb"], ".0f"),
                ),
                widths,
            )
        )
    print(
        "load s = model load in that process; sync s = Syncer.run (raw model: median embed call); "
        "proc s = whole process incl. Python imports"
    )


def targets(rows: list[dict], articles: int) -> list[dict]:
    """Each target with the measured figure and whether it is met (None: not measured)."""
    full, again = rows[1], rows[2]
    rate = rates(full)[0]
    resync = None if "error" in again or again.get("updated") or again.get("added") else again["sync_s"]
    peak = max((r["peak_rss_mb"] for r in rows if r.get("peak_rss_mb")), default=None)
    suffix = "" if articles == 1000 else " (target is for 1000)"
    return [
        {
            "target": "embedding >= 60 chunks/s (synthetic full sync)",
            "value": rate,
            "unit": "chunks/s",
            "met": None if rate is None else rate >= TARGET_CHUNKS_PER_S,
        },
        {
            "target": f"no-change re-sync of {articles} < 2 s{suffix}",
            "value": resync,
            "unit": "s",
            "met": None if resync is None else resync < TARGET_RESYNC_S,
        },
        {
            "target": "peak < 1.5 GB (max over scenarios)",
            "value": peak,
            "unit": "MB",
            "met": None if peak is None else peak < TARGET_PEAK_MB,
        },
    ]


def print_targets(goals: list[dict]) -> None:
    """One line per target: measured value and MET / MISSED / NOT MEASURED."""
    print("\ntargets:")
    for goal in goals:
        verdict = {True: "MET", False: "MISSED", None: "NOT MEASURED"}[goal["met"]]
        print(f"  {goal['target']:<52} {_cell(goal['value'], '9.2f'):>9} {goal['unit']:<8} {verdict}")


def print_notes(rows: list[dict]) -> None:
    """How close the pipeline's embedding comes to the model's own speed, and the re-sync's work."""
    full, again, model = rows[1], rows[2], rows[3]
    raw = None if "error" in model else model["chunks"] / model["sync_s"]
    if raw:
        runs = ", ".join(f"{model['chunks'] / s:.1f}" for s in model["runs_s"])
        print(
            f"\nraw model: {raw:.1f} chunks/s, median of one-call runs [{runs}] "
            f"({model['chunks']} chunks, mean {model['mean_words']:.0f} words)"
        )
    if raw and "error" not in full:
        in_pipe = full["chunks"] / full["chunk_embed_s"] if full["chunk_embed_s"] else 0.0
        other = full["sync_s"] - full["chunk_embed_s"] - full["sentence_embed_s"]
        print(f"pipeline, chunk embedding only: {in_pipe:.1f} chunks/s = {100 * in_pipe / raw:.0f}% of raw model")
        print(
            f"pipeline, whole sync: {rates(full)[0]:.1f} chunks/s = {100 * rates(full)[0] / raw:.0f}% of raw "
            f"model; of {full['sync_s']:.1f}s sync, {full['chunk_embed_s']:.1f}s embedding chunks, "
            f"{full['sentence_embed_s']:.1f}s embedding {full['sentences']} sentences, "
            f"{other:.1f}s other (read, clean, chunk, Chroma write)"
        )
        print(f"paragraphs deduped in synthetic corpus: {full['deduped']}")
    if "error" not in again:
        print(
            f"re-sync: {again['unchanged']} unchanged, {again['updated']} updated, {again['added']} added; "
            f"loaded the model: {again['model_loaded']}, embedded {again['embedded_texts']} texts"
        )


def parser() -> argparse.ArgumentParser:
    """Command-line options; --child and its arguments are internal (one scenario per process)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.ingest_bench", description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=1000, help="synthetic articles (default 1000)")
    p.add_argument("--out", help="also write the figures as JSON to this file")
    p.add_argument("--corpus", default=str(REPO / "corpus"), help="real corpus folder (default: corpus/)")
    p.add_argument("--child", choices=("sync", "model"), help=argparse.SUPPRESS)
    p.add_argument("--index", help=argparse.SUPPRESS)
    p.add_argument("--texts", help=argparse.SUPPRESS)
    p.add_argument("--lazy", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--pipeline", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run every scenario in its own process, print the table and targets, optionally write JSON."""
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("ANONYMIZED_TELEMETRY", "False"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(name, value)
    args = parser().parse_args(argv)
    if args.child:
        return child_main(args)
    print(
        f"ingest benchmark: {args.articles} synthetic articles, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        file=sys.stderr,
    )
    pipeline = current_pipeline()
    with tempfile.TemporaryDirectory(prefix="clinicbot-bench-") as tmp:
        rows = run_all(Path(args.corpus).resolve(), args.articles, Path(tmp), pipeline)
    goals = targets(rows, args.articles)
    print()
    print_table(rows)
    print_targets(goals)
    print_notes(rows)
    if current_pipeline() != pipeline:
        print("note: the ingest code changed during the run; every scenario ran with the fingerprint from the start")
    if args.out:
        figures = {"articles": args.articles, "seed": SEED, "cpus": os.cpu_count(), "scenarios": rows, "targets": goals}
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
