"""Warnings and errors raised by imbbce."""

__all__ = ["MajorityCollapseWarning", "TrainingDivergedWarning"]


class MajorityCollapseWarning(UserWarning):
    """The fitted network predicts (almost) only the majority class.

    Emitted at the end of ``fit`` when the model predicts a single class for
    every row it was checked on, or never recovers a minority sample there.
    The message gives the numbers and the remedies; it says so when the
    single class predicted is the minority (an under-trained or
    over-corrected network).
    """


class TrainingDivergedWarning(UserWarning):
    """The training loss became NaN, infinite or absurdly large.

    Training stopped and the last good weights were restored. Lowering
    ``learning_rate_init`` is the usual remedy.
    """
