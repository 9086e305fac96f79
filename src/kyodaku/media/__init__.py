"""Media guard: hash generated images and videos and match them against registered references.

PDQ (images) and vPDQ-style per-frame hashing (video) against a multi-index hash
index, optionally a learned image encoder loaded from a local ONNX file; the
findings go through the same consent-first policy as prompts.
"""
