"""skorch callbacks that end training: early stopping with ties, state copies."""

import torch

from imbbce._callbacks import FlaggedEarlyStopping, copy_state


class _History(list):
    def __getitem__(self, key):
        if isinstance(key, tuple):
            return list.__getitem__(self, key[0])[key[1]]
        return list.__getitem__(self, key)


class _Net:
    def __init__(self):
        self.history = _History()
        self.verbose = 0
        self.module_ = torch.nn.Linear(1, 1)


def run_epochs(stopper, records):
    net = _Net()
    stopper.on_train_begin(net)
    for epoch, (score, loss) in enumerate(records, start=1):
        net.history.append({"epoch": epoch, "valid_score": score, "valid_loss": loss})
        try:
            stopper.on_epoch_end(net)
        except KeyboardInterrupt:
            return stopper, epoch
    return stopper, len(records)


def make_stopper(patience=2):
    return FlaggedEarlyStopping(
        monitor="valid_score",
        patience=patience,
        threshold=1e-4,
        threshold_mode="abs",
        lower_is_better=False,
        load_best=True,
        sink=print,
    )


def test_saturated_score_ties_are_broken_by_validation_loss():
    records = [(1.0, 0.60), (1.0, 0.40), (1.0, 0.30), (1.0, 0.31), (1.0, 0.32)]
    stopper, last = run_epochs(make_stopper(), records)
    assert stopper.best_epoch_ == 3
    assert stopper.stopped_ and last == 5


def test_ties_within_tol_are_broken_by_validation_loss_without_lowering_the_bar():
    # Average precision at 1.0, then a dip smaller than tol with a much lower
    # loss: the lower-loss epoch is kept. A later epoch at the dipped score
    # (below the best by more than tol) does not count, though its loss is lower.
    records = [(1.0, 0.60), (0.99995, 0.30), (0.9998, 0.10), (0.9998, 0.05)]
    stopper, last = run_epochs(make_stopper(), records)
    assert stopper.best_epoch_ == 2
    assert stopper.stopped_ and last == 4


def test_higher_score_wins_over_lower_loss():
    records = [(0.5, 0.3), (0.8, 0.9), (0.7, 0.1), (0.7, 0.05)]
    stopper, last = run_epochs(make_stopper(), records)
    assert stopper.best_epoch_ == 2 and last == 4


def test_no_stop_flag_when_patience_not_reached():
    stopper, _ = run_epochs(make_stopper(patience=5), [(0.5, 0.3), (0.6, 0.2)])
    assert not stopper.stopped_


def test_copy_state_is_independent():
    module = torch.nn.Linear(2, 1)
    state = copy_state(module)
    with torch.no_grad():
        module.weight.add_(1.0)
    assert not torch.equal(state["weight"], module.weight)
