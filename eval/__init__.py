"""The answer-accuracy suite: known questions over a corpus, run through the same service the
API uses, scored beside two plain baselines."""
