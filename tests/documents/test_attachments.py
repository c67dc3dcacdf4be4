import io
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from citizen_app.documents.models import Attachment
from citizen_app.extensions import db
from tests.documents.conftest import HOME

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"%" * 200


def upload(flow, user, rid, body: bytes, name="ktp.jpg", content_type="image/jpeg"):
    return flow.client.post(f"/api/v1/documents/requests/{rid}/attachments",
                            data={"file": (io.BytesIO(body), name, content_type)},
                            content_type="multipart/form-data", headers=flow.auth(user))


@pytest.mark.parametrize("body, mime", [(JPEG, "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf")])
def test_upload_sniffs_the_type_and_stores_outside_static_files(app, flow, body, mime):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    res = upload(flow, resident, rid, body, name="foto.bin", content_type="text/html")
    assert res.status_code == 201, res.json
    assert res.json["content_type"] == mime and res.json["size"] == len(body)
    with app.app_context():
        stored = db.session.scalar(select(Attachment))
        path = Path(app.config["UPLOADS_DIR"]) / "letters" / stored.stored_name
        assert path.read_bytes() == body and "foto" not in stored.stored_name and len(stored.stored_name) == 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert not str(path).startswith(str(Path(__file__).resolve().parents[2] / "pwa"))


@pytest.mark.parametrize("body", [b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\x00" * 50,
                                  b"MZ\x90\x00", b"\x00"])
def test_other_content_is_refused_whatever_its_name(app, flow, body):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    res = upload(flow, resident, rid, body, name="ktp.jpg", content_type="image/jpeg")
    assert res.status_code == 415, res.json
    with app.app_context():
        assert db.session.scalar(select(Attachment)) is None


def test_size_limit_is_413(app, flow):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    try:
        resident = flow.resident()
        rid = flow.submit(resident).json["id"]
        assert upload(flow, resident, rid, JPEG + b"\x00" * 1024).status_code == 413
        assert upload(flow, resident, rid, JPEG).status_code == 201
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = 5 * 1024 * 1024


def test_default_limit_is_five_megabytes(app, flow):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    assert app.config["ATTACHMENT_MAX_BYTES"] == 5 * 1024 * 1024
    assert upload(flow, resident, rid, JPEG + b"\x00" * (5 * 1024 * 1024)).status_code == 413


def test_missing_file_is_422(flow):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    res = flow.client.post(f"/api/v1/documents/requests/{rid}/attachments", data={"other": "x"},
                           content_type="multipart/form-data", headers=flow.auth(resident))
    assert res.status_code == 422 and "file" in res.json["errors"]


def test_served_only_to_owner_and_serving_staff_as_a_download(flow):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    att = upload(flow, resident, rid, PNG, name='kk "lama"<script>.png').json
    for user in (resident, flow.staff("clerk"), flow.staff("lurah")):
        res = flow.get(user, rid, f"/attachments/{att['id']}")
        assert res.status_code == 200 and res.data == PNG and res.mimetype == "image/png"
        disposition = res.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and "<" not in disposition and '"lama"' not in disposition
        assert res.headers["X-Content-Type-Options"] == "nosniff"
    listed = flow.get(resident, rid, "/attachments")
    assert listed.status_code == 200 and [a["id"] for a in listed.json] == [att["id"]]
    assert flow.get(resident, rid).json["attachments"][0]["id"] == att["id"]
    assert flow.get(flow.resident(), rid, f"/attachments/{att['id']}").status_code == 404
    assert flow.get(flow.staff("clerk", kelurahan=HOME), rid, f"/attachments/{att['id']}").status_code == 403
    assert flow.get(flow.staff("dispatcher"), rid, "/attachments").status_code == 403
    assert flow.get(resident, rid, f"/attachments/{att['id'] + 99}").status_code == 404
    assert upload(flow, flow.resident(), rid, PNG).status_code == 404


def test_no_attachments_after_the_request_is_closed(flow):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    flow.act(resident, rid, "cancel")
    assert upload(flow, resident, rid, JPEG).status_code == 409
