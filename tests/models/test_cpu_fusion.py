"""The CPU twin's rewrites (channel widening, convolution splitting, PRelu as convolutions) on
small graphs: same outputs, and what they must leave alone."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from models.export.cpu_fusion import pad_narrow_channels, prelu_as_relu_convs, split_single_channel_convs


def _graph(narrow_output: bool) -> onnx.ModelProto:
    """x (1, 3, 16, 16) → Conv 3→8 → Clip → depthwise Conv 8 → Add(skip) → Conv 8→4 → y; with
    `narrow_output` the 8-channel Clip output is also a graph output."""
    rng = np.random.default_rng(0)

    def weight(name: str, shape: tuple[int, ...]) -> onnx.TensorProto:
        return numpy_helper.from_array(rng.normal(0, 0.5, shape).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["a"], kernel_shape=[1, 1]),
        helper.make_node("Clip", ["a", "lo", "hi"], ["c"]),
        helper.make_node("Conv", ["c", "w2", "b2"], ["d"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=8),
        helper.make_node("Add", ["d", "c"], ["e"]),
        helper.make_node("Conv", ["e", "w3", "b3"], ["y"], kernel_shape=[1, 1]),
    ]
    initializers = [weight("w1", (8, 3, 1, 1)), weight("b1", (8,)), weight("w2", (8, 1, 3, 3)), weight("b2", (8,)),
                    weight("w3", (4, 8, 1, 1)), weight("b3", (4,)),
                    numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
                    numpy_helper.from_array(np.array(6.0, np.float32), "hi")]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 16, 16])]
    if narrow_output:
        outputs.append(helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 8, 16, 16]))
    graph = helper.make_graph(nodes, "narrow", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                              outputs, initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def _run(model: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})


def test_narrow_tensors_are_carried_wide_with_the_same_outputs() -> None:
    model = _graph(narrow_output=False)
    widened, count = pad_narrow_channels(model)
    assert count == 3  # the two convolutions making 8 channels and the one reading them
    onnx.checker.check_model(widened)
    shapes = {w.name: tuple(w.dims) for w in widened.graph.initializer}
    assert shapes["w1"] == (16, 3, 1, 1) and shapes["w2"] == (16, 1, 3, 3) and shapes["w3"] == (4, 16, 1, 1)
    x = np.random.default_rng(1).random((1, 3, 16, 16), np.float32)
    assert np.abs(_run(widened, x)[0] - _run(model, x)[0]).max() < 1e-5


def test_a_narrow_tensor_that_leaves_the_graph_is_left_alone() -> None:
    model = _graph(narrow_output=True)
    widened, count = pad_narrow_channels(model)
    assert count == 0 and widened is model


def _single_channel_graph(in_channels: int, kernel: int) -> onnx.ModelProto:
    """x (1, C, 12, 12) → Conv C→1, kernel×kernel, same padding, with bias → y."""
    rng = np.random.default_rng(2)
    pad = kernel // 2
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[kernel, kernel], pads=[pad] * 4)],
        "single", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, in_channels, 12, 12])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 12, 12])],
        [numpy_helper.from_array(rng.normal(0, 0.5, (1, in_channels, kernel, kernel)).astype(np.float32), "w"),
         numpy_helper.from_array(np.array([0.3], np.float32), "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def test_a_convolution_to_one_channel_becomes_depthwise_then_sum_with_the_same_output() -> None:
    model = _single_channel_graph(in_channels=16, kernel=3)
    split, count = split_single_channel_convs(model)
    assert count == 1
    onnx.checker.check_model(split)
    groups = [next((helper.get_attribute_value(a) for a in node.attribute if a.name == "group"), 1)
              for node in split.graph.node]
    assert [node.op_type for node in split.graph.node] == ["Conv", "Conv"] and groups == [16, 1]
    assert "w" not in {initializer.name for initializer in split.graph.initializer}  # the old kernel is gone
    x = np.random.default_rng(3).random((1, 16, 12, 12), np.float32)
    assert np.abs(_run(split, x)[0] - _run(model, x)[0]).max() < 1e-5


def test_pointwise_and_unblockable_convolutions_are_left_alone() -> None:
    for in_channels, kernel in ((16, 1), (8, 3)):
        model = _single_channel_graph(in_channels, kernel)
        split, count = split_single_channel_convs(model)
        assert count == 0 and split is model


def _prelu_graph(slope_shape: tuple[int, ...]) -> onnx.ModelProto:
    """x (1, 4, 6, 6) → Conv 4→4 → Add(x) → PRelu(slope of `slope_shape`) → y."""
    rng = np.random.default_rng(4)
    slope = np.array([-0.9, 0.0, 0.25, 1.4], np.float32).reshape(slope_shape)  # negative and above 1 too
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
         helper.make_node("Add", ["c", "x"], ["s"]),
         helper.make_node("PRelu", ["s", "a"], ["y"])],
        "prelu", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])],
        [numpy_helper.from_array(rng.normal(0, 1, (4, 4, 1, 1)).astype(np.float32), "w"),
         numpy_helper.from_array(slope, "a")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def test_prelu_becomes_convolutions_with_the_same_output_for_any_slope() -> None:
    model = _prelu_graph((4, 1, 1))
    rewritten, count = prelu_as_relu_convs(model)
    assert count == 1
    onnx.checker.check_model(rewritten)
    assert "PRelu" not in {node.op_type for node in rewritten.graph.node}
    x = np.random.default_rng(5).normal(0, 2, (1, 4, 6, 6)).astype(np.float32)
    ours, theirs = _run(rewritten, x)[0], _run(model, x)[0]
    assert (theirs < 0).any() and (theirs > 0).any()  # both sides of zero are compared
    assert np.abs(ours - theirs).max() < 1e-5


def test_a_slope_not_laid_out_per_channel_is_left_alone() -> None:
    # A (4,) slope broadcasts along the last axis (width), not the channels.
    model = _prelu_graph((4,))
    rewritten, count = prelu_as_relu_convs(model)
    assert count == 0 and rewritten is model
