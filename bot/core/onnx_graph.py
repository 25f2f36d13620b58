"""A BERT encoder's transformer layers as an ONNX graph, built from weights already in memory (its bytes are
written by bot/core/onnx_wire.py).

The graph is code, not a file: the safetensors weights stay the one copy of a model in the repo (and in
memory: the graph names them, onnxruntime reads the mapped arrays), and any model folder the encoder can read
(the bundled embedder, the guard's and the reader's fine-tuned copies, a test's tiny BERT) runs the same way.
The operations are BERT's own, in float32 (exact GELU by erf), so the vectors are the ones torch gives.
Quantized (`int8=True`), each linear layer's weights become 8-bit integers with one scale per output column
(kept as unsigned bytes, so that every CPU computes the same integers), and onnxruntime's DynamicQuantizeMatMul
quantizes the activations per call: faster on two cores, vectors close to (not equal to) float32's, and a copy
of the weights 4 times smaller than theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core import onnx_wire as wire

OPSET = 17  # LayerNormalization is an operator from opset 17 on
OUTPUT = "hidden"
WEIGHT_ZERO = 128  # an int8 weight w is stored as the byte w + 128 (see _Builder._linear_int8)


@dataclass(frozen=True)
class Layer:
    """One transformer layer's (weight, bias) pairs; each weight a transposed view of torch's [out, in] array."""

    query: tuple[np.ndarray, np.ndarray]
    key: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]
    attention_out: tuple[np.ndarray, np.ndarray]
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    output_norm: tuple[np.ndarray, np.ndarray]


class _Builder:
    """Nodes of one graph, each named in order, and its weights: declared in the graph as held outside it and
    handed to onnxruntime as the arrays themselves (views of the mapped safetensors file), so that loading a
    model copies no weight."""

    def __init__(self, int8: bool = False):
        self.int8 = int8
        self.nodes: list[bytes] = []
        self.declared: list[bytes] = []
        self.weights: dict[str, np.ndarray] = {}

    def const(self, name: str, value: np.ndarray) -> str:
        value = np.ascontiguousarray(value)  # no copy for the mapped weights, which are contiguous
        self.declared.append(wire.tensor(name, value, outside=True))
        self.weights[name] = value
        return name

    def inline(self, name: str, value: np.ndarray) -> str:
        """A small constant (a scale, a shape) kept in the graph itself, where shape inference can read it."""
        self.declared.append(wire.tensor(name, value, outside=False))
        return name

    def op(self, kind: str, inputs: Sequence[str], **attributes: float | int | list[int]) -> str:
        out = f"n{len(self.nodes)}"
        self.nodes.append(wire.node(kind, inputs, [out], attributes))
        return out

    def linear(self, x: str, weights: tuple[np.ndarray, np.ndarray], name: str) -> str:
        if self.int8:
            return self._linear_int8(x, weights, name)
        # the weights lie as torch keeps them, [out, in]: Gemm reads them transposed where they lie
        w, bias = self.const(f"{name}.w", weights[0].T), self.const(f"{name}.b", weights[1])
        return self.op("Gemm", [x, w, bias], transB=1)

    def _linear_int8(self, x: str, weights: tuple[np.ndarray, np.ndarray], name: str) -> str:
        """x @ W + b with W as 8-bit integers per output column (scale = largest |w| / 127), stored offset by
        128 as unsigned bytes. Why unsigned: onnxruntime multiplies unsigned activations by signed weights with
        an AVX2 instruction that saturates at 16 bits on CPUs without VNNI (off by tens on a BERT layer, so the
        same commit decided differently per CPU); unsigned by unsigned is exact on every x86 CPU."""
        matrix = np.asarray(weights[0], dtype=np.float32)  # [in, out]
        scale = np.abs(matrix).max(axis=0) / 127.0
        scale[scale == 0] = 1.0  # an all-zero column stays zero whatever its scale
        quantized = (np.clip(np.rint(matrix / scale), -127, 127) + WEIGHT_ZERO).astype(np.uint8)
        inputs = [
            x,
            self.const(f"{name}.q", quantized),
            self.const(f"{name}.scale", scale.astype(np.float32)),
            self.const(f"{name}.zero", np.full(quantized.shape[1], WEIGHT_ZERO, dtype=np.uint8)),
            self.const(f"{name}.b", weights[1]),
        ]
        out = f"n{len(self.nodes)}"
        self.nodes.append(wire.node("DynamicQuantizeMatMul", inputs, [out], {}, domain=wire.MICROSOFT))
        return out

    def norm(self, x: str, weights: tuple[np.ndarray, np.ndarray], name: str, eps: float) -> str:
        scale, shift = self.const(f"{name}.g", weights[0]), self.const(f"{name}.b", weights[1])
        return self.op("LayerNormalization", [x, scale, shift], axis=-1, epsilon=eps)


def encoder_graph(
    embedding_norm: tuple[np.ndarray, np.ndarray],
    layers: Sequence[Layer],
    heads: int,
    eps: float,
    int8: bool = False,
) -> tuple[bytes, dict[str, np.ndarray]]:
    """The serialized ONNX model of the embedding norm and the transformer layers (their linear layers in
    int8 if asked), and the weights it declares by name. Inputs: "embedded" [batch x tokens, width],
    "blocked" [batch, 1, 1, tokens] and "split_heads" ([batch, tokens, heads, head width]); output "hidden"
    [batch x tokens, width]."""
    width = int(embedding_norm[0].shape[0])
    b = _Builder(int8)
    b.inline("scale", np.array(1 / np.sqrt(width // heads), dtype=np.float32))
    b.inline("half", np.array(0.5, dtype=np.float32))
    b.inline("one", np.array(1.0, dtype=np.float32))
    b.inline("root2", np.array(np.sqrt(2.0), dtype=np.float32))
    b.inline("join_heads", np.array([-1, width], dtype=np.int64))
    x = b.norm("embedded", embedding_norm, "embeddings", eps)
    for i, layer in enumerate(layers):
        x = _attention(b, x, layer, f"layer{i}", eps)
        inner = b.linear(x, layer.intermediate, f"layer{i}.intermediate")
        erf = b.op("Erf", [b.op("Div", [inner, "root2"])])
        inner = b.op("Mul", [b.op("Mul", [inner, "half"]), b.op("Add", [erf, "one"])])
        out = b.linear(inner, layer.output, f"layer{i}.output")
        x = b.norm(b.op("Add", [out, x]), layer.output_norm, f"layer{i}.output_norm", eps)
    b.nodes.append(wire.node("Identity", [x], [OUTPUT], {}))
    inputs = [
        wire.value_info("embedded", wire.FLOAT, ["rows", width]),
        wire.value_info("blocked", wire.FLOAT, ["batch", 1, 1, "tokens"]),
        wire.value_info("split_heads", wire.INT64, [4]),
    ]
    outputs = [wire.value_info(OUTPUT, wire.FLOAT, ["rows", width])]
    # IR version 9: what onnxruntime 1.20 and later read
    model = wire.model(b.nodes, b.declared, inputs, outputs, opset=OPSET, ir_version=9)
    return model, b.weights


def _attention(b: _Builder, x: str, layer: Layer, name: str, eps: float) -> str:
    """Multi-head self-attention with the padding blocked, then the residual and its norm."""

    def heads(projection: tuple[np.ndarray, np.ndarray], part: str, order: list[int]) -> str:
        projected = b.linear(x, projection, f"{name}.{part}")
        return b.op("Transpose", [b.op("Reshape", [projected, "split_heads"])], perm=order)

    query = heads(layer.query, "query", [0, 2, 1, 3])
    key = heads(layer.key, "key", [0, 2, 3, 1])  # transposed for query @ key
    value = heads(layer.value, "value", [0, 2, 1, 3])
    scores = b.op("Add", [b.op("Mul", [b.op("MatMul", [query, key]), "scale"]), "blocked"])
    context = b.op("MatMul", [b.op("Softmax", [scores], axis=-1), value])
    context = b.op("Reshape", [b.op("Transpose", [context], perm=[0, 2, 1, 3]), "join_heads"])
    out = b.linear(context, layer.attention_out, f"{name}.attention_out")
    return b.norm(b.op("Add", [out, x]), layer.attention_norm, f"{name}.attention_norm", eps)
