"""Read a TFLite flatbuffer into a plain, framework-free graph description.

Constant tensors come out as float32 numpy arrays with the work TFLite does at load time already
done: fp16 weights behind DEQUANTIZE are dequantized and sparse weights behind DENSIFY are
densified, so those two ops disappear from the graph. Shapes stay in TFLite's NHWC convention;
`torch_graph` is what converts layouts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import tflite
from tflite.BuiltinOperator import BuiltinOperator
from tflite.DimensionType import DimensionType
from tflite.SparseIndexVector import SparseIndexVector

_OP_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
_NUMPY_TYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}

# op name → (flatbuffer options class, the option getters we need, by attribute name)
_OPTION_FIELDS = {
    "CONV_2D": ("Conv2DOptions", ["Padding", "StrideH", "StrideW", "DilationHFactor", "DilationWFactor", "FusedActivationFunction"]),
    "DEPTHWISE_CONV_2D": ("DepthwiseConv2DOptions", ["Padding", "StrideH", "StrideW", "DilationHFactor", "DilationWFactor", "DepthMultiplier", "FusedActivationFunction"]),
    "MAX_POOL_2D": ("Pool2DOptions", ["Padding", "StrideH", "StrideW", "FilterHeight", "FilterWidth", "FusedActivationFunction"]),
    "AVERAGE_POOL_2D": ("Pool2DOptions", ["Padding", "StrideH", "StrideW", "FilterHeight", "FilterWidth", "FusedActivationFunction"]),
    "ADD": ("AddOptions", ["FusedActivationFunction"]),
    "MUL": ("MulOptions", ["FusedActivationFunction"]),
    "CONCATENATION": ("ConcatenationOptions", ["Axis", "FusedActivationFunction"]),
    "RESIZE_BILINEAR": ("ResizeBilinearOptions", ["AlignCorners", "HalfPixelCenters"]),
    "DEPTH_TO_SPACE": ("DepthToSpaceOptions", ["BlockSize"]),
}


class UnsupportedGraphError(Exception):
    """The TFLite graph uses something this exporter does not re-express."""


@dataclass
class Tensor:
    name: str
    shape: tuple[int, ...]  # TFLite (NHWC) order
    const: np.ndarray | None = None  # float32/int32 data for weights and shape operands


@dataclass
class Op:
    kind: str  # builtin name, or "CUSTOM:<code>"
    inputs: list[int]  # tensor indices, -1 = optional input left out
    outputs: list[int]
    options: dict = field(default_factory=dict)


@dataclass
class Graph:
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]


def _sparse_index_values(table, kind: int) -> np.ndarray:
    cls = {
        SparseIndexVector.Int32Vector: tflite.Int32Vector,
        SparseIndexVector.Uint16Vector: tflite.Uint16Vector,
        SparseIndexVector.Uint8Vector: tflite.Uint8Vector,
    }[kind]
    vector = cls()
    vector.Init(table.Bytes, table.Pos)
    return vector.ValuesAsNumpy().astype(np.int64)


def densify(values: np.ndarray, shape: tuple[int, ...], sparsity) -> np.ndarray:
    """Dense array of `shape` from TFLite sparse storage.

    Supports the layout mediapipe's detector uses: identity traversal order, no block map,
    every dimension dense except the last, which is CSR (segments + column indices).
    """
    rank = len(shape)
    order = sparsity.TraversalOrderAsNumpy()
    dims = [sparsity.DimMetadata(i) for i in range(sparsity.DimMetadataLength())]
    if (
        list(order) != list(range(rank))
        or sparsity.BlockMapLength() != 0
        or any(d.Format() != DimensionType.DENSE for d in dims[:-1])
        or dims[-1].Format() != DimensionType.SPARSE_CSR
    ):
        raise UnsupportedGraphError("sparse tensor layout other than dense-rows + CSR last dim")
    last = dims[-1]
    segments = _sparse_index_values(last.ArraySegments(), last.ArraySegmentsType())
    columns = _sparse_index_values(last.ArrayIndices(), last.ArrayIndicesType())
    rows = int(np.prod(shape[:-1]))
    dense = np.zeros((rows, shape[-1]), values.dtype)
    for row in range(rows):
        start, end = segments[row], segments[row + 1]
        dense[row, columns[start:end]] = values[start:end]
    return dense.reshape(shape)


def _options(op, kind: str) -> dict:
    if kind not in _OPTION_FIELDS:
        return {}
    class_name, getters = _OPTION_FIELDS[kind]
    options = getattr(tflite, class_name)()
    table = op.BuiltinOptions()
    options.Init(table.Bytes, table.Pos)
    return {name: getattr(options, name)() for name in getters}


def _custom_options(op) -> dict:
    # Convolution2DTransposeBias stores a TfLitePaddingParams-like struct: padding, stride_w, stride_h.
    raw = np.frombuffer(bytes(op.CustomOptionsAsNumpy()), np.int32)
    return {"Padding": int(raw[0]), "StrideW": int(raw[1]), "StrideH": int(raw[2])}


def read_graph(data: bytes) -> Graph:
    """Parse TFLite model bytes (first subgraph) into a `Graph` with folded constants."""
    model = tflite.Model.GetRootAsModel(data, 0)
    if model.SubgraphsLength() != 1:
        raise UnsupportedGraphError("models with several subgraphs are not supported")
    sub = model.Subgraphs(0)
    tensors: list[Tensor] = []
    for i in range(sub.TensorsLength()):
        t = sub.Tensors(i)
        shape = tuple(int(s) for s in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        buffer = model.Buffers(t.Buffer())
        const = None
        if buffer is not None and buffer.DataLength() > 0:
            dtype = _NUMPY_TYPES[t.Type()]
            const = np.frombuffer(buffer.DataAsNumpy().tobytes(), dtype)
            if t.Sparsity() is not None:
                const = densify(const, shape, t.Sparsity())
            else:
                const = const.reshape(shape)
        tensors.append(Tensor(t.Name().decode(), shape, const))

    ops: list[Op] = []
    for i in range(sub.OperatorsLength()):
        op = sub.Operators(i)
        code = model.OperatorCodes(op.OpcodeIndex())
        kind = _OP_NAMES[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
        inputs = [int(x) for x in op.InputsAsNumpy()]
        outputs = [int(x) for x in op.OutputsAsNumpy()]
        if kind in ("DEQUANTIZE", "DENSIFY"):
            # Load-time work on weights: fold it into a constant float32 tensor.
            source = tensors[inputs[0]].const
            if source is None:
                raise UnsupportedGraphError(f"{kind} of a non-constant tensor")
            tensors[outputs[0]].const = source.astype(np.float32) if kind == "DEQUANTIZE" else source
            continue
        if kind == "CUSTOM":
            kind = "CUSTOM:" + code.CustomCode().decode()
            options = _custom_options(op)
        else:
            options = _options(op, kind)
        ops.append(Op(kind, inputs, outputs, options))

    for t in tensors:
        if t.const is not None and t.const.dtype == np.float16:
            t.const = t.const.astype(np.float32)
    return Graph(
        tensors,
        ops,
        [int(x) for x in sub.InputsAsNumpy()],
        [int(x) for x in sub.OutputsAsNumpy()],
    )
