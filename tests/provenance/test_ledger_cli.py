"""`kyodaku screen --ledger`, `kyodaku ledger verify|head|proof|check-proof|show` and `kyodaku trace`."""

from __future__ import annotations

import json

import sqlalchemy as sa

from kyodaku.cli import run
from kyodaku.provenance.ledger import Ledger


def _setup(tmp_path, provenance_world, keys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    monkeypatch.setenv("KYODAKU_DATABASE_URL", url)
    catalog = str(provenance_world["catalog"])
    lines = [{"id": n, "text": t} for n, t in enumerate(["Pikachu in the snow", "a red bicycle", "Superman"])]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", "utf-8")
    code = run(["screen", "--catalog", catalog, "--no-semantic", "--ledger", "-i", str(tmp_path / "in.jsonl"),
                "-o", str(tmp_path / "out.jsonl"), "--workers", "1"])  # fmt: skip
    assert code == 0
    assert run(["ledger", "head", "--signing-key", str(keys["private"])]) == 0
    return url, [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]


def test_when_a_batch_is_screened_with_the_ledger_then_every_line_names_its_entry(
    tmp_path, provenance_world, keys, monkeypatch
):
    url, decisions = _setup(tmp_path, provenance_world, keys, monkeypatch)
    ledger = Ledger(url)
    try:
        assert [ledger.get(d["ledger_id"]).seq for d in decisions] == [0, 1, 2]
    finally:
        ledger.close()
    assert run(["ledger", "verify", "--public-key", str(keys["public"])]) == 0


def test_when_an_entry_is_edited_behind_the_triggers_then_verify_exits_9(
    tmp_path, provenance_world, keys, monkeypatch, capsys
):
    url, _ = _setup(tmp_path, provenance_world, keys, monkeypatch)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER ledger_entries_no_update"))
        conn.execute(
            sa.text("UPDATE ledger_entries SET body = replace(body, '\"cli\"', '\"api\"') WHERE seq = 1")
        )
    engine.dispose()
    assert run(["ledger", "verify", "--public-key", str(keys["public"])]) == 9
    assert "entry 1" in capsys.readouterr().err


def test_when_a_proof_is_checked_then_it_passes_and_a_changed_proof_exits_9(
    tmp_path, provenance_world, keys, monkeypatch, capsys
):
    _, decisions = _setup(tmp_path, provenance_world, keys, monkeypatch)
    capsys.readouterr()
    assert run(["ledger", "proof", decisions[1]["ledger_id"]]) == 0
    proof = json.loads(capsys.readouterr().out)
    (tmp_path / "proof.json").write_text(json.dumps(proof), "utf-8")
    assert (
        run(["ledger", "check-proof", str(tmp_path / "proof.json"), "--public-key", str(keys["public"])]) == 0
    )
    proof["entry_body"] = proof["entry_body"].replace('"cli"', '"api"')
    (tmp_path / "forged.json").write_text(json.dumps(proof), "utf-8")
    assert (
        run(["ledger", "check-proof", str(tmp_path / "forged.json"), "--public-key", str(keys["public"])])
        == 9
    )
    (tmp_path / "junk.json").write_text("{}", "utf-8")
    assert (
        run(["ledger", "check-proof", str(tmp_path / "junk.json"), "--public-key", str(keys["public"])]) == 2
    )


def test_when_an_unknown_entry_is_shown_then_the_exit_code_says_not_found(
    tmp_path, provenance_world, keys, monkeypatch
):
    _setup(tmp_path, provenance_world, keys, monkeypatch)
    assert run(["ledger", "show", "le_" + "f" * 24]) == 3


def test_when_a_file_that_is_not_media_is_traced_then_the_command_fails_clearly(
    tmp_path, provenance_world, keys, monkeypatch, capsys
):
    _setup(tmp_path, provenance_world, keys, monkeypatch)
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    assert run(["trace", str(tmp_path / "notes.txt")]) == 2
    assert "notes.txt" in capsys.readouterr().err


def test_when_an_output_is_marked_then_a_stripped_reencoded_copy_traces_back_by_watermark_and_hash(
    tmp_path, provenance_world, keys, monkeypatch, capsys
):
    import io

    from PIL import Image

    from kyodaku.provenance.entry import Record
    from kyodaku.provenance.ledger import Ledger
    from kyodaku_samples.optout import throwaway_ca
    from kyodaku_samples.synthetic import draw_image

    url, _ = _setup(tmp_path, provenance_world, keys, monkeypatch)
    picture = draw_image("scene", 31, (512, 384)).convert("RGB")
    picture.save(tmp_path / "out.png")
    ledger = Ledger(url)
    try:
        entry = ledger.append(provenance_world["guard"].screen_image(str(tmp_path / "out.png")), Record())
    finally:
        ledger.close()
    ca = throwaway_ca()
    (tmp_path / "chain.pem").write_text(ca.chain_pem, "utf-8")
    (tmp_path / "key.pem").write_text(ca.key_pem, "utf-8")
    (tmp_path / "root.pem").write_text(ca.root_pem, "utf-8")
    code = run(["mark", str(tmp_path / "out.png"), "--entry", entry.entry_id,
                "--out", str(tmp_path / "marked.png"),
                "--cert", str(tmp_path / "chain.pem"), "--key", str(tmp_path / "key.pem")])  # fmt: skip
    assert code == 0
    capsys.readouterr()
    assert (
        run(["trace", str(tmp_path / "marked.png"), "--trust-anchors", str(tmp_path / "root.pem"), "--json"])
        == 0
    )
    signed = json.loads(capsys.readouterr().out)["matches"]
    assert [m["entry_id"] for m in signed] == [entry.entry_id]
    assert {"pdq", "watermark", "credentials"} <= set(signed[0]["how"])
    with Image.open(tmp_path / "marked.png") as im:  # metadata stripped, half size, JPEG q75
        buf = io.BytesIO()
        im.convert("RGB").resize((256, 192)).save(buf, "JPEG", quality=75)
    (tmp_path / "copy.jpg").write_bytes(buf.getvalue())
    assert run(["trace", str(tmp_path / "copy.jpg"), "--json"]) == 0
    copy = json.loads(capsys.readouterr().out)["matches"]
    assert [m["entry_id"] for m in copy] == [entry.entry_id] and "watermark" in copy[0]["how"]
    assert "credentials" not in copy[0]["how"]


def test_when_marking_names_an_unknown_entry_then_nothing_is_written(
    tmp_path, provenance_world, keys, monkeypatch
):
    _setup(tmp_path, provenance_world, keys, monkeypatch)
    (tmp_path / "a.png").write_bytes(b"not even an image")
    assert (
        run(["mark", str(tmp_path / "a.png"), "--entry", "le_" + "1" * 24, "--out", str(tmp_path / "b.png")])
        == 3
    )
    assert not (tmp_path / "b.png").exists()
