"""One entry point: content in, decision out.

`Guard.screen_prompt` normalizes the prompt once, runs the matchers (alias,
fuzzy, semantic) against the current snapshot, resolves ambiguous names with
context, detects themes, and asks the policy for a verdict per entry. The
decision carries the findings, the rule, the registry version and a message.

When the guard cannot decide (the semantic model failed to load, for example)
it fails closed by default: the decision is BLOCK and says why.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kyodaku.domain.errors import InvalidInput, KyodakuError, PayloadTooLarge, ScreeningUnavailable
from kyodaku.domain.findings import Decision, EntityDecision, Evidence, Finding, ThemeHit, Verdict
from kyodaku.domain.model import Catalog, utcnow
from kyodaku.policy.engine import ScreenContext
from kyodaku.policy.messages import messages
from kyodaku.snapshot import Snapshot, compile_snapshot, support_groups
from kyodaku.text.alias import AliasHit
from kyodaku.text.normalize import skeleton
from kyodaku.text.surface import disguised, folded_into_word

ALIAS_SCORE = 1.0
CONTEXT_SCORE = 0.9
BACKGROUND_VETO = -0.05


@dataclass(frozen=True)
class GuardOptions:
    """Knobs of the guard; defaults are the safe ones."""

    semantic: bool = True
    themes: bool = True
    fuzzy: bool = True
    fail_closed: bool = True
    max_chars: int = 20_000
    # Entries found only with a lower score are held for review by a person, not blocked.
    review_below: float = 0.75
    # A semantic hit alone must reach this score (0.5 is the calibrated threshold itself): at 0.75
    # the probe set kept 53/66 descriptions with 0/100 near-miss prompts (bench/semantic_probe.py).
    semantic_min_score: float = 0.75
    # An ambiguous name is supported by a description that reaches its own calibrated threshold
    # (margin >= -support_margin), even when it would be too weak to count alone.
    support_margin: float = 0.0
    # Media: images claiming more pixels are refused undecoded; video is hashed at video_fps frames/s.
    max_pixels: int = 64_000_000
    video_fps: float = 1.0
    reference_video_fps: float = 8.0
    pdq_threshold: int = 31
    pdq_min_quality: int = 50
    # Images are also matched by local features (crops); costs ~2 ms of ORB per image.
    local_features: bool = True
    # Optional learned encoder (a local ONNX file) and where reference files are, to embed them.
    image_encoder: str | None = None
    reference_store: str = "kyodaku-references"

    def hash_options(self, query: bool = True):
        """Hashing for outputs (queries: all 8 dihedral variants) or for references (stored once)."""
        from kyodaku.media.hashing import REFERENCE_DEDUP, HashOptions

        if query:
            return HashOptions(
                max_pixels=self.max_pixels,
                video_fps=self.video_fps,
                dihedral=True,
                local_features=self.local_features,
            )
        return HashOptions(
            max_pixels=self.max_pixels,
            video_fps=self.reference_video_fps,
            dedup_distance=REFERENCE_DEDUP,
            local_features=True,  # stored with the reference, whatever a guard later uses
        )

    def match_options(self):
        from kyodaku.media.bank import MatchOptions

        return MatchOptions(threshold=self.pdq_threshold, min_quality=self.pdq_min_quality)


def guard_options(semantic: bool | None = None, settings=None) -> GuardOptions:
    """Options from the environment (KYODAKU_SEMANTIC, KYODAKU_FAIL_CLOSED, KYODAKU_MAX_PROMPT_CHARS, ...)
    or from given `settings`; an explicit `semantic` (a command-line flag) wins."""
    from kyodaku.settings import load_settings

    settings = settings or load_settings()
    return GuardOptions(
        semantic=settings.semantic if semantic is None else semantic,
        fail_closed=settings.fail_closed,
        max_chars=settings.max_prompt_chars,
        max_pixels=settings.max_image_pixels,
        video_fps=settings.video_sample_fps,
        reference_video_fps=settings.reference_video_fps,
        pdq_threshold=settings.pdq_threshold,
        pdq_min_quality=settings.pdq_min_quality,
        local_features=settings.local_features,
        image_encoder=settings.image_encoder,
        reference_store=settings.reference_store,
    )


@dataclass
class _Found:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


def _drop_nested(findings: list[Finding]) -> list[Finding]:
    """A name inside a longer name of the same entry ("Ghibli" in "in the style of Studio Ghibli")
    adds no evidence: keep the longest lexical span per entry and region."""
    lexical = [f for f in findings if f.matcher != "semantic" and f.evidence.span]

    def inside(f: Finding) -> bool:
        a, b = f.evidence.span  # type: ignore[misc]
        return any(
            g is not f
            and g.entity == f.entity
            and g.evidence.span[0] <= a  # type: ignore[index]
            and b <= g.evidence.span[1]  # type: ignore[index]
            and (g.evidence.span != f.evidence.span or g.score > f.score)
            for g in lexical
        )

    return [f for f in findings if f not in lexical or not inside(f)]


def semantic_builder(options: GuardOptions) -> Callable[[Catalog], object] | None:
    """Build the description index lazily, with the process-wide cached encoder."""
    if not options.semantic:
        return None

    def build(catalog: Catalog):
        from kyodaku.text.embedding import get_encoder
        from kyodaku.text.semantic import SemanticEntry, SemanticIndex, SemanticOptions

        entries = [
            SemanticEntry(e.id, e.kind.value, text, lang, "description")
            for e in catalog.entities
            for lang, text in e.description.items()
            if text and text.strip()
        ]
        # A description counts only if the prompt is nearly as close to it as to the closest
        # ordinary prompt of the background corpus (within 0.05): generic near-misses ("an orange
        # tabby cat riding a bus") sit closer to ordinary prompts than to any registered entry.
        # On the dev set: ordinary benign false positives 6.5% -> 2.2%, indirect recall 89% -> 83%
        # (0.0 cut recall to 68%; the probe set: -0.10 cut near-misses 7 -> 1 per 100).
        return SemanticIndex.build(entries, get_encoder(), SemanticOptions(background_veto=BACKGROUND_VETO))

    return build


def load_image_encoder(options: GuardOptions):
    """The operator's ONNX image encoder, or None (PDQ and local features alone). A configured model
    that cannot be loaded stops start-up with a ConfigurationError naming the file."""
    if not options.image_encoder:
        return None
    from kyodaku.media.encoders import load_encoder

    return load_encoder(options.image_encoder)


class Guard:
    """Screens content against the current snapshot. Thread-safe."""

    def __init__(self, holder: SnapshotHolder, options: GuardOptions | None = None, encoder=None) -> None:
        self.holder = holder
        self.options = options or GuardOptions()
        self.encoder = encoder  # media.encoders.ImageEncoder, or None: PDQ and local features alone
        self._themes = None
        self._themes_lock = threading.Lock()

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def from_catalog(cls, catalog: Catalog, options: GuardOptions | None = None) -> Guard:
        options = options or GuardOptions()
        return cls(SnapshotHolder(compile_snapshot(catalog, semantic_builder(options))), options)

    @classmethod
    def from_file(cls, path: str, options: GuardOptions | None = None) -> Guard:
        from kyodaku.registry.catalog import load_catalog

        return cls.from_catalog(load_catalog(path), options)

    @classmethod
    def from_store(cls, store, options: GuardOptions | None = None) -> Guard:
        """The registry's current version, with the reference bank of that same version."""
        from kyodaku.refs.banks import bank_from_store
        from kyodaku.media.refstore import ReferenceStore

        options = options or GuardOptions()
        encoder = load_image_encoder(options)
        catalog = store.catalog_at()
        refstore = ReferenceStore(options.reference_store)
        bank = bank_from_store(store, catalog.version, options.match_options(), encoder, refstore)
        snapshot = compile_snapshot(catalog, semantic_builder(options), media=bank)
        return cls(SnapshotHolder(snapshot), options, encoder)

    def reload(self, catalog: Catalog, media=None) -> Snapshot:
        """Compile `catalog` and swap it in (reusing the match index if only permissions changed, and
        the reference bank unless `media` gives a new one)."""
        snap = compile_snapshot(
            catalog, semantic_builder(self.options), reuse=self.holder.current, media=media
        )
        self.holder.swap(snap)
        return snap

    @property
    def snapshot(self) -> Snapshot:
        return self.holder.current

    # -- screening --------------------------------------------------------------------------------
    def screen_prompt(
        self, text: str, context: ScreenContext | None = None, item_id: str | None = None
    ) -> Decision:
        self._check_input(text)
        return self._screen(self.holder.current, text, context or ScreenContext(), item_id, None)

    def screen_many(
        self, items: Sequence[tuple[str | None, str]], context: ScreenContext | None = None
    ) -> list[Decision | KyodakuError]:
        """Screen (id, text) pairs, embedding all prompts in one batch; a bad item gives its error
        in its place and the others are still screened."""
        ctx = context or ScreenContext()
        snap = self.holder.current
        results: list[Decision | KyodakuError | None] = [None] * len(items)
        valid: list[int] = []
        for n, (item_id, text) in enumerate(items):
            try:
                self._check_input(text)
                valid.append(n)
            except KyodakuError as exc:
                exc.details.setdefault("id", item_id)
                results[n] = exc
        queries: list = [None] * len(valid)
        index = snap.match.semantic
        if self.options.semantic and index is not None and valid:
            try:
                queries = index.encode([items[n][1] for n in valid])
            except ScreeningUnavailable:
                queries = [None] * len(valid)  # each item then fails closed on its own, with the reason
        for n, query in zip(valid, queries, strict=True):
            item_id, text = items[n]
            results[n] = self._screen(snap, text, ctx, item_id, query)
        return [r for r in results if r is not None]

    def _screen(self, snap: Snapshot, text: str, ctx: ScreenContext, item_id: str | None, query) -> Decision:
        started = time.perf_counter()
        try:
            if self.options.semantic and query is None and snap.match.semantic is not None:
                query = snap.match.semantic.encode([text])[0]
            found = self._find(snap, text, query)
            themes = self._detect_themes(text, query) if found.findings else []
        except ScreeningUnavailable as exc:
            if not self.options.fail_closed:
                raise
            return self._failed_closed(snap, ctx, exc, started, item_id)
        return self._decide(snap, ctx, found, themes, started, item_id)

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
        Unreadable media raise InvalidInput (the caller's error) rather than failing closed.
        """
        if prompt is None and not media:
            raise InvalidInput("nothing to screen: give a prompt, media, or both")
        if prompt is not None:
            self._check_input(prompt)
        snap = self.holder.current
        started = time.perf_counter()
        hashed = self.hash_outputs(media, names, expect, snap)
        ctx = context or ScreenContext()
        found = _Found()
        themes: list[ThemeHit] = []
        try:
            query = None
            if prompt is not None:
                if self.options.semantic and snap.match.semantic is not None:
                    query = snap.match.semantic.encode([prompt])[0]
                found = self._find(snap, prompt, query)
            for item in hashed:
                self._media_findings(snap, item, found)
            if prompt is not None and found.findings:
                themes = self._detect_themes(prompt, query)
        except ScreeningUnavailable as exc:
            if not self.options.fail_closed:
                raise
            return self._failed_closed(snap, ctx, exc, started, item_id)
        from kyodaku.media.evidence import media_summary

        extra = {"media": [media_summary(h) for h in hashed]}
        return self._decide(snap, ctx, found, themes, started, item_id, extra)

    def hash_outputs(
        self, media: Sequence, names: Sequence[str | None] | None = None, expect=None, snap=None
    ) -> list:
        from kyodaku.media.hashing import hash_media

        names = list(names) if names is not None else [None] * len(media)
        if len(names) != len(media):
            raise InvalidInput("names must match media one to one")
        out = []
        snap = snap or self.holder.current  # the snapshot the caller screens against
        learned = self.encoder is not None and getattr(snap.media, "learned", None) is not None
        for source, name in zip(media, names, strict=True):
            hashed = hash_media(source, self.options.hash_options(query=True), name=name)
            if expect is not None and hashed.media_type != expect:
                raise InvalidInput(
                    f"{hashed.name}: expected an {expect}, got a {hashed.media_type}", file=hashed.name
                )
            if learned and hashed.media_type == "image":
                hashed = self._embed(source, hashed)
            out.append(hashed)
        return out

    def _embed(self, source, hashed):
        """The learned encoder's vector of an output image (decoded again, in colour)."""
        from dataclasses import replace

        from kyodaku.media.hashing import decode_image

        picture = decode_image(source, self.options.hash_options(query=True), name=hashed.name)[0]
        return replace(hashed, embedding=self.encoder.encode([picture])[0])

    def _media_findings(self, snap: Snapshot, media, found: _Found) -> None:
        from kyodaku.media.evidence import image_finding, learned_finding, local_finding, video_finding

        bank = snap.media
        if bank is None or not len(bank):
            found.notes.append(f"{media.name}: no reference hashes are registered; nothing to match")
            return
        threshold = bank.options.threshold
        if media.media_type == "image":
            matches = [(m, image_finding) for m in bank.match_image(media)]
            if self.options.local_features:
                seen = {m.reference.id for m, _ in matches}
                matches += [(m, local_finding) for m in bank.match_local(media, seen)]
            seen = {m.reference.id for m, _ in matches}
            matches += [(m, learned_finding) for m in bank.match_learned(media, seen)]
        else:
            matches = [(m, video_finding) for m in bank.match_video(media)]
        if not any(f.quality >= bank.options.min_quality for f in media.frames):
            found.notes.append(
                f"{media.name}: every hash is under PDQ's quality floor ({bank.options.min_quality}); "
                "a flat or blank picture cannot be matched"
            )
        for match, make in matches:
            entity = snap.entities.get(match.reference.entity)
            if entity is None:
                found.notes.append(f"reference {match.reference.id} belongs to a removed entry; ignored")
                continue
            found.findings.append(make(match, media, entity.kind.value, threshold))

    def _check_input(self, text: str) -> None:
        if not isinstance(text, str):
            raise InvalidInput("prompt must be a string")
        if not text.strip():
            raise InvalidInput("prompt is empty")
        if len(text) > self.options.max_chars:
            raise PayloadTooLarge(
                f"prompt has {len(text)} characters; the limit is {self.options.max_chars}",
                limit=self.options.max_chars,
            )

    # -- matchers ---------------------------------------------------------------------------------
    def _find(self, snap: Snapshot, text: str, query=None) -> _Found:
        sk = skeleton(text)
        out = _Found()
        alias_hits = snap.match.aliases.find(sk)
        semantic_hits = self._semantic(snap, query)
        strong = [h for h in semantic_hits if h.score >= self.options.semantic_min_score]
        context_hits = snap.match.context.find(sk) if any(h.variant.ambiguous for h in alias_hits) else []
        exact_spans: set[tuple[int, int]] = set()
        for hit in alias_hits:
            v = hit.variant
            ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang)
            if folded_into_word(hit.text, v.name):
                out.notes.append(
                    f'"{hit.text}" at {hit.span[0]}..{hit.span[1]} reads like {v.entity} ("{v.name}") '
                    "only after spelling folds, and is itself an ordinary word"
                )
                continue
            # "Eevee" folds to the word "eve": the folded form needs context, the full name does not.
            if not v.ambiguous or (v.by_key and hit.text.casefold() == v.name.casefold()):
                out.findings.append(Finding(v.entity, v.kind, ALIAS_SCORE, "alias", ev))
                exact_spans.add(hit.span)
                continue
            support = self._support(snap, hit, context_hits, {h.entity for h in strong}, query)
            if support:
                note = f"ambiguous name ({v.ambiguity_reason}) with supporting context"
                ev = Evidence(span=hit.span, text=hit.text, variant=v.name, lang=v.lang, note=note)
                out.findings.append(
                    Finding(v.entity, v.kind, CONTEXT_SCORE, "alias+context", ev, tuple(support))
                )
                exact_spans.add(hit.span)
            else:
                out.notes.append(
                    f'"{hit.text}" at {hit.span[0]}..{hit.span[1]} may name {v.entity}, but it is '
                    f"{v.ambiguity_reason} and nothing in the prompt supports that reading"
                )
        if self.options.fuzzy:
            for fh in snap.match.fuzzy.find(sk, exact_spans):
                v = fh.variant
                ev = Evidence(
                    span=fh.span,
                    text=fh.text,
                    variant=v.name,
                    lang=v.lang,
                    note=f"edit distance {fh.distance}",
                )
                out.findings.append(Finding(v.entity, v.kind, round(0.9 * fh.score, 4), "fuzzy", ev))
        for sh in semantic_hits:
            note = f"cosine {sh.cosine:.3f} vs threshold {sh.threshold:.3f}"
            if sh.score < self.options.semantic_min_score:
                out.notes.append(
                    f'"{sh.segment}" resembles the description of {sh.entity} ({note}, '
                    f"score {sh.score:.2f}), below the {self.options.semantic_min_score} needed on its own"
                )
                continue
            ev = Evidence(span=sh.span, text=sh.segment, variant=sh.matched_text, lang=sh.lang, note=note)
            out.findings.append(Finding(sh.entity, sh.kind, sh.score, "semantic", ev))
        out.findings = _drop_nested(out.findings)
        return out

    def _semantic(self, snap: Snapshot, query) -> list:
        if not self.options.semantic:
            return []
        index = snap.match.semantic
        if index is None or query is None:
            raise ScreeningUnavailable("the semantic index is missing from the snapshot")
        return index.search_encoded(query)

    def _support(
        self, snap: Snapshot, hit: AliasHit, context_hits: list[AliasHit], semantic: set[str], query
    ) -> list[str]:
        """Why an ambiguous name may be read as the registered entry (empty: it may not)."""
        entity = snap.entities.get(hit.variant.entity)
        groups = support_groups(entity) if entity else {hit.variant.entity}
        support = [
            f"context: {c.text}"
            for c in context_hits
            if c.variant.entity in groups and (c.span[1] <= hit.span[0] or c.span[0] >= hit.span[1])
        ]
        if disguised(hit.text, hit.variant.name):
            support.append(f'disguised spelling "{hit.text}": ordinary words are not disguised')
        if groups & semantic:
            support.append("semantic: the prompt describes this entry")
        elif query is not None and snap.match.semantic is not None:
            margin = snap.match.semantic.best_margin(query, groups)
            if margin is not None and margin >= -self.options.support_margin:
                support.append(f"semantic: the prompt agrees with the description (margin {margin:+.3f})")
        return support

    def _detect_themes(self, text: str, query=None) -> list[ThemeHit]:
        """Themes matter only when an entry was found (conditions are checked on them), so the
        detector is built on first need and reuses the prompt's embedding."""
        if not self.options.themes:
            return []
        with self._themes_lock:
            if self._themes is None:
                from kyodaku.text.themes import ThemeDetector

                self._themes = ThemeDetector(semantic=self.options.semantic)
        return list(self._themes.detect(text, query if self.options.semantic else None))

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
        at = ctx.at or utcnow()
        best: dict[str, Finding] = {}
        for f in found.findings:
            if f.entity not in best or f.score > best[f.entity].score:
                best[f.entity] = f
        decisions: list[EntityDecision] = []
        for entity_id, finding in sorted(best.items(), key=lambda kv: -kv[1].score):
            entity = snap.entities[entity_id]
            outcome = snap.policy.decide(entity, ctx, at, themes)
            verdict = outcome.verdict
            if verdict is Verdict.BLOCK and finding.score < self.options.review_below:
                verdict = Verdict.REVIEW
            rh = snap.rightsholders.get(entity.owner)
            decisions.append(
                EntityDecision(
                    entity=entity.id,
                    kind=entity.kind.value,
                    name=entity.display_name(),
                    work=entity.work,
                    work_name=snap.entities[entity.work].display_name()
                    if entity.work in snap.entities
                    else None,
                    rightsholder={
                        "id": entity.owner,
                        "name": rh.display_name() if rh else entity.owner,
                        "country": rh.country if rh else "",
                    },
                    use=(ctx.use or entity.default_use).value,
                    verdict=verdict,
                    rule=outcome.rule,
                    reason=outcome.reason,
                    score=finding.score,
                )
            )
        verdict = max((d.verdict for d in decisions), key=lambda v: v.severity, default=Verdict.ALLOW)
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

    def _failed_closed(
        self,
        snap: Snapshot,
        ctx: ScreenContext,
        exc: ScreeningUnavailable,
        started: float,
        item_id: str | None,
    ) -> Decision:
        return Decision(
            verdict=Verdict.BLOCK,
            findings=(),
            entities=(),
            themes=(),
            registry_version=snap.version,
            snapshot=snap.label,
            message=messages(Verdict.BLOCK, [], failed_closed_reason=exc.message),
            context=ctx.to_dict(),
            failed_closed=True,
            notes=(f"failed closed: {exc.message}",),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            id=item_id,
        )
