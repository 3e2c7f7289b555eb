"""Code shared by the pipeline's functions (layer ``shared``; list it in functions/<name>/layers.txt).

Small helpers (they import only boto3/botocore, which the runtime provides, and Pillow in
``images``); each function keeps its own exception classes (Step Functions and
the tests match them by class name), so helpers either take the error class to raise or return a
classification that the function maps.

- ``config``: typed environment readers (required strings, patterns, bounded integers).
- ``clients``: the pipeline's botocore client policy (standard retries, short connect timeout) and
  a lazily created client for adapters.
- ``events``: the S3 object location (``bucket``, ``key``) in a Step Functions state.
- ``aws_errors``: ``ClientError`` fields and S3 error classification (not found / transient / other).
- ``images``: image format sniffing by magic bytes and header helpers (needs the ``pillow`` layer).
"""
