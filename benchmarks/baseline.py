"""The tutorial-grade LangChain RAG clinicbot is compared against.

Load each .txt file, split it with RecursiveCharacterTextSplitter(1000, 200), embed with the
same bundled MiniLM, store in langchain_chroma.Chroma and return the top-4 by similarity.
No cleaning, no dedupe, no abstaining: the answer is simply the best-matching chunk.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bot.retrieve.embedder import Embedder, LangChainEmbeddings
from ingest.load import is_article_file, load

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


def load_documents(corpus_dir: Path) -> list:
    """One LangChain Document per corpus article (names starting with '_' or '.' skipped): .txt as it is,
    other formats as their plain extracted text, with no cleaning."""
    from langchain_core.documents import Document

    paths = sorted(p for p in corpus_dir.iterdir() if is_article_file(p))
    return [
        Document(
            page_content=p.read_text(encoding="utf-8") if p.suffix == ".txt" else load(p, 10**8).text,
            metadata={"source": p.name},
        )
        for p in paths
    ]


def split_documents(documents: list) -> list:
    """The tutorial splitter: 1000 characters with 200 of overlap."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP).split_documents(documents)


class Baseline:
    """Plain split-embed-retrieve RAG over a corpus folder, built once; ask() never abstains."""

    def __init__(self, corpus_dir: Path, embedder, workdir: Path):
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.store = Chroma(
            collection_name="baseline",
            embedding_function=LangChainEmbeddings(embedder),
            persist_directory=str(workdir),
            client_settings=ChromaSettings(anonymized_telemetry=False),
        )
        self.store.reset_collection()  # a reused workdir must not double the chunks
        self.chunks = split_documents(load_documents(Path(corpus_dir)))
        self.store.add_documents(self.chunks)

    def ask(self, question: str) -> dict:
        """The top chunk as the answer, the 4 retrieved files as sources, and the wall time in ms."""
        started = time.perf_counter()
        docs = self.store.similarity_search(question, k=TOP_K)
        return {
            "answer": docs[0].page_content if docs else "",
            "sources": [d.metadata["source"] for d in docs],
            "kind": "answer",
            "ms": (time.perf_counter() - started) * 1000,
        }


def main() -> None:
    """Self-check: build the baseline over corpus/ and ask one question."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    with tempfile.TemporaryDirectory(prefix="clinicbot-baseline-") as tmp:
        baseline = Baseline(Path(__file__).resolve().parents[1] / "corpus", Embedder(), Path(tmp))
        result = baseline.ask("where do people get ketamine treatment?")
    print(f"{len(baseline.chunks)} chunks; {result['ms']:.0f} ms; sources: {result['sources']}")
    print(result["answer"])


if __name__ == "__main__":
    main()
