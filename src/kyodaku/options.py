"""The guard's knobs, in one place below everything that needs them.

Why a module of its own: the same definitions are needed by the guard (screening outputs), by the
matchers, by reference ingestion (hashing references exactly as the guard will compare them) and
by the snapshot compiler, which must not import each other. Defaults are the safe ones;
`guard_options()` reads them from the settings (environment).
"""

from __future__ import annotations

from dataclasses import dataclass

from kyodaku.media.bank import MatchOptions
from kyodaku.media.hashing import REFERENCE_DEDUP, HashOptions
from kyodaku.settings import Settings, load_settings


@dataclass(frozen=True)
class GuardOptions:
    """Knobs of the guard; defaults are the safe ones."""

    semantic: bool = True
    # Descriptions are also matched by "head + one feature" parts (text/semantic.py
    # `description_parts`): ~5 entries per description, so a snapshot build encodes ~5x the texts
    # (cached across rebuilds) and the index takes ~5x the memory (2 kB a part).
    description_parts: bool = True
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
    # Outputs are also hashed in their top and bottom 85% windows and HSV value (a caption bar covers
    # one window). The scanner's full tier turns this off: its local features find captioned copies
    # too, and the windows need a colour decode that costs ~1.5 ms an image (docs/benchmarks.md 8c).
    query_regions: bool = True
    # ORB's pyramid on outputs (levels, scale factor a level). The references' is 8 x 1.2; the
    # scanner's full tier asks 4 x 1.5, the same 3.4-3.6x span in coarser steps, ~30% less ORB time
    # (docs/benchmarks.md 8d), which a screen per dataset image pays millions of times.
    query_pyramid: tuple[int, float] = (8, 1.2)
    # ORB finds outputs' corners up to this many px from their edge when the inside has few
    # (LocalOptions.border; references keep the 31 px patch as border): a crop's cut runs through the
    # reference, where it has corners. 0: the references' border (docs/benchmarks.md 13m).
    query_keypoint_border: int = 8
    # Outputs decoded to 256 px on their long side, not their short side (HashOptions.draft_long_side):
    # ~0.45 ms less an image; the scanner's choice (docs/benchmarks.md 8e). The guard keeps the extra
    # pixels for pictures shown small inside a frame.
    query_draft_long_side: bool = False
    # The references' finer keypoint band (deep crops, docs/media.md): ~5.5% more per image; the
    # scanner's full tier leaves it out (its planted crops are found without it).
    local_fine_band: bool = True
    # Insets (picture in picture, collage panels; media/local/insets.py): an output's decoded picture is
    # kept, and the rectangles it shows inside itself are analysed again at the resolution they have.
    # Costs only outputs that show such a rectangle (docs/media.md); the scanner can leave it out.
    local_insets: bool = True
    # Optional learned encoder (a local ONNX file) and where reference files are, to embed them.
    image_encoder: str | None = None
    reference_store: str = "kyodaku-references"

    def hash_options(self, query: bool = True) -> HashOptions:
        """Hashing for outputs (queries: all 8 dihedral variants, so mirrored and rotated copies
        match) or for references (stored once, near-duplicate frames dropped, local features always
        kept whatever a guard later uses, so the registry never needs re-hashing for a setting)."""
        if query:
            return HashOptions(
                max_pixels=self.max_pixels,
                video_fps=self.video_fps,
                dihedral=True,
                regions=self.query_regions,
                local_features=self.local_features,
                video_local_features=self.local_features,
                local_thumb_side=256,
                trim_borders=True,
                local_levels=self.query_pyramid[0],
                local_scale_factor=self.query_pyramid[1],
                local_border=self.query_keypoint_border,
                draft_long_side=self.query_draft_long_side,
                keep_picture=self.local_features and self.local_insets,
                video_local_insets=self.local_features and self.local_insets,
                inset_hashes=self.local_features and self.local_insets,
            )
        return HashOptions(
            max_pixels=self.max_pixels,
            video_fps=self.reference_video_fps,
            dedup_distance=REFERENCE_DEDUP,
            local_features=True,  # stored with the reference, whatever a guard later uses
            # A reference with plain borders of its own (character art on a white page, a film's
            # bars) also stores the hash of its inside: an output that shows it framed or
            # letterboxed is trimmed to that same inside (media/borders.py). Its keypoints stay those
            # of the picture as registered (the finer band is taken from the whole file). References
            # registered before this keep their rows (the scheme is unchanged; a row was added).
            trim_borders=True,
            local_inside_borders=False,
            # Centre cuts to the common frame shapes (hashing.hash_aspect_cuts): a still shown filling a
            # frame of another shape. Rows added as the trimmed one was; the scheme is unchanged, and
            # references registered before keep their rows until registered again.
            aspect_cuts=True,
        )

    def match_options(self) -> MatchOptions:
        return MatchOptions(
            threshold=self.pdq_threshold,
            min_quality=self.pdq_min_quality,
            local_fine_band=self.local_fine_band,
            local_insets=self.local_insets,
            local_untrimmed_border=self.query_keypoint_border,
        )


def guard_options(semantic: bool | None = None, settings: Settings | None = None) -> GuardOptions:
    """Options from the environment (KYODAKU_SEMANTIC, KYODAKU_FAIL_CLOSED, KYODAKU_MAX_PROMPT_CHARS, ...)
    or from given `settings`; an explicit `semantic` (a command-line flag) wins."""
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


def reference_hash_options(settings: Settings | None = None) -> HashOptions:
    """How references are hashed: the guard's one definition, from the settings."""
    return guard_options(semantic=False, settings=settings).hash_options(query=False)
