"""The encoder on a tiny BERT made in the test: the same token vectors as transformers' own BertModel
with the same weights, padding that changes nothing, and a clear error for a missing file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.core.encoder import Encoder, EncoderFilesMissing

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "clinic", "opens", "at", "nine", "is", "it", "open", "?", "."]


def tiny_bert(folder):
    """A 2-layer, 16-wide BERT with random weights and a word-level vocabulary, saved as a model folder."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    model = BertModel(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer = Tokenizer(models.WordPiece({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer.save(str(folder / "tokenizer.json"))
    return model


def test_token_vectors_match_transformers_bert(tmp_path):
    import torch

    model = tiny_bert(tmp_path)
    encoder = Encoder(tmp_path, max_tokens=32)
    ids, mask = encoder.tokens(["The clinic opens at nine.", "is it open?"])
    with torch.inference_mode():
        expected = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask)).last_hidden_state.numpy()
    got = encoder.hidden(ids, mask)
    real = mask.astype(bool)
    assert np.abs(got[real] - expected[real]).max() < 1e-5


def test_padding_beside_a_longer_text_changes_nothing(tmp_path):
    tiny_bert(tmp_path)
    encoder = Encoder(tmp_path, max_tokens=32)
    alone = encoder.mean_pooled(["is it open?"])
    beside = encoder.mean_pooled(["the clinic opens at nine . the clinic opens at nine .", "is it open?"])
    assert np.abs(alone[0] - beside[1]).max() < 1e-5


def test_a_missing_weights_file_is_named(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"num_attention_heads": 1, "num_hidden_layers": 1}))
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(EncoderFilesMissing, match="model.safetensors"):
        Encoder(tmp_path)


def test_texts_of_many_lengths_keep_their_order_and_vectors(tmp_path):
    # texts are run in groups of like length: each vector must still come back in its text's place
    tiny_bert(tmp_path)
    encoder = Encoder(tmp_path, max_tokens=32)
    texts = ["the clinic opens at nine . " * n + "is it open?" for n in (3, 0, 2, 0, 1, 3)]
    together = encoder.mean_pooled(texts)
    alone = np.concatenate([encoder.mean_pooled([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert np.abs(together[1] - together[0]).max() > 1e-3  # different texts, different vectors


def test_an_int8_encoder_gives_vectors_close_to_float32s(tmp_path):
    # the guard runs quantized: its sentence vectors must point where the float32 ones do, not merely be numbers
    tiny_bert(tmp_path)
    texts = ["The clinic opens at nine.", "is it open?", "the nurse calls the day before your visit"]
    exact = Encoder(tmp_path, max_tokens=32).mean_pooled(texts)
    quantized = Encoder(tmp_path, max_tokens=32).quantized().mean_pooled(texts)
    cosine = (exact * quantized).sum(axis=1) / np.linalg.norm(exact, axis=1) / np.linalg.norm(quantized, axis=1)
    assert cosine.min() > 0.99
    assert np.abs(exact - quantized).max() > 0  # it did run quantized


def test_an_encoder_built_in_int8_reads_as_its_quantized_twin_and_keeps_no_float32_layers(tmp_path):
    # the reader's cross-encoder is built this way: the same int8 graph, without the float32 one beside it
    tiny_bert(tmp_path)
    texts = ["The clinic opens at nine.", "is it open?"]
    built = Encoder(tmp_path, max_tokens=32, int8=True)
    assert np.array_equal(built.mean_pooled(texts), Encoder(tmp_path, max_tokens=32).quantized().mean_pooled(texts))
    assert built.layers == []
