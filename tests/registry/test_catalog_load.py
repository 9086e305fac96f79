"""Loading catalog files: what is accepted, the defaults it fills in, and how every problem is located."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from kyodaku.domain.errors import CatalogError, InvalidInput
from kyodaku.domain.model import THEMES, Effect, EntityKind, Use
from kyodaku.registry.catalog import catalog_schema, load_catalog, load_catalog_text

REPO = Path(__file__).resolve().parents[2]
TWO_OWNERS = Path(__file__).parent / "data" / "two-owners.yaml"

HEAD = """\
version: 1
rightsholders:
  - {id: studio-a, name: {en: "Studio A"}, country: JP}
  - {id: studio-b, name: {en: "Studio B"}, country: US}
works:
  - {id: saga-a, owner: studio-a, names: {en: ["Saga A"]}}
  - {id: saga-b, owner: studio-b, names: {en: ["Saga B"]}}
"""  # 7 lines: what each case below appends starts on line 8


def issues_of(text: str | bytes, name: str = "cat.yaml") -> list:
    with pytest.raises(CatalogError) as caught:
        load_catalog_text(text, name)
    return caught.value.issues


def test_when_catalog_is_valid_then_entries_load_with_their_defaults(two_owners):
    entities = two_owners.entity_map()
    assert [e.kind for e in two_owners.entities] == [EntityKind.WORK] * 2 + [EntityKind.CHARACTER] * 2 + [
        EntityKind.STYLE
    ]
    assert entities["hero-a"].owner == "studio-a"  # taken from its work
    assert entities["hero-a"].names == {"en": ("Hero A",), "ja": ("ヒーローA",)}
    assert entities["hero-a"].context == {"en": ("red coat",)}
    assert entities["hero-a"].references == ("refs/hero-a/*.png",)
    allow, deny = two_owners.permissions
    assert allow.uses == (Use.GENERATE,) and allow.effect is Effect.ALLOW
    assert allow.regions == ("JP",)  # uppercased
    assert allow.valid_from == datetime(2026, 1, 1, tzinfo=UTC) and allow.valid_until is None
    assert allow.conditions.forbidden_themes == ("violence", "war")
    assert deny.effect is Effect.DENY and deny.licensees == ("*",) and deny.regions == ("*",)


def test_when_the_same_catalog_is_json_then_it_loads_equal_to_the_yaml(tmp_path, two_owners):
    path = tmp_path / "cat.json"
    path.write_text(
        json.dumps(yaml.safe_load(TWO_OWNERS.read_text(encoding="utf-8")), default=str, indent="\t"),
        encoding="utf-8",
    )
    assert load_catalog(path) == two_owners


def test_when_only_version_is_given_then_the_catalog_is_empty():
    catalog = load_catalog_text("version: 1\n", "empty.yaml")
    assert catalog.entities == () and catalog.permissions == () and catalog.rightsholders == ()


def test_when_the_demo_catalog_ships_then_it_validates():
    demo = REPO / "examples" / "demo-catalog.yaml"
    if not demo.exists():
        pytest.skip("examples/demo-catalog.yaml is not there")
    assert len(load_catalog(demo).entities) > 10


# (situation, text appended to HEAD, expected line, expected field, words the message must contain)
LOCATED = [
    (
        "unknown key",
        "characters:\n  - id: c1\n    work: saga-a\n    names: {en: [C1]}\n    colour: red\n",
        12,
        "characters[0].colour",
        "unknown key 'colour'",
    ),
    (
        "misspelt validity",
        "permissions:\n  - {id: p, owner: studio-a, subject: saga-a, uses: [train],"
        " valid_untill: 2027-01-01}\n",
        9,
        "permissions[0].valid_untill",
        "unknown key",
    ),
    (
        "missing owner",
        "styles:\n  - {id: s1, names: {en: [S1]}}\n",
        9,
        "styles[0].owner",
        "missing required key",
    ),
    (
        "character without owner or work",
        "characters:\n  - {id: c1, names: {en: [C1]}}\n",
        9,
        "characters[0].owner",
        "needs an owner or a work",
    ),
    (
        "unknown owner",
        "styles:\n  - {id: s1, owner: nobody, names: {en: [S1]}}\n",
        9,
        "styles[0].owner",
        "unknown rightsholder 'nobody'",
    ),
    (
        "unknown work",
        "characters:\n  - {id: c1, work: nowhere, names: {en: [C1]}}\n",
        9,
        "characters[0].work",
        "unknown work 'nowhere'",
    ),
    (
        "bad use",
        "permissions:\n  - id: p\n    owner: studio-a\n    subject: saga-a\n    uses: [generate, fly]\n",
        12,
        "permissions[0].uses[1]",
        "'fly'",
    ),
    (
        "unknown subject",
        "permissions:\n  - {id: p, owner: studio-a, subject: ghost, uses: [train]}\n",
        9,
        "permissions[0].subject",
        "unknown subject 'ghost'",
    ),
    (
        "permission on another owner's entry",
        "permissions:\n  - id: p\n    owner: studio-a\n    subject: saga-b\n    uses: [generate]\n",
        11,
        "permissions[0].subject",
        "belongs to 'studio-b'",
    ),
    (
        "duplicate id across kinds",
        "styles:\n  - {id: saga-a, owner: studio-a, names: {en: [S]}}\n",
        9,
        "styles[0].id",
        "duplicate id 'saga-a': already used by works[0]",
    ),
    (
        "validity backwards",
        "permissions:\n  - {id: p, owner: studio-a, subject: '*', uses: [train],\n"
        "     valid_from: 2026-06-01, valid_until: 2026-01-01}\n",
        10,
        "permissions[0].valid_until",
        "after valid_from",
    ),
    (
        "impossible date",
        "permissions:\n  - {id: p, owner: studio-a, subject: '*', uses: [train], valid_from: 2026-02-30}\n",
        9,
        "permissions[0].valid_from",
        "not a valid date",
    ),
    (
        "unknown theme",
        "permissions:\n  - {id: p, owner: studio-a, subject: '*', uses: [train],"
        " conditions: {forbidden_themes: [gore]}}\n",
        9,
        "permissions[0].conditions.forbidden_themes[0]",
        "'gore'",
    ),
    (
        "unquoted NO region",
        "permissions:\n  - {id: p, owner: studio-a, subject: '*', uses: [train], regions: [NO]}\n",
        9,
        "permissions[0].regions[0]",
        "quote it",
    ),
    (
        "bad language tag",
        "styles:\n  - {id: s1, owner: studio-a, names: {english: [S]}}\n",
        9,
        "styles[0].names.english",
        "language tag",
    ),
    (
        "empty names",
        "styles:\n  - {id: s1, owner: studio-a, names: {}}\n",
        9,
        "styles[0].names",
        "must not be empty",
    ),
    (
        "ambiguous name not among names",
        "styles:\n  - {id: s1, owner: studio-a, names: {en: [S]}, ambiguous_names: [T]}\n",
        9,
        "styles[0].ambiguous_names[0]",
        "not one of this entry's names",
    ),
    (
        "duplicate key",
        "styles:\n  - id: s1\n    owner: studio-a\n    owner: studio-b\n    names: {en: [S]}\n",
        11,
        "styles[0].owner",
        "duplicate key",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"), [c[1:] for c in LOCATED], ids=[c[0] for c in LOCATED]
)
def test_when_an_entry_is_wrong_then_the_issue_names_file_line_and_field(text, line, field, words):
    issues = issues_of(HEAD + text)
    assert [(i.file, i.line, i.field) for i in issues] == [("cat.yaml", line, field)], issues
    assert words in issues[0].message


def test_when_yaml_syntax_is_broken_then_the_issue_has_its_line():
    (issue,) = issues_of(HEAD + "styles:\n  - id: s1\n    owner: studio-a\n   names: {en: [S]}\n")
    assert (issue.line, issue.field) == (11, "(file)") and "YAML syntax error" in issue.message


def test_when_yaml_is_indented_with_tabs_then_the_issue_says_so():
    (issue,) = issues_of(HEAD + "styles:\n  - id: s1\n\towner: studio-a\n")
    assert issue.line == 10 and "not tabs" in issue.message


def test_when_json_syntax_is_broken_then_the_issue_has_its_line():
    (issue,) = issues_of('{\n  "version": 1,\n  "works": [,]\n}\n', "cat.json")
    assert (issue.file, issue.line, issue.field) == ("cat.json", 3, "(file)")
    assert "JSON syntax error" in issue.message


def test_when_json_is_indented_with_tabs_then_lines_are_still_known():
    style = '{"id": "s", "owner": "nobody", "names": {"en": ["S"]}}'
    text = '{\n\t"version": 1,\n\t"styles": [\n\t\t' + style + "\n\t]\n}\n"
    (issue,) = issues_of(text, "cat.json")
    assert (issue.line, issue.field) == (4, "styles[0].owner")


def test_when_bytes_are_not_utf8_then_the_issue_says_where():
    raw = (HEAD + "styles:\n  - {id: s1, owner: studio-a, names: {en: [S\xe9]}}\n").encode("latin-1")
    (issue,) = issues_of(raw)
    assert (issue.line, issue.field) == (9, "(file)")
    assert "not valid UTF-8" in issue.message and "0xe9" in issue.message


def test_when_yaml_holds_a_control_character_then_the_issue_has_its_line():
    (issue,) = issues_of(HEAD + "styles: [\x07]\n")
    assert (issue.line, issue.field) == (8, "(file)") and "U+0007" in issue.message


@pytest.mark.parametrize("text", ["[1, 2]\n", "just text\n", ""], ids=["list", "scalar", "empty"])
def test_when_the_top_level_is_not_a_mapping_then_it_is_refused(text):
    (issue,) = issues_of(text)
    assert issue.line == 1
    assert "mapping" in issue.message or "empty" in issue.message


def test_when_version_is_wrong_then_it_is_refused():
    (issue,) = issues_of("version: 2\n")
    assert (issue.line, issue.field) == (1, "version") and "must be 1" in issue.message


def test_when_yaml_uses_aliases_then_they_are_refused():
    (issue,) = issues_of(HEAD + "styles:\n  - {id: s1, owner: studio-a, names: &n {en: [S]}}\n"
                         "  - {id: s2, owner: studio-a, names: *n}\n")  # fmt: skip
    assert "aliases" in issue.message and issue.line == 10


def test_when_a_catalog_has_many_problems_then_all_are_reported_in_line_order():
    text = HEAD + (
        "characters:\n"
        "  - {id: c1, work: saga-a, names: {en: [C1]}, colour: red}\n"  # 9: unknown key
        "  - {id: c2, owner: nobody, names: {en: [C2]}}\n"  # 10: unknown owner
        "permissions:\n"
        "  - {id: p1, owner: studio-a, subject: saga-b, uses: [fly]}\n"  # 12: bad use AND another's subject
        "  - {id: p1, owner: studio-a, subject: c1, uses: [train]}\n"  # 13: duplicate permission id
    )
    issues = issues_of(text)
    assert [(i.line, i.field) for i in issues] == [
        (9, "characters[0].colour"),
        (10, "characters[1].owner"),
        (12, "permissions[0].subject"),
        (12, "permissions[0].uses[0]"),
        (13, "permissions[1].id"),
    ]
    assert "catalog is invalid" in str(CatalogError(issues))


def test_when_an_entry_references_a_malformed_one_then_only_the_malformed_one_is_reported():
    text = (
        "version: 1\n"
        "rightsholders: [{id: studio-a, name: {en: A}}]\n"
        "works:\n  - {id: w, owner: studio-a, names: [W]}\n"  # names must be a mapping
        "characters:\n  - {id: c, work: w, names: {en: [C]}}\n"  # fine, and points at w
    )
    (issue,) = issues_of(text)
    assert (issue.line, issue.field) == (4, "works[0].names")


def test_when_the_file_is_missing_then_the_issue_says_it_cannot_be_read(tmp_path):
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path / "absent.yaml")
    (issue,) = caught.value.issues
    assert issue.field == "(file)" and "cannot read" in issue.message


def test_when_the_suffix_is_unknown_then_the_file_is_refused(tmp_path):
    path = tmp_path / "catalog.txt"
    path.write_text("version: 1\n")
    with pytest.raises(CatalogError, match="unsupported file type"):
        load_catalog(path)


def test_when_catalog_error_is_raised_then_it_is_invalid_input_with_issue_details():
    with pytest.raises(InvalidInput) as caught:
        load_catalog_text("version: 1\nextra: 1\n", "cat.yaml")
    assert caught.value.to_dict()["details"]["issues"][0]["field"] == "extra"


def test_when_the_schema_ships_then_its_enums_match_the_domain():
    schema = catalog_schema()
    permission = schema["$defs"]["permission"]["properties"]
    assert permission["uses"]["items"]["enum"] == [u.value for u in Use]
    assert permission["effect"]["enum"] == [e.value for e in Effect]
    assert tuple(permission["conditions"]["properties"]["forbidden_themes"]["items"]["enum"]) == THEMES
