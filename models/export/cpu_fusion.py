"""A CPU-only twin of an exported model: rewrites that keep onnxruntime's CPU provider in its
blocked channel layout (NCHWc) from end to end.

BlazePose-style blocks end in `Conv → Add(skip) → Clip(0, 6)`. onnxruntime's CPU provider runs
convolutions in a blocked channel layout (NCHWc) and fuses an Add and a Relu into them, but not a
Clip after an Add: every such block then converts its tensors out of the blocked layout and back
(measured on pose_landmarks: 38 reorder nodes, 22% of the run time). Rewritten as onnxruntime's
own `com.microsoft.FusedConv` (inputs X, W, B and the summand Z; activation "Clip" with its
bounds), the chain stays blocked end to end: ~18% faster, the same arithmetic up to rounding.
`pad_narrow_channels` then does the same for the segmentation head (another ~5–8%),
`split_single_channel_convs` for its one-channel output, and `prelu_as_relu_convs` for the face
mesh's PRelus.

The twin is for the CPU provider only (the CUDA provider's FusedConv takes no Clip); the standard
file stays the one every other provider loads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS_DOMAIN = "com.microsoft"


def _constant(graph: onnx.GraphProto, producers: dict[str, onnx.NodeProto], name: str) -> float | None:
    """The scalar value of an initializer or Constant node called `name`, or None."""
    for initializer in graph.initializer:
        if initializer.name == name:
            return float(numpy_helper.to_array(initializer).reshape(-1)[0])
    node = producers.get(name)
    if node is not None and node.op_type == "Constant":
        return float(numpy_helper.to_array(node.attribute[0].t).reshape(-1)[0])
    return None


def fuse_residual_activations(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """A copy of `model` with every `Conv → Add → Clip` (the Conv feeding only the Add, the Add
    only the Clip, constant Clip bounds) replaced by one FusedConv; and how many were fused."""
    fused_model = onnx.ModelProto()
    fused_model.CopyFrom(model)
    graph = fused_model.graph
    producers = {output: node for node in graph.node for output in node.output}
    consumers: dict[str, list[onnx.NodeProto]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)

    # The fused node takes the Add's place: by then both the Conv's input and the summand exist.
    replacement: dict[int, onnx.NodeProto] = {}  # id of the Add → the FusedConv
    removed: set[int] = set()
    for clip in graph.node:
        if clip.op_type != "Clip" or len(clip.input) != 3:
            continue
        add = producers.get(clip.input[0])
        if add is None or add.op_type != "Add" or len(consumers[add.output[0]]) != 1:
            continue
        low, high = (_constant(graph, producers, name) for name in clip.input[1:])
        if low is None or high is None:
            continue
        for index, name in enumerate(add.input):
            conv = producers.get(name)
            if conv is not None and conv.op_type == "Conv" and len(consumers[name]) == 1:
                summand = add.input[1 - index]
                break
        else:
            continue
        attributes = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
        bias = list(conv.input[2:3]) or [""]
        replacement[id(add)] = helper.make_node(
            "FusedConv", [conv.input[0], conv.input[1], *bias, summand], [clip.output[0]],
            name=f"{conv.name}_add_clip", domain=MS_DOMAIN, activation="Clip", activation_params=[low, high],
            **attributes)
        removed.update({id(conv), id(clip)})

    nodes = [replacement.get(id(node), node) for node in graph.node if id(node) not in removed]
    del graph.node[:]
    graph.node.extend(nodes)
    if replacement and not any(opset.domain == MS_DOMAIN for opset in fused_model.opset_import):
        fused_model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return fused_model, len(replacement)


BLOCK = 16  # channels per block of onnxruntime's NCHWc layout with AVX-512 (8 with AVX2)
_CHANNELWISE = {"Clip", "Relu", "Add", "Resize"}  # ops that keep channels apart (Resize by scales)


def pad_narrow_channels(model: onnx.ModelProto, narrow: int = 8, block: int = BLOCK) -> tuple[onnx.ModelProto, int]:
    """A copy of `model` whose `narrow`-channel tensors between convolutions carry `block`
    channels, the extra ones zero; and how many convolutions were widened.

    The pose model's segmentation head runs 8-channel blocks at 128² and 256²: with AVX-512's
    16-channel blocks they cannot stay blocked, and onnxruntime converts each tensor out and back
    (~1.2 ms a run). The extra channels get zero weights and biases, and every convolution reading
    them zero input weights, so they never reach a result: the outputs are the same up to
    rounding; the head's arithmetic grows by a few percent of the model's. A region whose tensors
    reach anything but convolutions and channel-wise ops (an output, a reshape) is left alone.
    """
    padded_model = onnx.ModelProto()
    padded_model.CopyFrom(model)
    graph = padded_model.graph
    weights = {initializer.name: initializer for initializer in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    outputs = {output.name for output in graph.output}

    def is_conv(node: onnx.NodeProto) -> bool:
        return node.op_type in ("Conv", "FusedConv") and node.input[1] in weights

    def group(node: onnx.NodeProto) -> int:
        return next((helper.get_attribute_value(a) for a in node.attribute if a.name == "group"), 1)

    # Tensors to widen: convolution outputs with `narrow` channels, then whatever channel-wise ops
    # make of them.
    widen = [node.output[0] for node in graph.node if is_conv(node) and weights[node.input[1]].dims[0] == narrow]
    wide: set[str] = set()
    while widen:
        name = widen.pop()
        if name in wide:
            continue
        if name in outputs:
            return model, 0
        wide.add(name)
        for node in consumers[name]:
            if node.op_type in _CHANNELWISE:
                if node.op_type == "Resize" and len(node.input) > 3 and node.input[3]:
                    return model, 0  # sizes name the channel count
                widen.append(node.output[0])
            elif not is_conv(node) or group(node) not in (1, narrow) or (
                    name in node.input[3:] and node.output[0] not in wide):
                return model, 0  # not a plain or depthwise convolution, or the summand of a narrow one
    # Every Add must see wide tensors on both sides, or the channels would not line up.
    for node in graph.node:
        if node.op_type == "Add" and node.output[0] in wide and not all(name in wide for name in node.input):
            return model, 0

    conv_nodes = [node for node in graph.node if is_conv(node)]
    if len({node.input[1] for node in conv_nodes}) < len(conv_nodes):
        return model, 0  # shared weights: widening one convolution would widen another
    convs = 0
    for node in conv_nodes:
        kernel = numpy_helper.to_array(weights[node.input[1]])  # (O, I / group, kh, kw)
        depthwise = group(node) == narrow and kernel.shape[1] == 1 and node.input[0] in wide
        widened_out = node.output[0] in wide
        widened_in = node.input[0] in wide and not depthwise
        if not (widened_out or widened_in):
            continue
        if widened_out:
            kernel = np.concatenate([kernel, np.zeros((block - narrow, *kernel.shape[1:]), kernel.dtype)], 0)
            if len(node.input) > 2 and node.input[2]:
                bias = numpy_helper.to_array(weights[node.input[2]])
                weights[node.input[2]].CopyFrom(numpy_helper.from_array(
                    np.concatenate([bias, np.zeros(block - narrow, bias.dtype)]), node.input[2]))
        if widened_in:
            kernel = np.concatenate([kernel, np.zeros((kernel.shape[0], block - narrow, *kernel.shape[2:]), kernel.dtype)], 1)
        weights[node.input[1]].CopyFrom(numpy_helper.from_array(kernel, node.input[1]))
        if depthwise:
            for attribute in node.attribute:
                if attribute.name == "group":
                    attribute.i = block
        convs += 1
    for info in graph.value_info:  # the recorded shapes, so onnxruntime's shape check agrees
        if info.name in wide and len(info.type.tensor_type.shape.dim) > 1:
            info.type.tensor_type.shape.dim[1].dim_value = block
    return padded_model, convs


Replacement = tuple[list[onnx.NodeProto], list[onnx.TensorProto]]  # nodes, and the initializers they need
Rewrite = Callable[[onnx.NodeProto, int], Replacement | None]


def _replace_nodes(model: onnx.ModelProto, rewrite: Rewrite) -> tuple[onnx.ModelProto, int]:
    """A copy of `model` in which every node that `rewrite(node, index)` answers for is replaced by
    the nodes it returns (with the initializers they need), initializers left unused dropped; and
    how many nodes were replaced. `index` counts the replacements so far (for unique names)."""
    rewritten_model = onnx.ModelProto()
    rewritten_model.CopyFrom(model)
    graph = rewritten_model.graph
    nodes: list[onnx.NodeProto] = []
    count = 0
    for node in graph.node:
        replacement = rewrite(node, count)
        if replacement is None:
            nodes.append(node)
            continue
        new_nodes, initializers = replacement
        nodes += new_nodes
        graph.initializer.extend(initializers)
        count += 1
    if not count:
        return model, 0
    del graph.node[:]
    graph.node.extend(nodes)
    still_used = {name for node in graph.node for name in node.input}
    for initializer in [i for i in graph.initializer if i.name not in still_used]:
        graph.initializer.remove(initializer)
    return rewritten_model, count


def split_single_channel_convs(model: onnx.ModelProto, block: int = BLOCK) -> tuple[onnx.ModelProto, int]:
    """A copy of `model` whose k×k convolutions to one output channel (from a multiple of `block`
    channels) run as a depthwise k×k convolution followed by a 1×1 sum over the channels; and how
    many were split.

    A one-channel output cannot be blocked, so onnxruntime reorders the input out of NCHWc and
    runs the plain convolution: the pose model's segmentation logits (16 → 1 channel, 3×3, at
    256²) took 1.4 ms, 14% of the run. Split, both halves stay blocked (~0.4 ms together). The
    same arithmetic up to the order of the additions.
    """
    weights = {initializer.name: initializer for initializer in model.graph.initializer}

    def split(node: onnx.NodeProto, _: int) -> Replacement | None:
        kernel_proto = weights.get(node.input[1]) if node.op_type == "Conv" and len(node.input) > 1 else None
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if kernel_proto is None or attributes.get("group", 1) != 1:
            return None
        out_channels, in_channels, *window = kernel_proto.dims
        if out_channels != 1 or in_channels % block or window == [1, 1]:
            return None
        kernel = numpy_helper.to_array(kernel_proto)  # (1, C, kh, kw)
        depthwise_name, sum_name, between = (f"{node.name}_{part}" for part in ("depthwise_w", "sum_w", "depthwise"))
        return [
            helper.make_node("Conv", [node.input[0], depthwise_name], [between], name=f"{node.name}_depthwise",
                             **{**attributes, "group": in_channels}),
            helper.make_node("Conv", [between, sum_name, *node.input[2:3]], list(node.output),
                             name=f"{node.name}_sum", kernel_shape=[1, 1]),
        ], [
            numpy_helper.from_array(kernel.reshape(in_channels, 1, *window).copy(), depthwise_name),
            numpy_helper.from_array(np.ones((1, in_channels, 1, 1), kernel.dtype), sum_name),
        ]

    return _replace_nodes(model, split)


def prelu_as_relu_convs(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """A copy of `model` with every per-channel PRelu written as PRelu(x) = x + (1 − a)·relu(−x):
    a 1×1 depthwise convolution by −1 with a Relu, then one by (1 − a) with the Add of x; and how
    many were rewritten. Valid for any slope a (negative, or above 1).

    onnxruntime's CPU PRelu is a broadcasting loop outside the blocked layout, so each one also
    converted its tensor out of NCHWc and back: the face mesh spent 58% of its time in its 23
    PRelus. Rewritten, convolutions, Relu and Add all fuse and stay blocked (the mesh 4.3 → 1.5 ms
    on one thread). The same arithmetic up to rounding.
    """
    weights = {initializer.name: initializer for initializer in model.graph.initializer}

    def rewrite(node: onnx.NodeProto, index: int) -> Replacement | None:
        slope_proto = weights.get(node.input[1]) if node.op_type == "PRelu" else None
        # Only slopes laid out per channel of an NCHW tensor: (C, 1, 1) or (1, C, 1, 1).
        if slope_proto is None or list(slope_proto.dims[-2:]) != [1, 1] or len(slope_proto.dims) not in (3, 4):
            return None
        slope = numpy_helper.to_array(slope_proto).reshape(-1)
        channels = slope.size
        x, name = node.input[0], node.name or f"PRelu_{index}"
        negate, keep = f"{name}_negate_w", f"{name}_keep_w"
        negated, below, scaled = (f"{name}_{part}" for part in ("negated", "below", "scaled"))
        return [
            helper.make_node("Conv", [x, negate], [negated], name=f"{name}_negate", group=channels, kernel_shape=[1, 1]),
            helper.make_node("Relu", [negated], [below], name=f"{name}_relu"),
            helper.make_node("Conv", [below, keep], [scaled], name=f"{name}_keep", group=channels, kernel_shape=[1, 1]),
            helper.make_node("Add", [scaled, x], list(node.output), name=f"{name}_add"),
        ], [
            numpy_helper.from_array(-np.ones((channels, 1, 1, 1), slope.dtype), negate),
            numpy_helper.from_array((1 - slope).reshape(channels, 1, 1, 1), keep),
        ]

    return _replace_nodes(model, rewrite)
