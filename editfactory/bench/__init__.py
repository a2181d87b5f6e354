"""Benchmarks run by `invoke bench.*`: each prints ratios measured side by side in one run."""
