import base64
import os
import re
import stat
import threading
from datetime import timedelta
from pathlib import Path

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from sqlalchemy import select, update

from citizen_app.common.time import utcnow
from citizen_app.documents import issuing, qr
from citizen_app.documents.models import IssuedLetter, LetterCounter
from citizen_app.extensions import db
from citizen_app.identity.models import User
from tests.documents.conftest import HOME, OTHER

NUMBER = re.compile(r"^470/(\d{3})/5371011001/(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)/(\d{4})$")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(client, text):
    res = client.post("/api/v1/documents/verify", json={"qr": text})
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.json


def test_nothing_is_issued_before_signing(flow):
    resident, rid = flow.approved()
    detail = flow.get(resident, rid).json
    assert detail["letter"] is None
    assert flow.get(resident, rid, "/pdf").status_code == 409
    assert flow.get(resident, rid, "/qr.png").status_code == 409


def test_sign_numbers_the_letter_and_copies_the_signer(app, flow):
    lurah = flow.staff("lurah", full_name="Yohanes Ñ. Lado", nip="198001012006041001", title="Lurah Namosain")
    resident, rid, body = flow.signed(lurah=lurah)
    letter = body["letter"]
    match = NUMBER.match(letter["number"])
    assert match and match.group(1) == "001", letter["number"]
    assert letter["signer_name"] == "Yohanes Ñ. Lado" and letter["signer_nip"] == "198001012006041001"
    assert letter["signer_title"] == "Lurah Namosain" and letter["status"] == "valid"
    assert letter["qr_text"].startswith("http://localhost/v#")
    # Staff changes afterwards don't touch the issued letter.
    with app.app_context():
        user = db.session.get(User, lurah.id)
        user.full_name, user.nip, user.title = "Pengganti", "199001012010011001", "Plt. Lurah"
        db.session.commit()
    again = flow.get(resident, rid).json["letter"]
    assert (again["signer_name"], again["signer_nip"], again["signer_title"]) == (
        "Yohanes Ñ. Lado", "198001012006041001", "Lurah Namosain")
    assert verify(flow.client, letter["qr_text"])["document"]["signer_name"] == "Yohanes Ñ. Lado"


def test_numbers_run_per_office_and_year(app, flow):
    numbers = [flow.signed()[2]["letter"]["number"] for _ in range(3)]
    assert [NUMBER.match(n).group(1) for n in numbers] == ["001", "002", "003"]
    resident = flow.resident()
    clerk_home, lurah_home = flow.staff("clerk", kelurahan=HOME), flow.staff("lurah", kelurahan=HOME)
    _, rid = flow.approved(resident, clerk=clerk_home, service_kelurahan_code=HOME)
    number = flow.act(lurah_home, rid, "sign").json["letter"]["number"]
    assert number.split("/")[1:3] == ["001", "5371051005"]
    with app.app_context():
        rows = {(c.kelurahan_code, c.last_seq) for c in db.session.scalars(select(LetterCounter))}
        assert rows == {(OTHER, 3), (HOME, 1)}


def test_concurrent_signing_gives_unique_consecutive_numbers(app, flow):
    clerk, lurah = flow.staff("clerk"), flow.staff("lurah")
    ids = [flow.approved(clerk=clerk)[1] for _ in range(24)]
    results, barrier = {}, threading.Barrier(len(ids))

    def sign(request_id):
        client = app.test_client()
        headers = flow.auth(lurah)
        barrier.wait()
        res = client.post(f"/api/v1/documents/requests/{request_id}/actions", json={"action": "sign"},
                          headers=headers)
        results[request_id] = (res.status_code, res.json)

    threads = [threading.Thread(target=sign, args=(rid,)) for rid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code == 200 for code, _ in results.values()), results
    seqs = sorted(int(body["letter"]["number"].split("/")[1]) for _, body in results.values())
    assert seqs == list(range(1, len(ids) + 1))
    with app.app_context():
        assert db.session.scalar(select(LetterCounter.last_seq)) == len(ids)


def test_two_lurah_racing_for_the_same_request_sign_it_once(app, flow):
    clerk, lurah = flow.staff("clerk"), flow.staff("lurah")
    _, rid = flow.approved(clerk=clerk)
    codes, barrier = [], threading.Barrier(6)

    def sign():
        client = app.test_client()
        headers = flow.auth(lurah)
        barrier.wait()
        codes.append(client.post(f"/api/v1/documents/requests/{rid}/actions", json={"action": "sign"},
                                 headers=headers).status_code)

    threads = [threading.Thread(target=sign) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * 5
    with app.app_context():
        assert len(db.session.scalars(select(IssuedLetter)).all()) == 1


def test_the_database_refuses_a_duplicate_number(app, flow):
    _, _, body = flow.signed()
    with app.app_context():
        letter = db.session.scalar(select(IssuedLetter))
        clone = {c.name: getattr(letter, c.name) for c in IssuedLetter.__table__.columns if c.name != "id"}
    _, rid2 = flow.approved()
    with app.app_context():
        clone.update(request_id=rid2, cti=os.urandom(12))
        db.session.add(IssuedLetter(**clone))
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            db.session.commit()
        db.session.rollback()


def test_qr_is_cose_sign1_with_the_documented_claims_and_fits_version_12(app, flow):
    resident = flow.resident(full_name="Maria Goreti Kristina Ndolu Lakapu")
    _, rid, body = flow.signed(resident)
    text = body["letter"]["qr_text"]
    assert qr.version(text) <= 12
    outer = cbor2.loads(b64d(text.split("#", 1)[1]))
    assert outer.tag == 18 and len(outer.value) == 4
    protected, unprotected, payload, signature = outer.value
    header = cbor2.loads(protected)
    claims = cbor2.loads(payload)
    assert header[1] == -7 and len(header[4]) == 8 and unprotected == {} and len(signature) == 64
    assert set(claims) == {1, 4, 6, 7, -1, -2, -3, -5}
    assert claims[1] == "kupang" and claims[-1] == "domisili" and claims[-3] == OTHER
    assert claims[-2] == body["letter"]["number"] and len(claims[7]) == 12
    assert claims[4] - claims[6] == 30 * 86400
    assert claims[-5] == "Ma*** Go*** La***"
    assert resident.nik_plain not in str(claims) and "El Tari" not in str(claims)


def test_long_type_code_number_and_name_still_fit_version_12(app, flow):
    body = {"type_code": "penghasilan-orang-tua", "service_kelurahan_code": OTHER, "purpose": "Beasiswa kuliah",
            "fields": {"student_name": "Ana", "school_name": "Undana", "father_income": 2000000}}
    resident = flow.resident(full_name="Wilhelmina Bernadette Kristofora Mbeo")
    _, _, signed = flow.signed(resident, body=body)
    assert qr.version(signed["letter"]["qr_text"]) <= 12


def test_mask_name():
    assert issuing.mask_name("Maria Ndolu") == "Ma*** Nd***"
    assert issuing.mask_name("Maria Goreti Kristina Ndolu") == "Ma*** Go*** Nd***"
    assert issuing.mask_name("Maria Goreti Kristina Ndolu", 2) == "Ma*** Nd***"
    assert issuing.mask_name("Yo A", 3) == "Y*** A***" and issuing.mask_name("Ñoño") == "Ño***"


def test_verify_valid_then_revoked_and_listed(app, flow):
    resident, rid, body = flow.signed()
    text = body["letter"]["qr_text"]
    result = verify(flow.client, text)
    assert result["result"] == "valid"
    doc = result["document"]
    assert doc["number"] == body["letter"]["number"] and doc["type_name"] == "Surat Keterangan Domisili"
    assert doc["issuing_kelurahan"] == "Namosain" and doc["holder_name_masked"].endswith("***")
    assert {"issued_at", "valid_until", "signer_name", "signer_title"} <= set(doc)
    assert resident.nik_plain not in str(result) and "nik" not in doc
    assert verify(flow.client, text.split("#", 1)[1])["result"] == "valid"  # the bare token works too

    lurah = flow.staff("lurah")
    assert flow.act(flow.staff("clerk"), rid, "revoke", note="Salah data").status_code == 403
    assert flow.act(lurah, rid, "revoke").status_code == 422
    before = flow.client.get("/api/v1/documents/revocations").json
    revoked = flow.act(lurah, rid, "revoke", note="Data pemohon keliru")
    assert revoked.status_code == 200 and revoked.json["letter"]["status"] == "revoked"
    assert revoked.json["status"] == "signed"
    assert flow.act(lurah, rid, "revoke", note="lagi").status_code == 409
    assert verify(flow.client, text)["result"] == "revoked"
    after = flow.client.get("/api/v1/documents/revocations").json
    assert after["version"] == before["version"] + 1
    cti = cbor2.loads(cbor2.loads(b64d(text.split("#", 1)[1])).value[2])[7]
    assert [i["cti"] for i in after["items"]] == [base64.urlsafe_b64encode(cti).rstrip(b"=").decode()]


def test_expired_letter_says_expired(app, flow, monkeypatch):
    resident, rid, body = flow.signed()
    from citizen_app.documents import models

    later = utcnow() + timedelta(days=31)
    monkeypatch.setattr(models, "utcnow", lambda: later)
    monkeypatch.setattr(issuing, "utcnow", lambda: later)
    result = verify(flow.client, body["letter"]["qr_text"])
    assert result["result"] == "expired" and result["document"]["number"] == body["letter"]["number"]
    assert flow.get(resident, rid).json["letter"]["status"] == "expired"



def test_a_letter_scanned_again_is_answered_from_memory_but_revocation_and_expiry_still_count(
        app, flow, monkeypatch):
    from citizen_app.documents import signing

    _, rid, body = flow.signed()
    text = body["letter"]["qr_text"]
    first = verify(flow.client, text)
    checks = []
    real_check = signing.verify_signature
    monkeypatch.setattr(signing, "verify_signature", lambda *a: checks.append(1) or real_check(*a))
    assert verify(flow.client, text) == first and first["result"] == "valid" and checks == []
    later = utcnow() + timedelta(days=31)
    monkeypatch.setattr(issuing, "utcnow", lambda: later)
    assert verify(flow.client, text)["result"] == "expired"
    monkeypatch.undo()
    with app.app_context():  # revoked by another worker: only the database knows
        db.session.execute(update(IssuedLetter).values(revoked_at=utcnow(), revoke_reason="Keliru"))
        db.session.commit()
    revoked = verify(flow.client, text)
    assert revoked["result"] == "revoked" and revoked["document"]["revoked_at"]
    assert revoked["document"]["number"] == first["document"]["number"]
    with app.app_context():  # the record is gone (its cti no longer names it)
        db.session.execute(update(IssuedLetter).values(cti=b"\0" * 12))
        db.session.commit()
    assert verify(flow.client, text) == {"result": "invalid"}


def _resign(text: str, mutate) -> str:
    prefix, token = text.split("#", 1)
    outer = cbor2.loads(b64d(token))
    protected, unprotected, payload, signature = outer.value
    protected, payload, signature = mutate(protected, payload, signature)
    blob = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, signature]))
    return prefix + "#" + base64.urlsafe_b64encode(blob).rstrip(b"=").decode()


def _foreign(protected, payload, _signature):
    key = ec.generate_private_key(ec.SECP256R1())
    header = cbor2.loads(protected)
    protected = cbor2.dumps({1: -7, 4: header[4]})  # even claiming our kid
    der = key.sign(cbor2.dumps(["Signature1", protected, b"", payload]), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return protected, payload, r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _new_claims(protected, payload, signature):
    claims = cbor2.loads(payload)
    claims[4] += 365 * 86400
    return protected, cbor2.dumps(claims), signature


def test_tampered_truncated_foreign_and_garbage_are_invalid(app, flow):
    _, _, body = flow.signed()
    text = body["letter"]["qr_text"]
    token = text.split("#", 1)[1]
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    cases = [
        flipped, token[:-10], token[:20], text[:-1], _resign(text, _foreign), _resign(text, _new_claims),
        _resign(text, lambda p, pl, s: (cbor2.dumps({1: -35, 4: cbor2.loads(p)[4]}), pl, s)),
        _resign(text, lambda p, pl, s: (p, pl, s[:63])),
        "", " ", "#", "http://localhost/v#", "hello", "ÄÖÜ漢字🙂", "=" * 50, "A", "AAAA" * 300,
        base64.urlsafe_b64encode(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""]))).decode(),
        base64.urlsafe_b64encode(cbor2.dumps([1, 2, 3, 4])).decode(),
        base64.urlsafe_b64encode(b"\x9f" * 1000).decode(),  # deeply nested indefinite arrays
        base64.urlsafe_b64encode(b"\xd2\x84\x5b" + b"\xff" * 8).decode(),  # absurd byte-string length
        base64.urlsafe_b64encode(os.urandom(300)).decode(),
    ]
    for case in cases:
        res = flow.client.post("/api/v1/documents/verify", json={"qr": case})
        if case == "" or case == " ":
            assert res.status_code in (200, 422)
            continue
        assert res.status_code == 200, (case, res.get_data(as_text=True))
        assert res.json == {"result": "invalid"}, case
    too_long = flow.client.post("/api/v1/documents/verify", json={"qr": "A" * 5000})
    assert too_long.status_code == 422
    assert flow.client.post("/api/v1/documents/verify", json={"qr": 12}).status_code == 422
    assert flow.client.post("/api/v1/documents/verify", json={}).status_code == 422


def test_a_letter_whose_record_was_altered_no_longer_verifies(app, flow):
    resident, rid, body = flow.signed()
    with app.app_context():
        letter = db.session.scalar(select(IssuedLetter))
        request = letter.request
        request.purpose = "Sesuatu yang lain"
        db.session.commit()
    assert verify(flow.client, body["letter"]["qr_text"]) == {"result": "invalid"}


def test_trust_list_publishes_public_keys_only(app, flow):
    _, _, body = flow.signed()
    trust = flow.client.get("/api/v1/documents/trust-list")
    assert trust.status_code == 200 and "public" in trust.headers["Cache-Control"]
    doc = trust.json
    assert doc["issuer"] == "kupang" and doc["letter_types"]["domisili"] == "Surat Keterangan Domisili"
    assert doc["kelurahan"][OTHER] == "Namosain"
    active = [k for k in doc["keys"] if k["status"] == "active"]
    assert len(active) == 1
    key = active[0]
    assert {key["kty"], key["crv"], key["alg"]} == {"EC", "P-256", "ES256"} and key["not_after"] is None
    assert len(b64d(key["x"])) == 32 and len(b64d(key["y"])) == 32 and len(b64d(key["kid"])) == 8
    assert "d" not in key and "PRIVATE" not in trust.get_data(as_text=True)
    header = cbor2.loads(cbor2.loads(b64d(body["letter"]["qr_text"].split("#", 1)[1])).value[0])
    assert base64.urlsafe_b64encode(header[4]).rstrip(b"=").decode() == key["kid"]
    keys_dir = Path(app.config["KEYS_DIR"]) / "documents"
    private_files = list(keys_dir.glob("*.key"))
    assert private_files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in private_files)
    assert not str(keys_dir).startswith(str(Path(__file__).resolve().parents[2] / "citizen_app"))


def test_rotation_keeps_old_letters_verifiable_until_they_expire(app, flow, runner):
    _, _, old = flow.signed()
    old_kid = flow.client.get("/api/v1/documents/trust-list").json["keys"]
    result = runner.invoke(args=["documents", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "Active signing key" in result.output and "Retired key" in result.output
    _, _, new = flow.signed()
    keys = {k["kid"]: k for k in flow.client.get("/api/v1/documents/trust-list").json["keys"]}
    old_active = [k["kid"] for k in old_kid if k["status"] == "active"][0]
    assert keys[old_active]["status"] == "retired" and keys[old_active]["not_after"]
    assert sum(k["status"] == "active" for k in keys.values()) == 1
    assert verify(flow.client, old["letter"]["qr_text"])["result"] == "valid"
    assert verify(flow.client, new["letter"]["qr_text"])["result"] == "valid"
    with app.app_context():
        later = issuing.trust_list(app.config["KEYS_DIR"], now=utcnow() + timedelta(days=31))
    assert old_active not in {k["kid"] for k in later["keys"]}


def test_identity_is_retaken_on_resubmit(app, flow):
    resident, clerk = flow.resident(), flow.staff("clerk")
    rid = flow.submit(resident).json["id"]
    flow.act(clerk, rid, "review")
    flow.act(clerk, rid, "request_revision", note="Tempat lahir salah")
    with app.app_context():
        user = db.session.get(User, resident.id)
        user.birth_place = "Soe"
        db.session.commit()
    res = flow.act(resident, rid, "resubmit")
    assert res.json["identity"]["birth_place"] == "Soe"


def test_canonical_cti_binds_the_content(app, flow):
    _, _, body = flow.signed()
    with app.app_context():
        letter = db.session.scalar(select(IssuedLetter))
        assert issuing.canonical_cti(letter=letter, req=letter.request) == letter.cti
        letter.request.fields = {**letter.request.fields, "rt": "999"}
        assert issuing.canonical_cti(letter=letter, req=letter.request) != letter.cti
        db.session.rollback()


def test_every_scan_answers_what_the_verification_schema_makes_of_the_record(app, flow):
    """A first scan, a second one, and one after a revocation each answer exactly what LetterVerificationSchema
    makes of the letter's record at that moment."""
    from citizen_app.common.time import as_utc
    from citizen_app.documents.schemas import LetterVerificationSchema

    lurah = flow.staff("lurah")
    _, rid, body = flow.signed(lurah=lurah)
    qr_text = body["letter"]["qr_text"]

    def expected(result):
        with app.app_context():
            letter = db.session.scalars(select(IssuedLetter).where(IssuedLetter.request_id == rid)).one()
            document = {"type_code": letter.type_code, "type_name": letter.type_name, "number": letter.number,
                        "issued_at": as_utc(letter.issued_at), "valid_until": as_utc(letter.valid_until),
                        "issuing_kelurahan": "Namosain", "issuing_kelurahan_code": letter.issuing_kelurahan_code,
                        "holder_name_masked": letter.holder_name_masked, "signer_name": letter.signer_name,
                        "signer_title": letter.signer_title, "revoked_at": as_utc(letter.revoked_at)}
            return LetterVerificationSchema().dump({"result": result, "document": document})

    assert verify(flow.client, qr_text) == expected("valid")
    assert verify(flow.client, qr_text) == expected("valid")
    assert flow.act(lurah, rid, "revoke", note="Data keliru").status_code == 200
    revoked = verify(flow.client, qr_text)
    assert revoked == expected("revoked") and revoked["document"]["revoked_at"]


def test_revoking_drops_the_letter_from_the_verified_memory(app, flow):
    lurah = flow.staff("lurah")
    _, rid, body = flow.signed(lurah=lurah)
    token = body["letter"]["qr_text"].rsplit("#", 1)[-1]
    assert verify(flow.client, body["letter"]["qr_text"])["result"] == "valid"
    memory = app.extensions["verified_letters"]
    assert memory.get(token) is not None
    assert flow.act(lurah, rid, "revoke", note="Data keliru").status_code == 200
    assert memory.get(token) is None
    assert verify(flow.client, body["letter"]["qr_text"])["result"] == "revoked"
