"""The few ONNX messages an encoder graph needs, written in protobuf's wire format by hand.

Why not the `onnx` package: importing it takes about 0.7 s and 15 MB in a cold process (it loads its whole
helper and reference stack), for a graph that is a few hundred nodes. onnxruntime reads the bytes; the field
numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
ValueInfoProto), and tests/unit/test_onnx_graph.py parses what this writes with the `onnx` package itself.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

FLOAT, UINT8, INT8, INT64 = 1, 2, 3, 7  # TensorProto.DataType
DTYPE = {np.dtype(np.float32): FLOAT, np.dtype(np.uint8): UINT8, np.dtype(np.int8): INT8, np.dtype(np.int64): INT64}
MICROSOFT = "com.microsoft"  # onnxruntime's own operators (DynamicQuantizeMatMul)
EXTERNAL = 1  # TensorProto.DataLocation
ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ATTRIBUTE_INTS = 1, 2, 7  # AttributeProto.AttributeType


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64s are written as their two's complement
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _int(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _bytes(field: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def attribute(name: str, value: float | int | Sequence[int]) -> bytes:
    """An AttributeProto: a float, an int or a list of ints."""
    if isinstance(value, float):
        return _bytes(1, name) + _varint(2 << 3 | 5) + struct.pack("<f", value) + _int(20, ATTRIBUTE_FLOAT)
    if isinstance(value, int):
        return _bytes(1, name) + _int(3, value) + _int(20, ATTRIBUTE_INT)
    return _bytes(1, name) + b"".join(_int(8, v) for v in value) + _int(20, ATTRIBUTE_INTS)


def node(kind: str, inputs: Sequence[str], outputs: Sequence[str], attributes: dict, domain: str = "") -> bytes:
    """A NodeProto, of the default operator domain unless `domain` names another."""
    body = b"".join(_bytes(1, i) for i in inputs) + b"".join(_bytes(2, o) for o in outputs)
    body += _bytes(4, kind) + b"".join(_bytes(5, attribute(k, v)) for k, v in attributes.items())
    return body + (_bytes(7, domain) if domain else b"")


def tensor(name: str, value: np.ndarray, outside: bool) -> bytes:
    """A TensorProto: its bytes inline, or (outside) only its name and shape, the data to be handed over."""
    body = b"".join(_int(1, d) for d in value.shape) + _int(2, DTYPE[value.dtype]) + _bytes(8, name)
    if not outside:
        return body + _bytes(9, np.ascontiguousarray(value).tobytes())
    entries = (("location", "memory"), ("offset", "0"), ("length", str(value.nbytes)))
    body += b"".join(_bytes(13, _bytes(1, k) + _bytes(2, v)) for k, v in entries)
    return body + _int(14, EXTERNAL)


def value_info(name: str, dtype: int, dims: Sequence[int | str]) -> bytes:
    """A ValueInfoProto for a tensor whose dimensions are sizes or names (sizes known only at run time)."""
    shape = b"".join(_bytes(1, _int(1, d) if isinstance(d, int) else _bytes(2, d)) for d in dims)
    return _bytes(1, name) + _bytes(2, _bytes(1, _int(1, dtype) + _bytes(2, shape)))


def model(
    nodes: Sequence[bytes],
    initializers: Sequence[bytes],
    inputs: Sequence[bytes],
    outputs: Sequence[bytes],
    opset: int,
    ir_version: int,
) -> bytes:
    """A ModelProto of one graph, importing the default operator domain at `opset` and onnxruntime's own
    operators (used only by a quantized graph)."""
    graph = b"".join(_bytes(1, n) for n in nodes) + _bytes(2, "bert_encoder")
    graph += b"".join(_bytes(5, t) for t in initializers)
    graph += b"".join(_bytes(11, i) for i in inputs) + b"".join(_bytes(12, o) for o in outputs)
    imports = _bytes(8, _int(2, opset)) + _bytes(8, _bytes(1, MICROSOFT) + _int(2, 1))
    return _int(1, ir_version) + _bytes(2, "clinicbot") + _bytes(7, graph) + imports
