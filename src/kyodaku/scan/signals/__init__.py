"""Opt-out signal readers: a sample in, what its machine-readable opt-outs say out (see `base`).

Importing this package registers the built-in readers, in running order: "iptc" (IPTC/PLUS
DataMining in embedded XMP), "c2pa" (C2PA / CAWG training-mining assertions), "tdmrep" (TDM
Reservation Protocol) and "noai" (noai / noimageai robots directives).
"""

from kyodaku.scan.signals.base import (
    HEADERS_SOURCE,
    SAMPLE_SOURCE,
    SignalReader,
    read_signals,
    register_signal,
    registered_signals,
    signal_readers,
    unregister_signal,
)

# isort: split
from kyodaku.scan.signals.xmp import IptcSignal

# isort: split
from kyodaku.scan.signals.c2pa_signal import C2paSignal

# isort: split
from kyodaku.scan.signals.tdmrep import TdmRepSignal

# isort: split
from kyodaku.scan.signals.noai import NoAiSignal

__all__ = [
    "HEADERS_SOURCE",
    "SAMPLE_SOURCE",
    "C2paSignal",
    "IptcSignal",
    "NoAiSignal",
    "SignalReader",
    "TdmRepSignal",
    "read_signals",
    "register_signal",
    "registered_signals",
    "signal_readers",
    "unregister_signal",
]
