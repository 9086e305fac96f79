"""Small real source files and a catalog for the enrich tests (imported by name: conftest modules
of several folders would clash)."""

from __future__ import annotations

import textwrap
from pathlib import Path

CATALOG = """\
version: 1
rightsholders:
  - {id: nintendo, name: {en: "Nintendo Co., Ltd."}, country: JP}
  - {id: disney, name: {en: "The Walt Disney Company"}, country: US}
  - {id: bird-studio, name: {en: "Bird Studio"}, country: JP}
  - {id: pokemon-company, name: {en: "The Pokémon Company"}, country: JP}
works:
  - {id: super-mario, owner: nintendo, names: {en: ["Super Mario"]}}
  - {id: frozen, owner: disney, names: {en: ["Frozen"]}}
  - {id: dragon-ball, owner: bird-studio, names: {en: ["Dragon Ball"]}}
  - {id: pokemon, owner: pokemon-company, names: {en: ["Pokémon"]}}
characters:
  - {id: mario, work: super-mario, names: {en: ["Mario"], ja: ["マリオ"]}}
  - {id: elsa, work: frozen, names: {en: ["Elsa"]}}
  - {id: son-goku, work: dragon-ball, names: {en: ["Son Goku"]}}
  - {id: eevee, work: pokemon, names: {en: ["Eevee"], zh: ["伊布"]}}
permissions: []
"""

DANBOORU = """\
long_hair,0,4350743,"/lh,longhair"
son_goku,4,5181,"goku,son_gokuu,/sg"
mario,4,4748,"mario_mario,mario_(super_mario)"
mario_(pripara),4,111,"mario_san"
pripara,3,20000,
elsa_(frozen),4,1613,"elsa_of_arendelle,queen_elsa,エルサ"
dragon_ball,3,22726,"/db,dragonball,doragon_boru"
frozen_(disney),3,1808,"frozen_(film)"
"""

SOURCE_TXT = """\
Repo: github.com/example/tags
Commit: 4170882f90b47be130a0ff9314f663c230b9153d (snapshot HEAD)
License: MIT (LICENSE "Copyright (c) 2022 Someone")
"""

POKEAPI_NAMES = """\
pokemon_species_id,local_language_id,name,genus
133,1,イーブイ,しんかポケモン
133,2,Eievui,
133,3,이브이,진화포켓몬
133,4,伊布,進化寶可夢
133,5,Évoli,Pokémon Évolutif
133,9,Eevee,Evolution Pokémon
133,12,伊布,进化宝可梦
"""

POKEAPI_LANGUAGES = """\
id,iso639,iso3166,identifier,official,order
1,ja,jp,ja-hrkt,1,1
2,ja,jp,ja-roma,1,3
3,ko,kr,ko,1,4
4,zh,tw,zh-hant,1,5
5,fr,fr,fr,1,8
9,en,us,en,1,7
12,zh,cn,zh-hans,1,6
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
