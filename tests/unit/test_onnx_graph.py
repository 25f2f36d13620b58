"""The ONNX bytes bot/core/onnx_wire.py writes by hand are a model the `onnx` package itself reads and checks,
with the nodes, attributes and weights the encoder graph means."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from bot.core import onnx_wire as wire
from bot.core.encoder import Encoder
from bot.core.onnx_graph import OPSET, WEIGHT_ZERO, _Builder, encoder_graph
from bot.core.onnx_session import GraphSession
from tests.unit.test_encoder import tiny_bert


def test_a_tiny_berts_graph_is_a_valid_onnx_model(tmp_path):
    tiny_bert(tmp_path)
    encoder = Encoder(tmp_path, max_tokens=32)
    data, weights = encoder_graph(encoder.embedding_norm, encoder.layers, encoder.heads, encoder.eps)
    model = onnx.load_from_string(data)
    # the weights are declared by name and left outside the bytes, to be handed over as the arrays themselves
    outside = {t.name for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL}
    assert outside == set(weights)
    assert np.array_equal(weights["layer0.query.w"], np.asarray(encoder.layers[0].query[0]).T)
    for t in model.graph.initializer:  # the checker reads outside data from files: put it inside to check
        if t.name in weights:
            t.data_location = onnx.TensorProto.DEFAULT
            del t.external_data[:]
            t.raw_data = weights[t.name].tobytes()
    onnx.checker.check_model(model, full_check=True)  # a malformed field, an unknown operator, a dangling name
    assert [i.name for i in model.graph.input] == ["embedded", "blocked", "split_heads"]
    assert [o.name for o in model.graph.output] == ["hidden"]
    kinds = [n.op_type for n in model.graph.node]
    assert kinds.count("Gemm") == 6 * len(encoder.layers)  # q, k, v, attention out, intermediate, output
    assert kinds.count("LayerNormalization") == 1 + 2 * len(encoder.layers)


@pytest.mark.parametrize(
    "value",
    [0.5, 1e-12, -1, 3, 2**40, [0, 2, 1, 3], [-1, 384]],
)
def test_attributes_read_back_as_written(value):
    attribute = onnx.AttributeProto.FromString(wire.attribute("a", value))
    assert onnx.helper.get_attribute_value(attribute) == pytest.approx(value, rel=1e-7)


def test_inline_constants_read_back_as_written():
    for value in (np.array([-1, 384], dtype=np.int64), np.array(0.125, dtype=np.float32)):
        tensor = onnx.TensorProto.FromString(wire.tensor("c", value, outside=False))
        assert np.array_equal(onnx.numpy_helper.to_array(tensor), value)


def test_an_int8_graph_is_valid_and_quantizes_every_linear_layer(tmp_path):
    tiny_bert(tmp_path)
    encoder = Encoder(tmp_path, max_tokens=32)
    data, weights = encoder_graph(encoder.embedding_norm, encoder.layers, encoder.heads, encoder.eps, int8=True)
    model = onnx.load_from_string(data)
    for t in model.graph.initializer:
        if t.name in weights:
            t.data_location = onnx.TensorProto.DEFAULT
            del t.external_data[:]
            t.raw_data = weights[t.name].tobytes()
    onnx.checker.check_model(model)
    quantized = [n for n in model.graph.node if n.op_type == "DynamicQuantizeMatMul"]
    assert len(quantized) == 6 * len(encoder.layers) and {n.domain for n in quantized} == {wire.MICROSOFT}
    assert not [n for n in model.graph.node if n.op_type == "Gemm"]
    # each column's largest weight is written as +-127 (offset by WEIGHT_ZERO), and scale * int8 gives it back
    w = np.asarray(encoder.layers[0].intermediate[0])
    q, scale = weights["layer0.intermediate.q"], weights["layer0.intermediate.scale"]
    signed = q.astype(np.int32) - WEIGHT_ZERO
    assert q.dtype == np.uint8 and np.abs(signed).max(axis=0).min() == 127
    assert np.abs(signed * scale - w).max() <= scale.max() / 2 + 1e-7


def test_an_int8_layer_computes_the_exact_integer_product_on_this_cpu():
    # On AVX2 CPUs without VNNI, onnxruntime's unsigned-by-signed kernel saturated at 16 bits: a BERT-sized
    # layer came out off by about 40 (of 225), so the same commit answered differently per CPU.
    rng = np.random.default_rng(0)
    w = rng.normal(size=(384, 384)).astype(np.float32)
    x = (rng.normal(size=(64, 384)) * 3).astype(np.float32)
    builder = _Builder(int8=True)
    out = builder._linear_int8("x", (w, np.zeros(384, dtype=np.float32)), "layer")
    builder.nodes.append(wire.node("Identity", [out], ["y"], {}))
    io = [wire.value_info(n, wire.FLOAT, ["rows", 384]) for n in ("x", "y")]
    model = wire.model(builder.nodes, builder.declared, io[:1], io[1:], opset=OPSET, ir_version=9)
    got = GraphSession(model, builder.weights).run({"x": x})
    # the reference: onnxruntime's documented quantization of x (asymmetric, to 0..255) times the int8 weights
    scale = np.abs(w).max(axis=0) / 127
    weights = np.clip(np.rint(w / scale), -127, 127)
    low, high = min(0.0, x.min()), max(0.0, x.max())
    step = (high - low) / 255
    zero = np.clip(np.rint(-low / step), 0, 255)
    exact = ((np.clip(np.rint(x / step) + zero, 0, 255) - zero) @ weights) * step * scale
    assert np.abs(got - exact).max() < 1e-3 * np.abs(exact).max()
