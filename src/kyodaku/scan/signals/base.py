"""The opt-out signal interface and the registry of signal readers.

A signal reader looks at one sample (its media files, its sidecars, its saved HTTP headers) for one
kind of machine-readable opt-out (IPTC `plus:DataMining`, a C2PA training-mining assertion, TDMRep,
`noai`) and says what it read. It does not decide; the scanner turns readings into exclusions.

Readers are registered by a unique name, in the order they run, exactly as matchers are
(`kyodaku.matching.base.register_matcher`): a new signal plugs in with `@register_signal` and the
scanner picks it up unedited, and a second reader claiming a taken name is refused at import time.

A reader never raises on bad data. Scanning a dataset of millions of files crawled from the web
means meeting every malformed container, truncated packet and hostile XML there is; one of them
must cost one reading (`Consent.UNREADABLE`, which excludes the sample: a signal that cannot be
read may be an opt-out), never the batch. `guard_member` and `read_signals` enforce that at two
levels: per member inside a reader, and per reader around it. The one exception that does
propagate is `ConfigurationError`: a reader that cannot work at all (its library is missing) must
stop the scan loudly instead of silently passing every file.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import ClassVar, Protocol, TypeVar, runtime_checkable

from kyodaku.domain.errors import ConfigurationError
from kyodaku.scan.model import Consent, Member, Sample, SignalReading

#: `SignalReading.source` of a reading about the whole sample, when a reader failed outside any member.
SAMPLE_SOURCE = "sample"
#: `SignalReading.source` of a reading taken from the sample's saved HTTP response headers.
HEADERS_SOURCE = "headers"
#: How several statements of one file combine, most restrictive first: a file is allowed only if
#: everything it says allows, and anything unreadable outweighs an allowance (consent first).
SEVERITY = (Consent.PROHIBITED, Consent.UNREADABLE, Consent.UNSAID, Consent.ALLOWED)


def severity(consent: Consent) -> int:
    """Rank of `consent` in SEVERITY (0: most restrictive); sort or `min` by it to find what decides."""
    return SEVERITY.index(consent)


@runtime_checkable
class SignalReader(Protocol):
    """One opt-out signal. `name` is unique across the registry and is what each reading names as
    its `signal` (and so the reason code `optout:<name>` / `unreadable:<name>`)."""

    name: ClassVar[str]

    def read(self, sample: Sample) -> list[SignalReading]:
        """Every reading of this signal in `sample` (several when several files carry it; none when
        no file says anything). Never raises on bad data."""
        ...


_REGISTRY: dict[str, type[SignalReader]] = {}

R = TypeVar("R")


def register_signal(cls: R) -> R:
    """Class decorator: register `cls` under its unique `name`; readers run in registration order."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise ConfigurationError(f"{getattr(cls, '__qualname__', cls)!r} has no signal name")
    taken = _REGISTRY.get(name)
    if taken is not None and taken is not cls:
        raise ConfigurationError(
            f"signal name {name!r} is taken by {taken.__qualname__}; "
            f"{getattr(cls, '__qualname__', cls)} needs a name of its own"
        )
    _REGISTRY[name] = cls  # type: ignore[assignment]
    return cls


def unregister_signal(name: str) -> None:
    """Remove a reader (a plug-in replacing one of its own, a test cleaning up)."""
    _REGISTRY.pop(name, None)


def registered_signals() -> tuple[type[SignalReader], ...]:
    """Every registered reader class, in registration (= running) order."""
    return tuple(_REGISTRY.values())


def signal_readers(names: Collection[str] | None = None) -> tuple[SignalReader, ...]:
    """Instances of the registered readers (all, or those named), in registration order.

    An unknown name is a configuration error: a typo in `--signals` must not silently scan with
    fewer opt-out signals than asked for."""
    if names is not None:
        unknown = sorted(set(names) - set(_REGISTRY))
        if unknown:
            raise ConfigurationError(
                f"unknown opt-out signal(s) {', '.join(map(repr, unknown))}; known: {', '.join(_REGISTRY)}"
            )
    return tuple(cls() for name, cls in _REGISTRY.items() if names is None or name in names)


def read_signals(
    sample: Sample,
    names: Collection[str] | None = None,
    *,
    readers: Sequence[SignalReader] | None = None,
) -> list[SignalReading]:
    """Every reading of the registered readers (all, or those named) in `sample`, in order.

    Pass `readers` (built once with `signal_readers`, or configured by hand, e.g. a C2PA reader
    with trust anchors) to skip building them per sample. A reader that fails as a whole gives one
    UNREADABLE reading with source "sample" instead of an exception."""
    readings: list[SignalReading] = []
    for reader in readers if readers is not None else signal_readers(names):
        try:
            readings.extend(reader.read(sample))
        except ConfigurationError:
            raise
        except Exception as exc:
            readings.append(unreadable(reader.name, SAMPLE_SOURCE, exc))
    return readings


def unreadable(signal: str, source: str, error: BaseException | str, value: str = "") -> SignalReading:
    """The reading for a signal that could not be read from `source`: names the error so a person
    can find and fix the file."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return SignalReading(signal, Consent.UNREADABLE, value, source, message[:500])


def guard_member(
    signal: str, member: Member, read: Callable[[Member], list[SignalReading]]
) -> list[SignalReading]:
    """`read(member)`, with any exception but a configuration error turned into one UNREADABLE
    reading naming the member, so that one bad file never sinks the rest of the sample."""
    try:
        return read(member)
    except ConfigurationError:
        raise
    except Exception as exc:
        return [unreadable(signal, member.name, exc)]


def present(members: Sequence[Member]) -> list[Member]:
    """The members whose bytes are there (a missing file is the reader layer's problem to report)."""
    return [m for m in members if m.data is not None]


def header_value(headers: Mapping[str, object], name: str) -> str | None:
    """A saved header by case-insensitive name (layouts differ in how they case them); repeated
    headers saved as a list are joined with commas, as HTTP itself would."""
    for key, value in headers.items():
        if str(key).strip().lower() == name:
            if isinstance(value, list | tuple):
                return ", ".join(map(str, value))
            return str(value)
    return None
