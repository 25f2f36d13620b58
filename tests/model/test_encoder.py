"""The encoder that serves questions gives the vectors the torch stack gives, for both shipped models:
the bundled all-MiniLM-L6-v2 (against sentence-transformers) and the guard's fine-tuned reader (against the
trainer's own network)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.classifier import build_network
from bot.guard.net import MODEL_DIR, WEIGHTS, GuardNet, NetConfig
from bot.retrieve.embedder import FEW, Embedder, bundled_model_path

TEXTS = [
    "How is ketamine given?",
    "what r ur hours on saturday?? i cant come weekdays",
    "Ketamine therapy can be administered via several routes, including intravenous (IV) infusion, intramuscular "
    "(IM) injection, nasal spray, and oral lozenges.",
    "café naïve — “quotes” 😀 ÉCOLE",
    "ok",
    "i want to stop everything, i'm so tired of being here. what time do you open " * 6,  # past the token limit
]


@pytest.mark.slow
def test_the_serving_embedder_matches_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(bundled_model_path()), device="cpu", local_files_only=True)
    expected = reference.encode(TEXTS, normalize_embeddings=True)
    embedder = Embedder()
    assert len(TEXTS) <= FEW  # a handful of texts: the onnxruntime path
    got = embedder.embed(TEXTS)
    assert np.abs(got - expected).max() < 1e-5
    assert np.abs(embedder.embed_query(TEXTS[0]) - expected[0]).max() < 1e-5
    # a batch larger than FEW goes through sentence-transformers: the same vectors either way
    batch = embedder.embed(TEXTS * 3)
    assert np.abs(batch[: len(TEXTS)] - got).max() < 1e-5


@pytest.mark.slow
def test_the_served_embedder_reads_questions_in_int8_and_articles_as_stored():
    served, plain = Embedder.served(), Embedder()
    # the articles' vectors (ingest) are float32 either way: the index is the same whichever one wrote it
    assert np.abs(served.embed(TEXTS) - plain.embed(TEXTS)).max() < 1e-6
    questions = served.embed_queries(TEXTS)
    cosines = (questions * plain.embed(TEXTS)).sum(axis=1)
    assert np.allclose(np.linalg.norm(questions, axis=1), 1.0, atol=1e-5)
    assert cosines.min() > 0.95 and cosines.max() < 1 - 1e-6  # near the float32 vector, but read in int8
    assert np.array_equal(served.embed_query(TEXTS[1]), served.embed_queries([TEXTS[1]])[0])


@pytest.mark.slow
def test_the_guards_served_reader_matches_its_torch_network():
    import torch
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    config = NetConfig.read(MODEL_DIR)
    network = build_network(MODEL_DIR, len(config.labels), pretrained=False)
    network.load_state_dict({k: v.float() for k, v in load_file(str(MODEL_DIR / WEIGHTS)).items()})
    network.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(MODEL_DIR), local_files_only=True)
    batch = tokenizer(TEXTS, padding=True, truncation=True, max_length=config.max_tokens, return_tensors="pt")
    with torch.inference_mode():
        logits = network(batch["input_ids"], batch["attention_mask"]).double().numpy() / config.temperature
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    assert np.abs(GuardNet().probabilities(TEXTS) - expected).max() < 1e-5
