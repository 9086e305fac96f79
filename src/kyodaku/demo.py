"""`kyodaku demo`: the guard at work on the demo catalog, end to end.

Loads the catalog into the embedded SQLite registry (idempotently), screens the
prompts from the articles that started this project, then lets the rightsholder
grant a permission and shows the very next request obeying it.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from kyodaku.domain.model import Conditions, Effect, Permission, Use, to_utc
from kyodaku.policy.engine import ScreenContext

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


def run_demo(catalog_path: Path, console: Console, database_url: str | None = None) -> None:
    from kyodaku.cli import render
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
