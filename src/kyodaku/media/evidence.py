"""Turn media matches into findings, the one format the policy and the audit trail read.

A media finding names the output (its SHA-256 and name), the exact reference
file that matched (id, file name, SHA-256), the frame and time of the match,
the Hamming distance against the threshold, the region and dihedral transform,
and for video the shares both ways and the matching time ranges: enough for a
rightsholder, or a person answering a claim, to open both files and see.
"""

from __future__ import annotations

from typing import Any

from kyodaku.domain.findings import Evidence, Finding
from kyodaku.media.bank import ImageMatch, LocalImageMatch, VideoLocalMatch, VideoMatch
from kyodaku.media.hashing import MediaHashes


def media_summary(media: MediaHashes) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": media.name,
        "media_type": media.media_type,
        "sha256": media.sha256,
        "bytes": media.size,
        "format": media.format,
        "width": media.width,
        "height": media.height,
    }
    if media.media_type == "video":
        out["duration"] = round(media.duration or 0.0, 3)
        out["frames_hashed"] = media.frame_count
        out["sample_fps"] = media.fps_sampled
    if media.notes:
        out["notes"] = list(media.notes)
    return out


def _finding(
    matcher: str, ref, media: MediaHashes, kind: str, score: float, note: str, **detail: Any
) -> Finding:
    """Every media finding names the output and the reference file the same way."""
    facts = {"input": {"name": media.name, "sha256": media.sha256}, "reference": ref.to_dict(), **detail}
    evidence = Evidence(text=media.name, variant=ref.filename, note=note, media=facts)
    return Finding(ref.entity, kind, score, matcher, evidence)


def image_finding(match: ImageMatch, media: MediaHashes, kind: str, threshold: int) -> Finding:
    ref = match.reference
    video = ref.media_type == "video"
    where = f"frame {match.reference_frame} at {match.reference_t:.1f}s of " if video else ""
    transform = "" if match.variant == "original" else f", after {match.variant}"
    trim = _trim(media) if match.trim is not None else None
    inside = f", inside the output's plain borders (kept box {trim['box']} of {trim['of']})" if trim else ""
    cut = f"'s centre cut to {_shape(match.cut)} (the output shows it filling that shape)" * bool(match.cut)
    region = f"{match.region} region"
    if match.inset is not None:
        region = f"shown in a rectangle inside the output at {list(match.inset)}"
    note = (
        f"PDQ distance {match.distance} of 256 bits (threshold {threshold}) to {where}reference "
        f"{ref.id} ({ref.filename}){cut}, {region}{transform}{inside}"
    )
    frame = {"reference_frame": match.reference_frame, "reference_t": round(match.reference_t, 3)}
    return _finding(
        "pdq", ref, media, kind, match.score(threshold), note,
        distance=match.distance, threshold=threshold, region=match.region, transform=match.variant,
        quality=match.quality, **(frame if video else {}), **({"trim": trim} if trim else {}),
        **({"reference_cut": match.cut} if match.cut else {}),
        **({"inset": list(match.inset)} if match.inset is not None else {}),
    )  # fmt: skip


def _shape(cut: str) -> str:
    """ "cut-16:9" -> "16:9"."""
    return cut.removeprefix("cut-")


def _trim(media: MediaHashes) -> dict[str, Any] | None:
    """The borders cut off the output, in its own pixels (media/borders.py)."""
    if media.trim is None:
        return None
    return media.trim.to_dict(media.width, media.height)


def local_finding(match: LocalImageMatch, media: MediaHashes, kind: str, threshold: int) -> Finding:
    """A crop or partly covered copy: the reference's keypoints found in one consistent placement."""
    ref = match.reference
    note = (
        f"{match.inliers} keypoints of reference {ref.id} ({ref.filename}) found in one placement: "
        f"scale {match.scale:.2f}, rotation {match.rotation_deg:+.1f} degrees (a crop or a covered copy)"
    )
    contains = (
        "the output shows the reference inside it"
        if match.scale < 1
        else "the output is part of the reference"
    )
    trim = _trim(media)
    region = _output_box(match.detail.get("region"), media)
    shown = match.detail.get("reference_region")
    extra: dict[str, Any] = {"trim": trim} if trim else {}
    if region is not None and shown is not None:
        # The containment as explicit boxes: where in the output, and which part of the reference.
        extra["region"] = {"output_box": region, "of": [media.width, media.height],
                           "reference_share": [round(float(v), 3) for v in shown]}  # fmt: skip
        note += f"; in the output's box {region}, showing {_share_text(shown)} of the reference"
    if match.detail.get("insets_left_out"):
        # A reference behind a picture in picture: say what was not compared, and why.
        note += "; partly behind a picture shown over the output, which was left out of the comparison"
    return _finding(
        "local", ref, media, kind, match.score, f"{note}; {contains}", containment=contains,
        inliers=match.inliers, scale=match.scale, rotation_deg=match.rotation_deg,
        shift_px=list(match.shift), verification=match.detail, **extra,
    )  # fmt: skip


def _output_box(region: Any, media: MediaHashes) -> list[int] | None:
    """A box in the keypoints' scaled frame (inside the trim, if any) as the output's own pixels."""
    local = media.local
    if region is None or local is None or len(region) != 4:
        return None
    qw, qh = local.size
    if media.trim is not None:
        left, top, right, bottom = media.trim.box
        dw, dh = media.trim.width, media.trim.height
    else:
        left, top, right, bottom = 0, 0, media.width, media.height
        dw, dh = media.width, media.height
    sx, sy = (right - left) / qw * media.width / dw, (bottom - top) / qh * media.height / dh
    ox, oy = left * media.width / dw, top * media.height / dh
    x0, y0, x1, y1 = (float(v) for v in region)
    return [round(ox + x0 * sx), round(oy + y0 * sy), round(ox + x1 * sx), round(oy + y1 * sy)]


def _share_text(shown: Any) -> str:
    x0, y0, x1, y1 = (float(v) for v in shown)
    area = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    return "all" if area > 0.97 else f"{area:.0%} (x {x0:.2f}-{x1:.2f}, y {y0:.2f}-{y1:.2f})"


def learned_finding(match, media: MediaHashes, kind: str, threshold: int) -> Finding:
    """A match of the operator's learned encoder (SSCD, CLIP-like): similarity against its threshold."""
    ref = match.reference
    note = (
        f"{match.encoder} similarity {match.similarity:.3f} (threshold {match.threshold:.3f}) to reference "
        f"{ref.id} ({ref.filename})"
    )
    return _finding(
        "encoder", ref, media, kind, match.score, note,
        encoder=match.encoder, encoder_fingerprint=match.fingerprint, similarity=match.similarity,
        threshold=match.threshold,
    )  # fmt: skip


def video_finding(match: VideoMatch, media: MediaHashes, kind: str, threshold: int) -> Finding:
    ref = match.reference
    spans = ", ".join(
        f"{r.query_start:.1f}-{r.query_end:.1f}s (reference {r.reference_start:.1f}-{r.reference_end:.1f}s)"
        for r in match.ranges[:5]
    )
    note = (
        f"{match.matched_frames} of {match.query_frames} sampled frames "
        f"({match.query_share:.0%}) match reference {ref.id} ({ref.filename}); "
        f"{match.reference_share:.0%} of the reference's seconds are matched; at {spans}"
    )
    if match.matched_frames == 1:
        note += f"; one frame within {match.best_distance} bits decides, as one image's hash does"
    if match.cuts:
        shapes = ", ".join(_shape(c) for c in match.cuts)
        note += f"; through the reference's centre cut to {shapes} (it fills a frame of that shape)"
    return _finding(
        "vpdq", ref, media, kind, match.score, note,
        query_share=match.query_share, reference_share=match.reference_share,
        matched_frames=match.matched_frames, query_frames=match.query_frames,
        best_distance=match.best_distance, threshold=threshold,
        ranges=[r.to_dict() for r in match.ranges],
        **({"reference_cuts": list(match.cuts)} if match.cuts else {}),
    )  # fmt: skip


def video_local_finding(match: VideoLocalMatch, media: MediaHashes, kind: str, threshold: int) -> Finding:
    """An image reference found by its keypoints in neighbouring sampled frames of a video."""
    ref = match.reference
    spans = ", ".join(f"{r.query_start:.1f}-{r.query_end:.1f}s" for r in match.ranges[:5])
    note = (
        f"keypoints of reference {ref.id} ({ref.filename}) found in {match.matched_frames} of "
        f"{match.query_frames} sampled frames, each with a neighbouring frame agreeing, at {spans}; "
        f"zoom {match.scales[0]:.2f}-{match.scales[1]:.2f} (a zoom, pan or picture in picture)"
    )
    facts: dict[str, Any] = {
        "matched_frames": match.matched_frames, "query_frames": match.query_frames,
        "query_share": match.query_share, "best_inliers": match.best_inliers, "scales": list(match.scales),
        "ranges": [[round(r.query_start, 3), round(r.query_end, 3)] for r in match.ranges],
    }  # fmt: skip
    if match.pdq_frames:
        facts["pdq_frames"] = match.pdq_frames
        note += f"; {match.pdq_frames} of the frames matched by PDQ, the rest by keypoints"
    trim = _trim(media)
    if trim:
        facts["trim"] = trim
    return _finding("local-video", ref, media, kind, match.score, note, **facts)
