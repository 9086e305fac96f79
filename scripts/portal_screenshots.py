"""Screenshots of the portal's pages for the docs: the real app on a throwaway registry (seeded from
examples/demo-catalog.yaml), Debian's Chromium, one full-page PNG per entry of SHOTS.

Why a script and not a test: the pictures are documentation, regenerated on purpose when pages
change, and reviewed as images in the diff. The server and browser set-up is the one the portal's
browser tests use (tests/helpers/live_server.py and tests/helpers/browser.py), so what the docs show
is what the tests drove.

    .venv/bin/python scripts/portal_screenshots.py             # writes docs/img/*.png
    .venv/bin/python scripts/portal_screenshots.py --out /tmp/shots

Japanese pages need a CJK font in the browser's system (Debian: `apt-get install fonts-noto-cjk`);
without one Chromium draws their text as empty boxes. The pages themselves name no font.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the shared `helpers` package (as pytest's pythonpath has it)

from helpers.browser import find_chromium, launch  # noqa: E402
from helpers.live_server import LiveServer, live_server  # noqa: E402

WIDTH = 1280


@dataclass(frozen=True)
class Shot:
    """One picture: `name`.png of the page at `path` (relative to the server's URL)."""

    name: str
    path: str
    role: str | None = None  # a key of LiveServer.keys to sign in with first; None: not signed in


# The pages the docs show; `{case}` and `{inquiry}` are the cases `seed` files.
SHOTS: list[Shot] = [
    Shot("portal-signin", "/portal/signin"),
    Shot("portal-dashboard", "/portal/home", "rightsholder_a"),
    Shot("portal-dashboard-ja", "/portal/home?lang=ja", "rightsholder_a"),
    Shot("portal-entry", "/portal/entries/pikachu", "rightsholder_a"),
    Shot("portal-permissions", "/portal/permissions?licensee=studio-x&region=JP", "rightsholder_a"),
    Shot("portal-claim-form", "/portal/cases/new", "rightsholder_a"),
    Shot("portal-queue", "/portal/queue", "operator"),
    Shot("portal-parity", "/portal/parity", "operator"),
    Shot("portal-case-desk", "/portal/cases/{case}", "operator"),
    Shot("portal-case-answer-ja", "/portal/cases/{case}?lang=ja", "rightsholder_a"),
]


def sign_in(page, server: LiveServer, role: str) -> None:
    """Open a portal session as `role` (admin, operator, rightsholder_a, rightsholder_b) through the form."""
    page.goto("/portal/signin")
    page.fill("input[name=key]", getattr(server.keys, role))
    page.click("form[action='/portal/signin'] button[type=submit]")
    page.wait_for_load_state()


def seed(server: LiveServer) -> dict[str, str]:
    """Give the pages something to show: the shipped parity prompts screened (ledger entries), a
    reference, a permission, an upheld claim and an open inquiry; returns the case ids."""
    import io

    import httpx

    from kyodaku.reports.labelled import load_parity_set

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(server.keys, role)}"}

    def picture(seed: int) -> bytes:
        sys.path.insert(0, str(ROOT / "samples"))
        from kyodaku_samples.synthetic import draw_image

        out = io.BytesIO()
        draw_image("character" if seed % 2 else "scene", seed, (480, 360)).convert("RGB").save(out, "PNG")
        return out.getvalue()

    with httpx.Client(base_url=server.url, timeout=60) as http:
        for item in load_parity_set().items[:240]:
            http.post("/v1/screen/prompt", json={"text": item.text}, headers=auth("operator"))
        http.post(
            "/v1/entities/pikachu/references",
            headers=auth("rightsholder_a"),
            files={"file": ("pikachu-key-art.png", picture(3), "image/png")},
        )
        http.post(
            "/v1/permissions",
            headers=auth("rightsholder_a"),
            json={
                "id": "studio-x-jp",
                "subject": "pikachu",
                "uses": ["generate"],
                "licensees": ["studio-x"],
                "regions": ["JP"],
            },
        )
        # A re-encoded, smaller copy of the registered key art: the re-match finds the reference.
        copy = io.BytesIO()
        from PIL import Image

        Image.open(io.BytesIO(picture(3))).resize((360, 270)).save(copy, "JPEG", quality=80)
        output = copy.getvalue()
        http.post(
            "/v1/screen/image", headers=auth("operator"), files={"file": ("gen.jpg", output, "image/jpeg")}
        )
        claim = http.post(
            "/v1/cases",
            headers=auth("rightsholder_a"),
            data={"kind": "claim", "entities": "pikachu", "text": "This output copies Pikachu."},
            files={"file": ("found.jpg", output, "image/jpeg")},
        ).json()
        for to in ("acknowledged", "under_review", "upheld"):
            http.post(
                f"/v1/cases/{claim['id']}/transitions",
                headers=auth("operator"),
                json={"to": to, "note": "Matched the registered key art; added to the references."},
            )
        inquiry = http.post(
            "/v1/cases",
            headers=auth("rightsholder_a"),
            data={
                "kind": "inquiry",
                "entities": "pikachu",
                "text": "Was Pikachu in a training set you scanned?",
            },
        ).json()
    return {"case": claim["id"], "inquiry": inquiry["id"]}


def shoot(browser, server: LiveServer, shot: Shot, out: Path, ids: dict[str, str]) -> Path:
    """One page in a fresh context (no session carried over from the shot before), saved as PNG."""
    context = browser.new_context(base_url=server.url, viewport={"width": WIDTH, "height": 800})
    try:
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        if shot.role is not None:
            sign_in(page, server, shot.role)
        page.goto(shot.path.format(**ids), wait_until="networkidle")
        target = out / f"{shot.name}.png"
        page.screenshot(path=str(target), full_page=True)
    finally:
        context.close()
    print(f"wrote {target}", flush=True)
    if failed:  # offline, a page that needs a CDN (Swagger UI does) is pictured half-drawn
        print(f"warning: {shot.name}: {len(failed)} request(s) failed, e.g. {failed[0]}", file=sys.stderr)
    return target


def take(shots: list[Shot], out: Path, chromium: str) -> list[Path]:
    """Serve a throwaway registry, take every shot with one browser; the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="kyodaku-shots-") as work,
        live_server(Path(work)) as server,
        sync_playwright() as playwright,
    ):
        ids = seed(server)
        browser = launch(playwright, chromium)
        try:
            return [shoot(browser, server, shot, out, ids) for shot in shots]
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the PNG files")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="take only these shots (by name)")
    parser.add_argument("--chromium", help="the Chromium executable (default: $KYODAKU_CHROMIUM, Debian's)")
    args = parser.parse_args(argv)
    chromium = args.chromium or find_chromium()
    if chromium is None:
        parser.error("no Chromium found: install Debian's `chromium` (make system-deps) or pass --chromium")
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    unknown = set(args.only or ()) - {s.name for s in SHOTS}
    if unknown:
        known = ", ".join(s.name for s in SHOTS)
        parser.error(f"no such shot: {', '.join(sorted(unknown))} (known: {known})")
    written = take(shots, args.out, chromium)
    print(f"{len(written)} screenshot(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
