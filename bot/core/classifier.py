"""The torch shape of the project's fine-tuned text classifiers, for their trainers (train/) and the tests that
compare the serving encoder with torch. Serving never imports this module's torch: bot/core/encoder.py runs
the saved weights.
"""

from __future__ import annotations

from pathlib import Path


def build_network(encoder_dir: Path, n_labels: int, pretrained: bool):
    """The architecture of the project's fine-tuned classifiers (the guard's reader, the answer reader's
    cross-encoder), shared by trainer and reader: a BERT encoder, mean pooling, dropout, a linear head.
    The trainer starts from the pretrained encoder's weights; the reader builds the bare shape (float32) and
    then loads the fine-tuned weights over it."""
    import torch
    from transformers import AutoConfig, AutoModel

    def encoder():
        if pretrained:
            return AutoModel.from_pretrained(str(encoder_dir), local_files_only=True, dtype=torch.float32)
        return AutoModel.from_config(AutoConfig.from_pretrained(str(encoder_dir), local_files_only=True))

    class TextClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder()
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_labels)

        def pooled(self, input_ids, attention_mask):
            """The mean of the encoder's token vectors (padding left out): what the heads read."""
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        def forward(self, input_ids, attention_mask):
            return self.head(self.dropout(self.pooled(input_ids, attention_mask)))

    return TextClassifier()
