"""One entry point: content in, decision out.

The guard is a thin pipeline: prepare the content once (a prompt normalized and embedded, an
image decoded and hashed: matching/prepare.py), run the registered matchers for its kind in
order against the current snapshot (matching/), drop nested spans, run the context matchers
(themes) when something was found, and ask the policy for a verdict per entry. The decision
carries the findings (each with its score's explanation), the rule, the registry version, a
message, and the milliseconds each step took.

When the guard cannot decide (the semantic model failed to load, for example)
it fails closed by default: the decision is BLOCK and says why. So does an item whose screening
raised unexpectedly (a bug in a matcher): that item alone gets a BLOCK with `failed_closed`, reason
`screening_error` and the exception's class, the traceback is logged at ERROR, and the other items
of the batch are screened as usual (`_screening_error`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from kyodaku.compiler import (
    ReferenceSource,
    SnapshotCompiler,
    StoreReferences,
    load_image_encoder,
    semantic_builder,
)
from kyodaku.domain.errors import InvalidInput, KyodakuError, ScreeningUnavailable
from kyodaku.domain.findings import Decision, Finding, ThemeHit, Verdict
from kyodaku.domain.model import Catalog, utcnow
from kyodaku.matching import ContentKind, Matcher, Stage, build_matchers
from kyodaku.matching.prepare import (
    PreparedMedia,
    PreparedPrompt,
    check_prompt,
    prepare_media,
    prepare_prompts,
)
from kyodaku.matching.support import drop_nested
from kyodaku.media.evidence import media_summary
from kyodaku.media.refstore import ReferenceStore
from kyodaku.options import GuardOptions, guard_options
from kyodaku.policy.engine import ScreenContext
from kyodaku.policy.messages import messages, screening_error_messages
from kyodaku.policy.verdicts import entity_decisions, overall
from kyodaku.registry.catalog import load_catalog
from kyodaku.snapshot import Snapshot

__all__ = [
    "SCREENING_ERROR",
    "Guard",
    "GuardOptions",
    "SnapshotHolder",
    "guard_options",
    "load_image_encoder",
    "semantic_builder",
]

log = logging.getLogger(__name__)

SCREENING_ERROR = "screening_error"
"""The `reason` of a decision failed closed because screening raised unexpectedly."""


@dataclass
class _Found:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Run:
    """One decision in the making: the snapshot it reads, what the matchers found, their timings."""

    snapshot: Snapshot
    context: ScreenContext
    item_id: str | None
    started: float
    timings: dict[str, float]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    themes: list[ThemeHit] = field(default_factory=list)
    contents: list[tuple[ContentKind, object]] = field(default_factory=list)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + (time.perf_counter() - began) * 1000


class SnapshotHolder:
    """Holds the current snapshot; `swap` replaces it atomically.

    Readers take one reference per request (`current`), so a swap never changes
    the snapshot under a request in flight.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._lock = threading.Lock()

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    def swap(self, snapshot: Snapshot) -> Snapshot:
        with self._lock:
            old, self._snapshot = self._snapshot, snapshot
        return old


class Guard:
    """Screens content against the current snapshot. Thread-safe."""

    def __init__(
        self,
        holder: SnapshotHolder,
        options: GuardOptions | None = None,
        compiler: SnapshotCompiler | None = None,
    ) -> None:
        self.holder = holder
        self.options = options or GuardOptions()
        self.compiler = compiler or SnapshotCompiler(self.options)
        # Built once: the registered matchers the options switch on, per content kind and stage.
        self._matchers: dict[tuple[ContentKind, Stage], tuple[Matcher, ...]] = {
            (kind, stage): build_matchers(kind, self.options, stage)
            for kind in ContentKind
            for stage in Stage
        }

    @property
    def encoder(self):
        """The learned image encoder the snapshots are compiled with (None: PDQ and local features)."""
        return self.compiler.encoder

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def build(
        cls, catalog: Catalog, options: GuardOptions | None = None, references: ReferenceSource | None = None
    ) -> Guard:
        compiler = SnapshotCompiler(options)
        snapshot = compiler.compile(catalog, references)
        return cls(SnapshotHolder(snapshot), compiler.options, compiler)

    @classmethod
    def from_catalog(cls, catalog: Catalog, options: GuardOptions | None = None) -> Guard:
        return cls.build(catalog, options)

    @classmethod
    def from_file(cls, path: str, options: GuardOptions | None = None) -> Guard:
        return cls.from_catalog(load_catalog(path), options)

    @classmethod
    def from_store(cls, store, options: GuardOptions | None = None) -> Guard:
        """The registry's current version, with the reference bank of that same version."""
        options = options or GuardOptions()
        catalog = store.catalog_at()
        refstore = ReferenceStore(options.reference_store)
        return cls.build(catalog, options, StoreReferences(store, catalog.version, refstore))

    def reload(self, catalog: Catalog, media=None, references: ReferenceSource | None = None) -> Snapshot:
        """Compile `catalog` and swap it in (reusing the match index if only permissions changed, and
        the reference bank unless `media` or changed `references` give a new one)."""
        snap = self.compiler.compile(catalog, references, reuse=self.holder.current, media=media)
        self.holder.swap(snap)
        return snap

    @property
    def snapshot(self) -> Snapshot:
        return self.holder.current

    def warm(self) -> None:
        """Load now what matchers otherwise load on first need (the themes lexicon): for long-lived
        workers, so the first items do not pay for it and forked processes share it."""
        for matchers in self._matchers.values():
            for matcher in matchers:
                warm = getattr(matcher, "warm", None)
                if warm is not None:
                    warm()

    # -- screening --------------------------------------------------------------------------------
    def screen_prompt(
        self, text: str, context: ScreenContext | None = None, item_id: str | None = None
    ) -> Decision:
        check_prompt(text, self.options)
        return self.screen_many([(item_id, text)], context, strict=True)[0]  # type: ignore[return-value]

    def screen_many(
        self,
        items: Sequence[tuple[str | None, str]],
        context: ScreenContext | None = None,
        *,
        strict: bool = False,
    ) -> list[Decision | KyodakuError]:
        """Screen (id, text) pairs, embedding all prompts in one batch; a bad item gives its error
        in its place and the others are still screened.

        An item whose screening raises unexpectedly gets a decision failed closed
        (`_screening_error`); if embedding the batch fails, each prompt is prepared alone, so only
        the culprit fails. A KyodakuError raised while screening a valid item is that item's error
        (`strict`: raised)."""
        ctx = context or ScreenContext()
        snap = self.holder.current
        results: list[Decision | KyodakuError | None] = [None] * len(items)
        valid: list[int] = []
        for n, (item_id, text) in enumerate(items):
            try:
                check_prompt(text, self.options)
                valid.append(n)
            except KyodakuError as exc:
                if strict:
                    raise
                exc.details.setdefault("id", item_id)
                results[n] = exc
        started = time.perf_counter()
        texts = [items[n][1] for n in valid]
        prepared: list[PreparedPrompt | Exception]
        try:
            prepared = list(prepare_prompts(texts, snap, self.options))
        except Exception:  # one prompt broke the batch: prepare each alone, so only it fails
            prepared = []
            for text in texts:
                try:
                    prepared.extend(prepare_prompts([text], snap, self.options))
                except Exception as exc:
                    prepared.append(exc)
        share = (time.perf_counter() - started) * 1000 / max(len(valid), 1)
        for n, prompt in zip(valid, prepared, strict=True):
            run = _Run(snap, ctx, items[n][0], time.perf_counter() - share / 1000, {"prepare": share})
            try:
                if isinstance(prompt, Exception):
                    raise prompt
                results[n] = self._finish(
                    run, lambda run, prompt=prompt: self._match(run, ContentKind.PROMPT, prompt)
                )
            except Exception as exc:
                try:
                    if isinstance(exc, KyodakuError):
                        raise
                    results[n] = self._screening_error(run, exc)
                except KyodakuError as error:
                    if strict:
                        raise
                    error.details.setdefault("id", items[n][0])
                    results[n] = error
        return [r for r in results if r is not None]

    # -- media ----------------------------------------------------------------------------------------
    def screen_image(self, source, context: ScreenContext | None = None, **kw) -> Decision:
        """A generated image (path or bytes) against the registered references."""
        return self.screen_output(media=[source], context=context, expect="image", **kw)

    def screen_video(self, source, context: ScreenContext | None = None, **kw) -> Decision:
        """A generated video (path or bytes): vPDQ-style frame matching against the references."""
        return self.screen_output(media=[source], context=context, expect="video", **kw)

    def screen_output(
        self,
        prompt: str | None = None,
        media: Sequence = (),
        context: ScreenContext | None = None,
        *,
        names: Sequence[str | None] | None = None,
        item_id: str | None = None,
        expect: str | None = None,
    ) -> Decision:
        """One decision for a generation: its prompt and/or its output images and videos.

        Every input's findings go through the same policy, so a prompt that names nothing and an
        output that copies a registered character still give one BLOCK, with both evidences.
        Unreadable media raise InvalidInput (the caller's error) rather than failing closed; any other
        exception while screening fails the decision closed (`_screening_error`).
        """
        if prompt is None and not media:
            raise InvalidInput("nothing to screen: give a prompt, media, or both")
        if prompt is not None:
            check_prompt(prompt, self.options)
        snap = self.holder.current
        run = _Run(snap, context or ScreenContext(), item_id, time.perf_counter(), {})
        try:
            with run.timed("prepare"):
                outputs = prepare_media(media, snap, self.options, names, expect)
                prompts = prepare_prompts([prompt], snap, self.options) if prompt is not None else []
        except KyodakuError:
            raise
        except Exception as exc:
            return self._screening_error(run, exc)

        def match(run: _Run) -> None:
            for item in prompts:
                self._match(run, ContentKind.PROMPT, item)
            for item in outputs:
                self._match_media(run, item)

        extra = {"media": [media_summary(o.hashes) for o in outputs]}
        try:
            decision = self._finish(run, match, extra)
            return replace(decision, media_hashes=tuple(o.hashes for o in outputs))
        except KyodakuError:
            raise
        except Exception as exc:
            return self._screening_error(run, exc, extra)

    def _screening_error(self, run: _Run, exc: Exception, extra: dict | None = None) -> Decision:
        """The one decision for an item whose screening raised unexpectedly (a bug, not the caller's
        input): BLOCK, `failed_closed`, reason `screening_error` and the exception's class, nothing
        found. The traceback is logged at ERROR for the operator. With fail-closed switched off there
        is no decision to make: ScreeningUnavailable is raised instead, naming the error."""
        error_class = type(exc).__qualname__
        if type(exc).__module__ != "builtins":
            error_class = f"{type(exc).__module__}.{error_class}"
        detail = " ".join(str(exc).split())[:200]
        what = f"{error_class}: {detail}" if detail else error_class
        item = "" if run.item_id is None else f" of item {run.item_id!r}"
        outcome = "failed closed (BLOCK)" if self.options.fail_closed else "no decision made"
        log.error("screening%s raised %s; %s", item, what, outcome, exc_info=exc)
        if not self.options.fail_closed:
            raise ScreeningUnavailable(f"screening failed: {what}", error_class=error_class) from exc
        return _unchecked(
            run,
            screening_error_messages(error_class),
            f"failed closed: {SCREENING_ERROR}: {what}",
            extra={**(extra or {}), "reason": SCREENING_ERROR, "error_class": error_class},
            timings=run.timings,
        )

    # -- the pipeline -----------------------------------------------------------------------------
    def _match(self, run: _Run, kind: ContentKind, content) -> None:
        """Run `kind`'s FIND matchers in order on one prepared content."""
        found: list[Finding] = []
        for matcher in self._matchers[(kind, Stage.FIND)]:
            with run.timed(matcher.name):
                result = matcher.match(content, run.snapshot, found)
            if result.withdrawn:
                found = [f for f in found if not any(f is w for w in result.withdrawn)]
            found.extend(result.findings)
            run.notes.extend(result.notes)
        run.findings.extend(drop_nested(found))
        run.contents.append((kind, content))

    def _describe(self, run: _Run) -> None:
        """CONTEXT matchers (themes) on every content, once anything was found in any of them: a
        prompt that names nothing still carries the war scene its copied output is screened for."""
        if not run.findings:
            return
        for kind, content in run.contents:
            for matcher in self._matchers[(kind, Stage.CONTEXT)]:
                with run.timed(matcher.name):
                    result = matcher.match(content, run.snapshot, run.findings)
                run.themes.extend(result.themes)
                run.notes.extend(result.notes)

    def _match_media(self, run: _Run, content: PreparedMedia) -> None:
        bank = run.snapshot.media
        if not len(bank):
            run.notes.append(f"{content.hashes.name}: no reference hashes are registered; nothing to match")
            return
        self._match(run, content.kind, content)
        floor = bank.options.min_quality
        if not any(f.quality >= floor for f in content.hashes.frames):
            run.notes.append(
                f"{content.hashes.name}: every hash is under PDQ's quality floor ({floor}); "
                "a flat or blank picture cannot be matched"
            )

    def _finish(self, run: _Run, match: Callable[[_Run], None], extra: dict | None = None) -> Decision:
        """Run the matchers, then the policy; a matcher that cannot work fails the decision closed."""
        try:
            match(run)
            self._describe(run)
        except ScreeningUnavailable as exc:
            if not self.options.fail_closed:
                raise
            message = messages(Verdict.BLOCK, [], failed_closed_reason=exc.message)
            return _unchecked(run, message, f"failed closed: {exc.message}")
        found = _Found(run.findings, run.notes)
        with run.timed("policy"):
            decision = self._decide(
                run.snapshot, run.context, found, run.themes, run.started, run.item_id, extra
            )
        return replace(decision, timings_ms=run.timings)

    # -- policy -----------------------------------------------------------------------------------
    def _decide(
        self,
        snap: Snapshot,
        ctx: ScreenContext,
        found: _Found,
        themes: list[ThemeHit],
        started: float,
        item_id: str | None,
        extra: dict | None = None,
    ) -> Decision:
        decisions = entity_decisions(
            snap, found.findings, ctx, themes, ctx.at or utcnow(), self.options.review_below
        )
        verdict = overall(decisions)
        return Decision(
            verdict=verdict,
            findings=tuple(sorted(found.findings, key=lambda f: (-f.score, f.entity))),
            entities=tuple(decisions),
            themes=tuple(themes),
            registry_version=snap.version,
            snapshot=snap.label,
            message=messages(verdict, decisions),
            context=ctx.to_dict(),
            notes=tuple(found.notes),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            id=item_id,
            extra=extra or {},
        )


def _unchecked(
    run: _Run, message: dict[str, str], note: str, extra: dict | None = None, timings: dict | None = None
) -> Decision:
    """A BLOCK for content the guard could not check (fail closed): nothing found, and why in the note."""
    return Decision(
        verdict=Verdict.BLOCK,
        findings=(),
        entities=(),
        themes=(),
        registry_version=run.snapshot.version,
        snapshot=run.snapshot.label,
        message=message,
        context=run.context.to_dict(),
        failed_closed=True,
        notes=(note,),
        elapsed_ms=(time.perf_counter() - run.started) * 1000,
        id=run.item_id,
        extra=extra or {},
        timings_ms=timings or {},
    )
