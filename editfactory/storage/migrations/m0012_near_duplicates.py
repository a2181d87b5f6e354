"""Near-duplicate footage: each analyzed source's frame fingerprints, and the pairs of sources showing the same footage."""

STATEMENTS = [
    # One 64-bit perceptual hash per frame the analysis sampled (little-endian uint64s), see media.fingerprint.
    """CREATE TABLE source_fingerprints (
        source_id VARCHAR PRIMARY KEY,
        sample_fps DOUBLE NOT NULL,
        hashes BLOB NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
    # Two sources of this profile showing the same footage (source_a < source_b). ``spans`` lists the stretches:
    # [{"a": [start, end], "b": [start, end], "distance": bits}], times in seconds of each source.
    """CREATE TABLE near_duplicates (
        source_a VARCHAR NOT NULL,
        source_b VARCHAR NOT NULL,
        similarity DOUBLE NOT NULL,
        shared_s DOUBLE NOT NULL,
        spans JSON NOT NULL,
        found_at TIMESTAMP NOT NULL DEFAULT now(),
        PRIMARY KEY (source_a, source_b)
    )""",
]
