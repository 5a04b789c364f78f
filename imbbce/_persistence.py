"""How a fitted skorch net is saved: one copy of the weights, loadable on a
CPU-only machine, and safe to load through ``skops.io``.

skorch's ``NeuralNet.__getstate__`` pickles ``module_``, ``criterion_`` and
``optimizer_`` into a byte string of its own, so that ``__setstate__`` can map
their tensors to a device that exists. Three things go wrong with that for
imbbce's nets:

* ``fit`` hands skorch the module and criterion it built, not classes, so the
  ``module`` and ``criterion`` parameters *are* ``module_`` and
  ``criterion_``. They were pickled a second time, outside skorch's byte
  string: every pickle held the weights twice, and a model trained on a GPU
  failed to load on a machine without one (those tensors never went through
  skorch's map to the CPU).
* ``skops.io`` sees skorch's byte string as plain ``bytes``, and skorch
  unpickles it with ``pickle``: whatever it holds would run on load, and
  ``skops.io.get_untrusted_types`` would not name a single type in it.

Here the net's state keeps the module and criterion parameters as references
to the initialised objects (restored on load), and the initialised objects go
into one ``torch.save`` payload, read back with ``torch.load(weights_only=True)``
(mapped to the CPU where CUDA is missing). The classes that payload needs
beyond tensors and plain containers (the module's layers, the loss) travel
next to it as class objects, so ``skops.io`` names each one and loads it only
when trusted, and ``torch.load`` admits exactly those. The optimizer is kept
as its ``state_dict`` and rebuilt on load.
"""

import importlib
import io

import torch
from skorch.utils import get_map_location

__all__ = ["PortableNetState", "net_getstate", "net_setstate"]

#: The initialised attributes that skorch maps to a device on load.
PAYLOAD_ATTRIBUTES = ("module_", "criterion_")

#: State keys of the format written here.
PAYLOAD_KEY = "_imbbce_payload"
PAYLOAD_TYPES_KEY = "_imbbce_payload_types"
SAME_AS_INITIALISED_KEY = "_imbbce_same_as_initialised"
OPTIMIZER_STATE_KEY = "optimizer_state"


class PortableNetState:
    """Mixin for a skorch ``NeuralNet``: pickles and ``skops.io`` files as
    described in this module.

    On a torch older than 2.5 (which cannot list a payload's classes) the
    module, loss and optimizer stay in skorch's own format, but the module
    and loss parameters are still written once and mapped to the CPU: one
    copy of the weights, loadable without a GPU; ``skops.io`` then cannot
    save the net. Files in skorch's own format still load.
    """

    def __getstate__(self):
        if "module_" not in self.__dict__:  # not initialised: nothing to share
            return super().__getstate__()
        if supported():
            return net_getstate(self, self.__dict__.copy())
        same = _same_as_initialised(self.__dict__)
        state = super().__getstate__()
        for name in same:
            state[name] = None
        state[SAME_AS_INITIALISED_KEY] = same
        return state

    def __setstate__(self, state):
        if PAYLOAD_KEY in state:
            map_location = get_map_location(state["device"])
            state["device"] = self._check_device(state["device"], map_location)
            net_setstate(self, state, map_location)
            return
        same = state.pop(SAME_AS_INITIALISED_KEY, [])
        super().__setstate__(state)
        for name in same:
            setattr(self, name, getattr(self, name + "_"))


def _same_as_initialised(attributes):
    """The parameters (``module``, ``criterion``) that are their initialised objects."""
    return [
        name
        for name in ("module", "criterion")
        if attributes.get(name) is not None and attributes.get(name) is attributes.get(name + "_")
    ]


def supported():
    """Whether this torch can list and admit the classes of a payload (>= 2.5)."""
    serialization = torch.serialization
    return hasattr(serialization, "get_unsafe_globals_in_checkpoint") and hasattr(
        serialization, "safe_globals"
    )


def net_getstate(net, state):
    """The picklable state of an initialised ``net``.

    Parameters
    ----------
    net : skorch.NeuralNet
        An initialised net.
    state : dict
        A copy of ``net.__dict__``, modified and returned.

    Returns
    -------
    dict
    """
    same = _same_as_initialised(state)
    for name in same:
        state[name] = None
    state[SAME_AS_INITIALISED_KEY] = same
    payload = {name: state.pop(name) for name in PAYLOAD_ATTRIBUTES}
    optimizer = state.pop("optimizer_")
    payload[OPTIMIZER_STATE_KEY] = None if optimizer is None else optimizer.state_dict()
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    state[PAYLOAD_KEY] = buffer.getvalue()
    buffer.seek(0)
    names = torch.serialization.get_unsafe_globals_in_checkpoint(buffer)
    state[PAYLOAD_TYPES_KEY] = [_resolve(name) for name in sorted(names)]
    return state


def net_setstate(net, state, map_location):
    """Restore what :func:`net_getstate` saved onto ``net``.

    Parameters
    ----------
    net : skorch.NeuralNet
        A net created with ``__new__``.
    state : dict
        What :func:`net_getstate` returned; ``device`` already set to where
        the tensors go.
    map_location : str or torch.device
        Where the tensors are loaded.
    """
    payload_bytes = state.pop(PAYLOAD_KEY)
    payload_types = state.pop(PAYLOAD_TYPES_KEY)
    same = state.pop(SAME_AS_INITIALISED_KEY)
    with torch.serialization.safe_globals(list(payload_types)):
        payload = torch.load(
            io.BytesIO(payload_bytes), map_location=map_location, weights_only=True
        )
    optimizer_state = payload.pop(OPTIMIZER_STATE_KEY)
    state.update(payload)
    for name in same:
        state[name] = state[name + "_"]
    state["optimizer_"] = None
    net.__dict__.update(state)
    if optimizer_state is not None:
        net.initialize_optimizer()
        net.optimizer_.load_state_dict(optimizer_state)


def _resolve(name):
    """The object a ``module.qualname`` string names."""
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(f"cannot import {name!r}, which the network's state refers to")
