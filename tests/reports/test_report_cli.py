"""`kyodaku report transparency|parity`, run through the typer app (`report_app`) in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kyodaku.cli.report import GAP_EXIT, report_app
from kyodaku.domain.errors import InvalidInput
from kyodaku.policy.engine import ScreenContext
from kyodaku.provenance.entry import Record
from kyodaku.provenance.ledger import Ledger
from kyodaku.registry.catalog import load_catalog
from kyodaku.reports.labelled import build_parity_set, set_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def runner(monkeypatch, tmp_path) -> CliRunner:
    for name in ("KYODAKU_DATABASE_URL", "KYODAKU_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


@pytest.fixture(scope="module")
def tiny_set(tiny_catalog_path, tmp_path_factory) -> Path:
    items = build_parity_set(load_catalog(tiny_catalog_path))
    path = tmp_path_factory.mktemp("set") / "tiny-set.yaml"
    path.write_text(yaml.safe_dump(set_document(items, "tiny", "0" * 64), allow_unicode=True), "utf-8")
    return path


def _parity(runner, tiny_catalog_path, tiny_set, *extra: str):
    args = ["parity", "--catalog", str(tiny_catalog_path), "--set", str(tiny_set), "--no-semantic", *extra]
    return runner.invoke(report_app, args)


def test_when_the_gap_is_flagged_then_parity_says_so_loudly_but_exits_0(runner, tiny_catalog_path, tiny_set):
    result = _parity(runner, tiny_catalog_path, tiny_set, "--licensee", "acme")
    assert result.exit_code == 0, result.output
    assert "PARITY GAP FLAGGED" in result.stderr
    body = json.loads(result.stdout)
    assert body["flagged"] is True and body["gap"]["gap"]["low"] > 0.05
    assert {c["country"]: c["block_rate"]["rate"] for c in body["countries"]} == {"JP": 1.0, "US": 0.0}


def test_when_fail_on_gap_is_asked_then_the_exit_code_follows_the_flag(runner, tiny_catalog_path, tiny_set):
    flagged = _parity(runner, tiny_catalog_path, tiny_set, "--licensee", "acme", "--fail-on-gap")
    alike = _parity(runner, tiny_catalog_path, tiny_set, "--fail-on-gap")
    assert flagged.exit_code == GAP_EXIT == 1
    assert alike.exit_code == 0 and "FLAGGED" not in alike.stderr
    assert json.loads(alike.stdout)["flagged"] is False


def test_when_html_is_written_to_a_file_then_it_is_complete_and_nothing_else_is_left(
    runner, tiny_catalog_path, tiny_set, tmp_path
):
    out = tmp_path / "reports" / "parity.html"
    result = _parity(
        runner, tiny_catalog_path, tiny_set, "--format", "html", "--lang", "ja", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>") and "<svg" in page
    assert '<html lang="ja">' in page and result.stdout == ""
    assert [p.name for p in out.parent.iterdir()] == ["parity.html"]


def test_when_no_catalog_is_given_in_the_checkout_then_the_demo_catalog_is_used(
    runner, monkeypatch, tiny_set
):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(report_app, ["parity", "--set", str(tiny_set), "--no-semantic"])
    assert result.exit_code == 0, result.output
    assert "examples/demo-catalog.yaml" in result.stderr
    assert json.loads(result.stdout)["dropped"] == 0  # the tiny set's entries are all in the demo catalog


@pytest.fixture()
def ledger_url(tmp_path, tiny_guard) -> str:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    ledger = Ledger(url)
    for text in ("Pikachu surfing", "ピカチュウ", "Superman flying", "a lighthouse"):
        ledger.append(
            tiny_guard.screen_prompt(text, ScreenContext()), Record(prompt=text, keep_prompt_text=True)
        )
    ledger.close()
    return url


def test_when_transparency_is_asked_then_the_ledger_is_counted_in_json_and_html(runner, ledger_url, tmp_path):
    result = runner.invoke(report_app, ["transparency", "--db", ledger_url])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["totals"]["decisions"] == 4 and body["claims"] is None
    assert {r["key"] for r in body["by_language"]} == {"Latin", "Kana"}
    out = tmp_path / "t.html"
    html = runner.invoke(
        report_app,
        ["transparency", "--db", ledger_url, "--format", "html", "--lang", "ja", "--out", str(out)],
    )
    assert html.exit_code == 0 and "透明性レポート" in out.read_text("utf-8")


def test_when_parity_is_asked_from_the_ledger_then_decisions_are_grouped_by_country(runner, ledger_url):
    result = runner.invoke(report_app, ["parity", "--from-ledger", "--db", ledger_url])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["source"] == "ledger"
    assert {c["country"]: c["n"] for c in body["countries"]} == {"JP": 2, "US": 1}


@pytest.mark.parametrize(
    "args",
    [
        ["transparency", "--since", "2026-03-02", "--until", "2026-03-01"],
        ["transparency", "--since", "yesterday"],
        ["parity", "--from-ledger", "--set", "x.yaml"],
        ["parity", "--countries", "JP"],
        ["parity", "--threshold", "2"],
        ["parity", "--since", "2026-01-01", "--no-semantic"],
    ],
)
def test_when_options_contradict_then_the_command_refuses_with_invalid_input(runner, ledger_url, args):
    result = runner.invoke(report_app, [*args, "--db", ledger_url])
    assert isinstance(result.exception, InvalidInput), result.output
