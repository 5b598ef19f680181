"""Verdicts: pure functions of the template and a combination, that run nothing.

What a combination must contain (``expected``), the checks of one bake's files (``checks``),
the twin rule and a rendering's fingerprint (``matrix``), the run's summary lines
(``summary``), and which shard a test falls in (``shards``).
"""
