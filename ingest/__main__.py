"""python -m ingest [--json] | --list [--json]: sync the corpus folder into the index."""

from __future__ import annotations

import argparse
import json
import sys
import time

from bot.core.settings import Settings, SettingsError
from bot.retrieve.embedder import Embedder
from bot.retrieve.matcher import Matcher
from bot.retrieve.store import IndexStore
from ingest.sync import Syncer

# Some files could not be read (each reported), the rest is indexed and served. Not 1, which is also what Python
# exits with on a crash: `make run` serves after this code and stops after a crash.
FILES_FAILED = 3


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(corpus_dir=args.corpus, index_dir=args.index, chroma_url=args.chroma_url)
    except SettingsError as exc:
        print(f"clinicbot: {exc}", file=sys.stderr)
        return 2

    try:
        store = IndexStore.open(settings)
        return _list(store, args.json) if args.list else _sync(settings, store, args.json)
    except FileNotFoundError as exc:
        print(f"clinicbot: {exc}", file=sys.stderr)
        return 2
    except (ConnectionError, ValueError) as exc:
        print(f"clinicbot: cannot reach the index ({exc})", file=sys.stderr)
        return 2


def _sync(settings: Settings, store, as_json: bool) -> int:

    started = time.perf_counter()
    syncer = Syncer(
        store, _Lazy(Embedder), settings.max_file_bytes, progress=sys.stderr.isatty(), matcher=_Lazy(Matcher)
    )
    report = syncer.run(settings.corpus_dir)
    if as_json:
        print(json.dumps(report.to_json()))
    else:
        _print_summary(report, time.perf_counter() - started)
    return FILES_FAILED if report.failed else 0


class _Lazy:
    """Loads a model (the embedder, the sentence matcher) only when a sync first uses it, so a no-change sync
    stays fast."""

    def __init__(self, factory):
        self.factory, self.model = factory, None

    def __getattr__(self, name: str):
        # only reached for what _Lazy itself lacks: the model's own methods and attributes
        if self.model is None:
            self.model = self.factory()
        return getattr(self.model, name)


def _print_summary(report, seconds: float) -> None:
    for name in ("added", "updated", "removed", "unchanged"):
        items = getattr(report, name)
        print(f"{name:>9}: {len(items)}" + (f"  ({', '.join(items)})" if items and name != "unchanged" else ""))
    for fail in report.failed:
        print(f"   FAILED: {fail['source']}: {fail['error']}")
    figures = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report.stats.items())
    state = f"published {report.version}" if report.changed else "index already up to date"
    print(f"{state}{'; ' + figures if figures else ''} ({seconds:.1f}s)")


def _list(store, as_json: bool) -> int:
    manifest = store.manifest(store.live())
    rows = [
        {"source": s, **{k: m.get(k, "") for k in ("title", "chunks", "hash", "ingested_at", "reviewed")}}
        for s, m in sorted(manifest.items())
    ]
    if as_json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print("the index is empty: run `python -m ingest` first")
    for r in rows:
        print(
            f"{r['source']}\n    {r['title']} | {r['chunks']} chunks | hash {r['hash']} | ingested {r['ingested_at']}"
            + (f" | reviewed {r['reviewed']}" if r["reviewed"] else "")
        )
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ingest", description="Sync the corpus folder into the clinicbot index.")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.add_argument("--list", action="store_true", help="show what the index holds")
    p.add_argument("--corpus", help="corpus folder (default: CLINICBOT_CORPUS_DIR or corpus)")
    p.add_argument("--index", help="embedded index folder (default: CLINICBOT_INDEX_DIR or .index)")
    p.add_argument("--chroma-url", help="use a Chroma server instead (default: CLINICBOT_CHROMA_URL)")
    return p


if __name__ == "__main__":
    sys.exit(main())
