"""Helpers of checkpointed loops (`s2sad.grad(f, checkpoint=True)`)."""


def _segment_length(steps):
    """The iterations between two checkpoints of a loop over `steps`: about the square root
    of their number, so that the checkpoints and one segment's tape each hold about √T.
    """
    return max(1, int(len(steps) ** 0.5))
