"""Server mode: the same sync and reads against a real `chroma run` on 127.0.0.1."""

from __future__ import annotations

import pytest

from bot.retrieve.hybrid import HybridRetriever
from bot.retrieve.store import IndexStore
from ingest.sync import Syncer
from tests.cluster import chroma_server as running_chroma


@pytest.fixture
def chroma_server(tmp_path):
    """A real Chroma server on a free loopback port, stopped afterwards."""
    with running_chroma(tmp_path / "server") as url:
        yield url


@pytest.mark.integration
def test_sync_and_query_through_a_chroma_server(chroma_server, settings, corpus_copy, fake_embedder, tmp_path):
    server_settings = settings.with_(chroma_url=chroma_server)
    store = IndexStore.open(server_settings)
    report = Syncer(store, fake_embedder, 10**7).run(corpus_copy)
    assert len(report.added) == 5 and report.failed == []
    assert not (tmp_path / "index").exists()  # nothing went to the embedded folder
    reader = IndexStore.open(server_settings)
    loaded = reader.load(reader.live())
    assert len({c.source for c in loaded.chunks}) == 5
    retriever = HybridRetriever(reader, fake_embedder)
    view = retriever.view()
    best = retriever.run(retriever.query("intramuscular injection into the thigh or buttock muscle", view), view)[0]
    assert "thigh or buttock" in best.chunk.text
    (corpus_copy / "lakeshore-ketamine-therapy-advancements.txt").unlink()
    again = Syncer(reader, fake_embedder, 10**7).run(corpus_copy)
    assert again.removed == ["lakeshore-ketamine-therapy-advancements.txt"]
