"""Execute a `tflite_reader.Graph` as a torch module with the same arithmetic.

Activations flow in NCHW (torch/ONNX convention) inside the module; the module's inputs and
outputs keep TFLite's NHWC shapes so the ONNX file is a drop-in replacement for the TFLite one.
TFLite SAME padding is asymmetric (extra row/column at the bottom/right) and TF graphs often pad
explicitly before a VALID convolution; both end up in the ONNX Conv's own `pads` attribute, so the
exported graph has no Pad nodes in front of convolutions (worth ~13% on the CPU).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models.export.tflite_reader import Graph, Op, UnsupportedGraphError

SAME, VALID = 0, 1  # tflite.Padding
NHWC_TO_NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1}


def _activate(x: torch.Tensor, code: int) -> torch.Tensor:
    # tflite.ActivationFunctionType: NONE, RELU, RELU_N1_TO_1, RELU6, TANH
    if code == 0:
        return x
    if code == 1:
        return F.relu(x)
    if code == 2:
        return torch.clamp(x, -1.0, 1.0)
    if code == 3:
        return F.relu6(x)
    if code == 4:
        return torch.tanh(x)
    raise UnsupportedGraphError(f"fused activation {code}")


def _same_pad(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _nchw_const(array: np.ndarray, other_rank: int) -> torch.Tensor:
    """A constant operand of an elementwise op, laid out to broadcast against an NCHW tensor."""
    t = torch.from_numpy(np.ascontiguousarray(array))
    if other_rank != 4 or t.ndim == 0:
        return t
    t = t.reshape((1,) * (4 - t.ndim) + tuple(t.shape))
    return t.permute(0, 3, 1, 2).contiguous()


class _AsymmetricConv(torch.autograd.Function):
    """A convolution with TFLite's asymmetric SAME padding that exports as one ONNX Conv.

    torch's conv2d only pads symmetrically, so the forward pass pads explicitly; the ONNX symbolic
    writes the padding into the Conv's own `pads` attribute instead of a separate Pad node.
    """

    # Scalars only: the tracer rejects tuple arguments to a Function with a symbolic.
    @staticmethod
    def forward(ctx, x, weight, bias, stride_h, stride_w, dilation_h, dilation_w, groups, top, left, bottom, right):  # noqa: ARG004
        padded = F.pad(x, (left, right, top, bottom))
        return F.conv2d(padded, weight, bias, (stride_h, stride_w), 0, (dilation_h, dilation_w), groups)

    @staticmethod
    def symbolic(g, x, weight, bias, stride_h, stride_w, dilation_h, dilation_w, groups, top, left, bottom, right):
        kernel = weight.type().sizes()[2:]
        return g.op("Conv", x, weight, bias, kernel_shape_i=kernel, strides_i=[stride_h, stride_w],
                    dilations_i=[dilation_h, dilation_w], group_i=groups, pads_i=[top, left, bottom, right])


class TFLiteModule(nn.Module):
    """A torch re-expression of one TFLite graph (NHWC in, NHWC out)."""

    def __init__(self, graph: Graph):
        super().__init__()
        self.graph = graph
        self.weights = nn.ParameterDict()
        self._folded_pads: dict[int, tuple[int, int, int, int]] = {}  # conv op index → top, left, bottom, right
        self._pass_through: set[int] = set()  # PAD ops folded into every consumer
        self._fold_spatial_pads()
        for index, op in enumerate(graph.ops):
            self._prepare(index, op)

    def _fold_spatial_pads(self) -> None:
        consumers: dict[int, list[int]] = {}
        for index, op in enumerate(self.graph.ops):
            for tensor_index in op.inputs:
                consumers.setdefault(tensor_index, []).append(index)
        for index, op in enumerate(self.graph.ops):
            if op.kind != "PAD":
                continue
            pads = self.graph.tensors[op.inputs[1]].const.astype(int)
            users = consumers.get(op.outputs[0], [])
            foldable = (
                not pads[0].any() and not pads[3].any() and users and op.outputs[0] not in self.graph.outputs
                and all(self.graph.ops[u].kind in ("CONV_2D", "DEPTHWISE_CONV_2D")
                        and self.graph.ops[u].options["Padding"] == VALID
                        and self.graph.ops[u].inputs[0] == op.outputs[0] for u in users)
            )
            if foldable:
                self._pass_through.add(index)
                for user in users:
                    self._folded_pads[user] = (int(pads[1][0]), int(pads[2][0]), int(pads[1][1]), int(pads[2][1]))

    # -- weights, converted once to torch layouts --------------------------------------------
    def _const(self, tensor_index: int) -> np.ndarray:
        const = self.graph.tensors[tensor_index].const
        if const is None:
            raise UnsupportedGraphError(f"tensor {self.graph.tensors[tensor_index].name} must be constant")
        return const

    def _keep(self, index: int, name: str, array: np.ndarray | torch.Tensor) -> None:
        t = torch.as_tensor(np.ascontiguousarray(array)) if isinstance(array, np.ndarray) else array
        self.weights[f"op{index}_{name}"] = nn.Parameter(t.float(), requires_grad=False)

    def _w(self, index: int, name: str) -> torch.Tensor:
        return self.weights[f"op{index}_{name}"]

    def _prepare(self, index: int, op: Op) -> None:
        t = self.graph.tensors
        if op.kind == "CONV_2D":  # OHWI → OIHW
            self._keep(index, "w", self._const(op.inputs[1]).transpose(0, 3, 1, 2))
            self._keep(index, "b", self._const(op.inputs[2]))
        elif op.kind == "DEPTHWISE_CONV_2D":  # 1HW(C·m) → (C·m)1HW
            self._keep(index, "w", self._const(op.inputs[1]).transpose(3, 0, 1, 2))
            self._keep(index, "b", self._const(op.inputs[2]))
        elif op.kind == "CUSTOM:Convolution2DTransposeBias":  # OHWI → IOHW
            self._keep(index, "w", self._const(op.inputs[1]).transpose(3, 0, 1, 2))
            self._keep(index, "b", self._const(op.inputs[2]))
        elif op.kind == "PRELU":
            self._keep(index, "alpha", self._const(op.inputs[1]).reshape(-1))
        elif op.kind in ("ADD", "MUL"):
            for slot, tensor_index in enumerate(op.inputs):
                if t[tensor_index].const is not None:
                    other = op.inputs[1 - slot]
                    self._keep(index, f"in{slot}", _nchw_const(t[tensor_index].const, len(t[other].shape)))

    # -- execution ----------------------------------------------------------------------------
    def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        tensors = self.graph.tensors
        values: dict[int, torch.Tensor] = {}
        for tensor_index, x in zip(self.graph.inputs, inputs):
            values[tensor_index] = x.permute(0, 3, 1, 2) if x.ndim == 4 else x
        for index, op in enumerate(self.graph.ops):
            args = [values.get(i) for i in op.inputs]
            out = self._run(index, op, args)
            values[op.outputs[0]] = out
        results = []
        for tensor_index in self.graph.outputs:
            y = values[tensor_index]
            results.append(y.permute(0, 2, 3, 1) if len(tensors[tensor_index].shape) == 4 else y)
        return tuple(results)

    def _conv(self, index: int, op: Op, x: torch.Tensor, groups: int) -> torch.Tensor:
        o = op.options
        w = self._w(index, "w")
        stride, dilation = (o["StrideH"], o["StrideW"]), (o["DilationHFactor"], o["DilationWFactor"])
        if o["Padding"] == SAME:
            # Shapes are static; int() keeps the tracer from turning them into graph values.
            top, bottom = _same_pad(int(x.shape[2]), int(w.shape[2]), stride[0], dilation[0])
            left, right = _same_pad(int(x.shape[3]), int(w.shape[3]), stride[1], dilation[1])
        else:
            top, left, bottom, right = self._folded_pads.get(index, (0, 0, 0, 0))
        if (top, left) == (bottom, right):
            y = F.conv2d(x, w, self._w(index, "b"), stride, (top, left), dilation, groups)
        else:
            y = _AsymmetricConv.apply(x, w, self._w(index, "b"), *stride, *dilation, groups, top, left, bottom, right)
        return _activate(y, o["FusedActivationFunction"])

    def _operand(self, index: int, op: Op, args: list, slot: int) -> torch.Tensor:
        return args[slot] if args[slot] is not None else self._w(index, f"in{slot}")

    def _run(self, index: int, op: Op, args: list) -> torch.Tensor:
        o, kind = op.options, op.kind
        tensors = self.graph.tensors
        x = args[0]
        if kind == "CONV_2D":
            return self._conv(index, op, x, groups=1)
        if kind == "DEPTHWISE_CONV_2D":
            if o["DepthMultiplier"] != 1:
                raise UnsupportedGraphError("depthwise convolution with a depth multiplier")
            return self._conv(index, op, x, groups=int(self._w(index, "w").shape[0]))
        if kind in ("ADD", "MUL"):
            a, b = self._operand(index, op, args, 0), self._operand(index, op, args, 1)
            return _activate(a + b if kind == "ADD" else a * b, o["FusedActivationFunction"])
        if kind == "RELU":
            return F.relu(x)
        if kind == "RELU6":
            return F.relu6(x)
        if kind == "LOGISTIC":
            return torch.sigmoid(x)
        if kind == "HARD_SWISH":
            return F.hardswish(x)
        if kind == "PRELU":
            return F.prelu(x, self._w(index, "alpha"))
        if kind == "PAD" and index in self._pass_through:
            return x  # folded into the convolutions that read it
        if kind == "PAD":
            pads = self._const(op.inputs[1]).astype(int)  # NHWC rows of (before, after)
            if pads[0].any():
                raise UnsupportedGraphError("PAD of the batch axis")
            n, c, h, w = (int(d) for d in x.shape)
            (c0, c1), (t, b), (l, r) = pads[3], pads[1], pads[2]
            # Zero blocks concatenated on (instead of F.pad) export as static initializers, which
            # graph simplifiers fold cleanly; channel pads feed BlazeNet's residual additions.
            if c0 or c1:
                x = torch.cat([torch.zeros(n, int(c0), h, w), x, torch.zeros(n, int(c1), h, w)], 1)
            if t or b or l or r:
                raise UnsupportedGraphError("spatial PAD that does not feed a convolution")
            return x
        if kind in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
            if o["Padding"] != VALID:
                raise UnsupportedGraphError(f"{kind} with SAME padding")
            kernel, stride = (o["FilterHeight"], o["FilterWidth"]), (o["StrideH"], o["StrideW"])
            pool = F.max_pool2d if kind == "MAX_POOL_2D" else F.avg_pool2d
            return _activate(pool(x, kernel, stride), o["FusedActivationFunction"])
        if kind == "RESIZE_BILINEAR":
            if o["AlignCorners"] or not o["HalfPixelCenters"]:
                raise UnsupportedGraphError("RESIZE_BILINEAR other than half-pixel centres")
            size = tuple(int(v) for v in self._const(op.inputs[1]))
            height, width = int(x.shape[2]), int(x.shape[3])
            if size[0] % height or size[1] % width:
                raise UnsupportedGraphError("RESIZE_BILINEAR by a non-integer factor")
            # Constant scales keep the exported Resize free of run-time shape arithmetic.
            factor = (float(size[0] // height), float(size[1] // width))
            return F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False,
                                 recompute_scale_factor=False)
        if kind == "DEPTH_TO_SPACE":
            # TF order (DCR): depth index = (i·bs + j)·C_out + c.
            bs = o["BlockSize"]
            n, c, h, w = (int(d) for d in x.shape)
            y = x.reshape(n, bs, bs, c // (bs * bs), h, w).permute(0, 3, 4, 1, 5, 2)
            return y.reshape(n, c // (bs * bs), h * bs, w * bs)
        if kind == "RESHAPE":
            if x.ndim == 4:
                x = x.permute(0, 2, 3, 1)
            out_shape = tensors[op.outputs[0]].shape
            y = x.reshape(out_shape)
            return y.permute(0, 3, 1, 2) if len(out_shape) == 4 else y
        if kind == "CONCATENATION":
            rank = len(tensors[op.outputs[0]].shape)
            axis = o["Axis"] % rank
            if rank == 4:
                axis = NHWC_TO_NCHW_AXIS[axis]
            return _activate(torch.cat(args, dim=axis), o["FusedActivationFunction"])
        if kind == "CUSTOM:Convolution2DTransposeBias":
            if o["Padding"] != VALID:
                raise UnsupportedGraphError("transposed convolution with SAME padding")
            return F.conv_transpose2d(x, self._w(index, "w"), self._w(index, "b"), (o["StrideH"], o["StrideW"]))
        raise UnsupportedGraphError(f"operator {kind}")
