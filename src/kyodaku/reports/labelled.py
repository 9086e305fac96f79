"""The labelled prompt set the parity report screens: equivalent requests for every country.

Why a labelled set: the ledger only shows what users happened to ask, and only the requests the
guard *recognised* carry a rightsholder (a Japanese character the guard missed leaves no trace of
being Japanese). To say that JP and US entries are protected alike, the same requests must be put
to the guard for both, and the misses counted too. So each template below ("{name} surfing at
sunset", "{name}のイラスト", "{name} 的同人图", ...) is filled with the official name of every
registered entry, in the template's language where the catalog has one (else the English name, as
a French user would type "Pikachu"), plus benign control prompts that name nothing registered
(their block rate is the false-block rate). Every item is labelled with its entity, kind,
rightsholder, country, language, template and expected verdict, so any figure can be traced back to
the prompts behind it.

The "official name" is the first name the catalog lists in a language (the catalog's convention).
Templates exist per kind: characters and works are requested as subjects, styles as a style applied
to a neutral scene.

`scripts/make_parity_set.py` writes the set built from the demo catalog to
`kyodaku/data/parity/prompts.yaml` (reproducible: same catalog, same file); `build_parity_set`
builds one from any catalog in memory (the API's `source=catalog`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kyodaku.domain.errors import InvalidInput
from kyodaku.domain.model import Catalog, EntityKind

FORMAT = "kyodaku-parity-set/1"
SHIPPED = "data/parity/prompts.yaml"
"""The shipped set, inside the `kyodaku` package."""

SUBJECT_KINDS = (EntityKind.CHARACTER.value, EntityKind.WORK.value)
STYLE_KINDS = (EntityKind.STYLE.value,)


@dataclass(frozen=True)
class Template:
    id: str
    lang: str
    kinds: tuple[str, ...]
    text: str

    def fill(self, name: str) -> str:
        return self.text.replace("{name}", name)


def _t(id: str, lang: str, text: str, kinds: tuple[str, ...] = SUBJECT_KINDS) -> Template:
    return Template(id, lang, kinds, text)


TEMPLATES: tuple[Template, ...] = (
    _t("en-surf", "en", "{name} surfing at sunset"),
    _t("en-poster", "en", "a poster of {name}"),
    _t("en-style", "en", "a lighthouse by the sea, {name}", STYLE_KINDS),
    _t("ja-illust", "ja", "{name}のイラスト"),
    _t("ja-surf", "ja", "夕焼けの海でサーフィンをする{name}"),
    _t("ja-style", "ja", "{name}の海辺の灯台", STYLE_KINDS),
    _t("zh-doujin", "zh", "{name} 的同人图"),
    _t("zh-poster", "zh", "一张{name}的海报"),
    _t("zh-style", "zh", "{name}的海边灯塔", STYLE_KINDS),
    _t("ko-drawing", "ko", "{name} 그림"),
    _t("ko-surf", "ko", "석양에서 서핑하는 {name}"),
    _t("ko-style", "ko", "{name} 바닷가 등대", STYLE_KINDS),
    _t("fr-poster", "fr", "une affiche de {name}"),
    _t("fr-surf", "fr", "{name} qui surfe au coucher du soleil"),
    _t("fr-style", "fr", "un phare au bord de la mer, {name}", STYLE_KINDS),
    _t("es-poster", "es", "un póster de {name}"),
    _t("es-surf", "es", "{name} surfeando al atardecer"),
    _t("es-style", "es", "un faro junto al mar, {name}", STYLE_KINDS),
    _t("de-poster", "de", "ein Poster von {name}"),
    _t("de-surf", "de", "{name} beim Surfen im Sonnenuntergang"),
    _t("de-style", "de", "ein Leuchtturm am Meer, {name}", STYLE_KINDS),
)
"""Request templates: the same requests in seven languages, per kind of entry."""

CONTROLS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "subject": ("a red fox", "an old fisherman"),
        "style": ("watercolour style", "oil painting style"),
    },
    "ja": {"subject": ("赤いキツネ", "年老いた漁師"), "style": ("水彩画風", "油絵風")},
    "zh": {"subject": ("红狐狸", "老渔夫"), "style": ("水彩风格", "油画风格")},
    "ko": {"subject": ("붉은 여우", "늙은 어부"), "style": ("수채화 스타일", "유화 스타일")},
    "fr": {
        "subject": ("un renard roux", "un vieux pêcheur"),
        "style": ("style aquarelle", "style peinture à l'huile"),
    },
    "es": {"subject": ("un zorro rojo", "un viejo pescador"), "style": ("estilo acuarela", "estilo óleo")},
    "de": {"subject": ("ein roter Fuchs", "ein alter Fischer"), "style": ("Aquarell-Stil", "Ölgemälde-Stil")},
}
"""Benign fillers per language: what the same templates look like when they name nothing registered."""


@dataclass(frozen=True)
class ParityItem:
    """One labelled prompt. `entity` is None for a control (a prompt naming nothing registered)."""

    id: str
    text: str
    lang: str
    template: str
    expected: str
    entity: str | None = None
    kind: str | None = None
    rightsholder: str | None = None
    country: str | None = None
    name_lang: str | None = None
    """The language of the name filled in (the template's, or "en" when the catalog has none)."""

    @property
    def control(self) -> bool:
        return self.entity is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "entity": self.entity,
            "kind": self.kind,
            "rightsholder": self.rightsholder,
            "country": self.country,
            "lang": self.lang,
            "name_lang": self.name_lang,
            "template": self.template,
            "expected": self.expected,
        }


@dataclass(frozen=True)
class ParitySet:
    items: tuple[ParityItem, ...]
    source: str
    """Where the set came from (a file path, "shipped", or "catalog vN")."""
    catalog_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "items": len(self.items), "catalog_sha256": self.catalog_sha256}


def _official(names: Mapping[str, Sequence[str]], lang: str) -> tuple[str, str] | None:
    for code in (lang, "en"):
        if names.get(code):
            return names[code][0], code
    return None


def build_parity_set(
    catalog: Catalog, templates: Iterable[Template] = TEMPLATES, countries: Iterable[str] | None = None
) -> list[ParityItem]:
    """Every template filled with every entry's official name (entries of `countries`, default all),
    then the controls; in a stable order (templates, then entries as the catalog lists them).

    Expected verdicts: "block" for entries (no permission is assumed: the set is screened without a
    licensee unless the report is asked for one), "allow" for controls."""
    owners = catalog.rightsholder_map()
    wanted = {c.upper() for c in countries} if countries is not None else None
    templates = tuple(templates)
    items: list[ParityItem] = []
    for t in templates:
        for e in catalog.entities:
            owner = owners.get(e.owner)
            if owner is None or e.kind.value not in t.kinds:
                continue
            if wanted is not None and owner.country.upper() not in wanted:
                continue
            official = _official(e.names, t.lang)
            if official is None:
                continue
            name, name_lang = official
            items.append(
                ParityItem(
                    id=f"{t.id}/{e.id}",
                    text=t.fill(name),
                    lang=t.lang,
                    template=t.id,
                    expected="block",
                    entity=e.id,
                    kind=e.kind.value,
                    rightsholder=owner.id,
                    country=owner.country.upper(),
                    name_lang=name_lang,
                )
            )
    for t in templates:
        group = "style" if set(t.kinds) <= set(STYLE_KINDS) else "subject"
        for n, filler in enumerate(CONTROLS.get(t.lang, {}).get(group, ())):
            items.append(
                ParityItem(
                    id=f"{t.id}/control-{n + 1}",
                    text=t.fill(filler),
                    lang=t.lang,
                    template=t.id,
                    expected="allow",
                    name_lang=t.lang,
                )
            )
    return items


def catalog_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_document(items: Sequence[ParityItem], catalog_label: str, catalog_digest: str) -> dict[str, Any]:
    """What `scripts/make_parity_set.py` writes: the templates, the controls and the items."""
    return {
        "format": FORMAT,
        "catalog": catalog_label,
        "catalog_sha256": catalog_digest,
        "templates": [
            {"id": t.id, "lang": t.lang, "kinds": list(t.kinds), "text": t.text} for t in TEMPLATES
        ],
        "items": [i.to_dict() for i in items],
    }


_REQUIRED = ("id", "text", "lang", "template", "expected")


def parse_parity_set(data: Any, source: str) -> ParitySet:
    """Check a loaded set document and return its items; InvalidInput names the first bad item."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise InvalidInput(f"{source}: not a kyodaku parity set (format: {FORMAT} expected)", file=source)
    raw = data.get("items")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f"{source}: the set has no items", file=source)
    items: list[ParityItem] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{source}: item {n} is not a mapping", file=source)
        missing = [k for k in _REQUIRED if not isinstance(item.get(k), str) or not item.get(k)]
        if missing:
            raise InvalidInput(f"{source}: item {n} lacks {', '.join(missing)}", file=source)
        if item["expected"] not in ("allow", "review", "block"):
            raise InvalidInput(f"{source}: item {n}: expected must be allow, review or block", file=source)
        if item.get("entity") and not item.get("country"):
            raise InvalidInput(f"{source}: item {n} names an entity but no country", file=source)
        if item["id"] in seen:
            raise InvalidInput(f"{source}: item id {item['id']!r} is used twice", file=source)
        seen.add(item["id"])
        country = item.get("country")
        items.append(
            ParityItem(
                id=item["id"],
                text=item["text"],
                lang=item["lang"],
                template=item["template"],
                expected=item["expected"],
                entity=item.get("entity") or None,
                kind=item.get("kind") or None,
                rightsholder=item.get("rightsholder") or None,
                country=country.upper() if country else None,
                name_lang=item.get("name_lang") or None,
            )
        )
    return ParitySet(tuple(items), source, data.get("catalog_sha256"))


def load_parity_set(path: Path | str | None = None) -> ParitySet:
    """The set at `path`, or the shipped one (built from the demo catalog)."""
    try:
        if path is None:
            text = resources.files("kyodaku").joinpath(SHIPPED).read_text(encoding="utf-8")
            source = "shipped"
        else:
            text, source = Path(path).read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the parity set {path or SHIPPED}: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML: {exc}", file=source) from exc
    return parse_parity_set(data, source)


__all__ = [
    "CONTROLS",
    "FORMAT",
    "TEMPLATES",
    "ParityItem",
    "ParitySet",
    "Template",
    "build_parity_set",
    "load_parity_set",
    "parse_parity_set",
    "set_document",
]
