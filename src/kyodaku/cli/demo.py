"""`kyodaku demo`: the guard at work on the demo catalog, end to end.

Loads the catalog into the embedded SQLite registry (idempotently), screens the
prompts from the articles that started this project, then lets the rightsholder
grant a permission and shows the very next request obeying it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kyodaku.cli.common import out, render
from kyodaku.domain.model import Conditions, Effect, Permission, Use, to_utc
from kyodaku.policy.engine import ScreenContext

DEMO_MEDIA = Path(".kyodaku") / "demo-media"
"""Where the demo keeps the reference files it draws (git-ignored)."""

PROMPTS = [
    "Pikachu storming the beaches of Normandy",
    "ピカチュウがノルマンディーに上陸する",
    "P1kachu",
    "Ｐｉｋａｃｈｕ",
    "ぴかちゅう",
    "Pickachu",
    "a small yellow electric mouse creature with red cheeks",
    "Mario being pulled over for driving his go-kart like a maniac",
    "in the style of Studio Ghibli, a quiet seaside town",
    "a cloud over Mount Fuji",
    "Mario Draghi speaks in Brussels",
]


def demo(
    catalog: Annotated[Path, typer.Option(help="Demo catalog.")] = Path("examples/demo-catalog.yaml"),
) -> None:
    """Show the guard at work on the demo catalog, then a permission change obeyed at once."""
    run_demo(catalog, out)


def run_demo(catalog_path: Path, console: Console, database_url: str | None = None) -> None:
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.registry.store import RegistryStore
    from kyodaku.screening import Guard
    from kyodaku.settings import Settings

    url = database_url or Settings().database_url
    store = RegistryStore(url)
    store.migrate()
    result = store.import_catalog(load_catalog(catalog_path), actor="demo")
    console.rule(
        f"registry {url}: version {result.version} ({result.created} created, {result.unchanged} unchanged)"
    )
    guard = Guard.from_catalog(store.catalog_at())
    for prompt in PROMPTS:
        console.print(f"\n[bold]$ kyodaku screen {prompt!r}[/]")
        console.print(render(guard.screen_prompt(prompt)))

    console.rule("the rightsholder grants: Pikachu for licensee acme in JP, never in violent or war scenes")
    permission = Permission(
        id="demo-acme-pikachu",
        owner=store.get_entity("pikachu").owner,
        subject="pikachu",
        uses=(Use.GENERATE,),
        effect=Effect.ALLOW,
        licensees=("acme",),
        regions=("JP",),
        valid_from=to_utc("2026-01-01"),
        conditions=Conditions(forbidden_themes=("violence", "war")),
    )
    store.put_permission(permission, actor="demo")
    guard.reload(store.catalog_at())
    acme = ScreenContext(licensee="acme", region="JP")
    for prompt, ctx in [
        ("Pikachu having a picnic in a meadow", acme),
        ("Pikachu storming the beaches of Normandy", acme),
        ("Pikachu having a picnic in a meadow", ScreenContext(licensee="other", region="JP")),
        ("Pikachu having a picnic in a meadow", ScreenContext(licensee="acme", region="US")),
    ]:
        console.print(
            f"\n[bold]$ kyodaku screen --licensee {ctx.licensee} --region {ctx.region} {prompt!r}[/]"
        )
        console.print(render(guard.screen_prompt(prompt, ctx)))
    store.revoke_permission(permission.id, actor="demo")
    console.rule("permission revoked again: the registry keeps both versions in its history")
    run_media_demo(store, console)


def run_media_demo(store, console: Console) -> None:
    """References attached, then generated outputs screened: copies block, unrelated pictures pass,
    a harmless prompt with a copied output gives one BLOCK, a clip excerpt names its time ranges."""
    import io
    import tempfile

    from PIL import ImageDraw, ImageOps

    from kyodaku.demo_art import draw_clip_frames, draw_reference, draw_scene, encode_mp4
    from kyodaku.domain.access import LOCAL_ADMIN
    from kyodaku.refs.ingest import hash_options, ingest_files, reference_store
    from kyodaku.screening import Guard

    console.rule("media: the rightsholders attach reference images and a clip (drawn for the demo)")
    # The reference files are drawn once and kept: x264 does not give the same bytes twice, and
    # re-running the demo should attach nothing new.
    refs = DEMO_MEDIA
    refs.mkdir(parents=True, exist_ok=True)
    if not (refs / "pikachu-ref.png").exists():
        draw_reference(101).save(refs / "pikachu-ref.png")
    if not (refs / "totoro-ref.png").exists():
        draw_reference(202).save(refs / "totoro-ref.png")
    clip = refs / "goku-ref.mp4"
    if not clip.exists():
        encode_mp4(clip, draw_clip_frames(303, seconds=8, fps=12), fps=12)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        refstore = reference_store()
        files = [
            ("pikachu", refs / "pikachu-ref.png"),
            ("totoro", refs / "totoro-ref.png"),
            ("son-goku", clip),
        ]
        report = ingest_files(store, refstore, LOCAL_ADMIN, files, hash_options())
        console.print(f"references: {report.describe()} (store {refstore.root})")
        guard = Guard.from_store(store)

        def jpeg(image, quality=60) -> bytes:
            buf = io.BytesIO()
            image.convert("RGB").save(buf, "JPEG", quality=quality)
            return buf.getvalue()

        captioned = draw_reference(202)
        bar = ImageDraw.Draw(captioned)
        bar.rectangle([0, 450, 512, 512], fill=(10, 10, 10))
        bar.text((12, 465), "my totally original character", fill=(255, 255, 255))
        excerpt = encode_mp4(
            folder / "generated.mp4", list(draw_clip_frames(303, seconds=8, fps=12))[30:78], fps=12
        )
        outputs = [
            ("a mirrored JPEG of the Pikachu reference", jpeg(ImageOps.mirror(draw_reference(101)))),
            ("the Totoro reference with a caption bar", jpeg(captioned)),
            ("an unrelated generated picture", jpeg(draw_scene(404))),
            ("four seconds cut from the Goku clip", excerpt.read_bytes()),
        ]
        for label, data in outputs:
            console.print(f"\n[bold]$ kyodaku screen-media <{label}>[/]")
            console.print(render(guard.screen_output(media=[data], names=[label])))
        console.print("\n[bold]$ kyodaku screen-media --prompt 'a cute yellow animal' <the Pikachu copy>[/]")
        decision = guard.screen_output(
            prompt="a cute yellow animal", media=[outputs[0][1]], names=["output.jpg"]
        )
        console.print(render(decision))
