from flask import current_app, request

from citizen_app.api import Blueprint
from citizen_app.common.idempotency import idempotent
from citizen_app.common.pagination import paginate
from citizen_app.database import reads_only
from citizen_app.documents import attachments, catalogue, cli, issuing, listing, rendering, workflow
from citizen_app.documents.models import LetterRequest
from citizen_app.documents.schemas import (
    ActionSchema,
    AttachmentSchema,
    CatalogueArgsSchema,
    CreateRequestSchema,
    LetterTypePageSchema,
    LetterVerificationSchema,
    RequestDetailSchema,
    RequestListArgsSchema,
    RequestPageSchema,
    RevocationListSchema,
    TrustListSchema,
    VerifyLetterSchema,
)
from citizen_app.identity.permissions import auth_required, current_actor

blp = Blueprint("documents", __name__, description="Letters from any kelurahan: request, review, sign, verify")

PDF = {"200": {"description": "the signed letter", "content": {"application/pdf": {}}}}
PNG = {"200": {"description": "the letter's QR code", "content": {"image/png": {}}}}
FILE = {"200": {"description": "the attachment, as uploaded", "content": {"application/octet-stream": {}}}}
UPLOAD = {"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}}


def _keys_dir() -> str:
    return current_app.config["KEYS_DIR"]


def _base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")


def _binary(body: bytes, mimetype: str, disposition: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.get("/documents/types")
@blp.arguments(CatalogueArgsSchema, location="query")
@blp.response(200, LetterTypePageSchema)
def letter_types(args):
    return paginate(catalogue.catalogue_query(), args["page"], args["per_page"])


@blp.post("/documents/requests")
@auth_required("resident")
@idempotent(resource=LetterRequest, render=workflow.request_detail)
@blp.arguments(CreateRequestSchema)
@blp.response(201, RequestDetailSchema)
def create_request(data):
    return workflow.create_request(current_actor(), data)


@blp.get("/documents/requests")
@auth_required()
@blp.arguments(RequestListArgsSchema, location="query")
@blp.response(200, RequestPageSchema)
def list_requests(args):
    return listing.list_requests(current_actor(), args.get("status"), args["page"], args["per_page"])


@blp.get("/documents/requests/<int:request_id>")
@auth_required()
@blp.response(200, RequestDetailSchema)
def get_request(request_id):
    return workflow.request_detail(current_actor(), request_id)


@blp.post("/documents/requests/<int:request_id>/actions")
@auth_required()
@blp.arguments(ActionSchema)
@blp.response(200, RequestDetailSchema)
def act(data, request_id):
    return workflow.perform_action(current_actor(), request_id, data, keys_dir=_keys_dir(), base_url=_base_url())


@blp.get("/documents/requests/<int:request_id>/pdf")
@auth_required()
@blp.doc(responses=PDF)
def letter_pdf(request_id):
    body, filename = rendering.letter_pdf(current_actor(), request_id)
    return _binary(body, "application/pdf", f'inline; filename="{filename}"')


@blp.get("/documents/requests/<int:request_id>/qr.png")
@auth_required()
@blp.doc(responses=PNG)
def letter_qr(request_id):
    return _binary(rendering.letter_qr_png(current_actor(), request_id), "image/png", "inline")


@blp.post("/documents/requests/<int:request_id>/attachments")
@auth_required()
@blp.doc(requestBody=UPLOAD)
@blp.response(201, AttachmentSchema)
def upload_attachment(request_id):
    upload = request.files.get("file")
    return attachments.add(current_actor(), request_id, upload, max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
                           uploads_dir=current_app.config["UPLOADS_DIR"])


@blp.get("/documents/requests/<int:request_id>/attachments")
@auth_required()
@blp.response(200, AttachmentSchema(many=True))
def list_attachments(request_id):
    return attachments.listing(current_actor(), request_id)


@blp.get("/documents/requests/<int:request_id>/attachments/<int:attachment_id>")
@auth_required()
@blp.doc(responses=FILE)
def download_attachment(request_id, attachment_id):
    found, body = attachments.read(current_actor(), request_id, attachment_id,
                                   uploads_dir=current_app.config["UPLOADS_DIR"])
    # Always a download with the sniffed type: an upload is never rendered inline by the browser.
    return _binary(body, found.content_type, f'attachment; filename="{attachments.safe_filename(found)}"')


@blp.post("/documents/verify")
@reads_only
@blp.arguments(VerifyLetterSchema)
@blp.response(200, LetterVerificationSchema)
def verify(data):
    return issuing.verify(data["qr"], keys_dir=_keys_dir())


@blp.get("/documents/trust-list")
@blp.response(200, TrustListSchema)
def trust_list():
    return issuing.trust_list(_keys_dir()), 200, {"Cache-Control": "public, max-age=300"}


@blp.get("/documents/revocations")
@blp.response(200, RevocationListSchema)
def revocations():
    return issuing.revocations(), 200, {"Cache-Control": "public, max-age=60"}


cli.register(blp)
