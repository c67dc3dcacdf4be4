from flask import Response, current_app, request

from citizen_app.api import Blueprint
from citizen_app.common.schemas import page_schema
from citizen_app.identity.permissions import auth_required, current_actor
from citizen_app.permits import services
from citizen_app.permits.catalog import CatalogPayload, snapshot
from citizen_app.permits.schemas import (
    CatalogSchema,
    CreatePermitSchema,
    HistoryArgs,
    PermitResultSchema,
    PermitSchema,
    PermitSearchArgs,
    PermitVersionSchema,
    SectorListSchema,
    UpdatePermitSchema,
)

blp = Blueprint("permits", __name__, description="Permit requirements: search, details, offline catalogue, admin")

ADMINS = ("permit_admin", "city_admin")


RESULT_PAGE = page_schema(PermitResultSchema, "PermitResultPageSchema")
_result_page = RESULT_PAGE()


@blp.get("/permits")
@blp.arguments(PermitSearchArgs, location="query")
@blp.response(200, RESULT_PAGE)
@blp.doc(description="Ranked search (best first) over names, aliases and old names, typo-tolerant. "
                     "Without a usable `q`, every permit alphabetically.")
def search(args):
    snap = snapshot()
    key = (args["q"], args.get("sector"), args["page"], args["per_page"])
    body = snap.answers.get(key)
    if body is None:
        found = services.search_permits(args["q"], args.get("sector"), args["page"], args["per_page"], snap=snap)
        body = current_app.json.response(_result_page.dump(found)).get_data()
        snap.answers.put(key, body)
    return Response(body, mimetype="application/json")


@blp.get("/permits/sectors")
@blp.response(200, SectorListSchema)
def sectors():
    return services.list_sectors()


@blp.get("/permits/catalog")
@blp.response(200, CatalogSchema)
@blp.alt_response(304, description="Not modified: If-None-Match named the current ETag.")
@blp.doc(description="The whole active catalogue for offline search; strong ETag, gzip when accepted.")
def catalog():
    return _conditional(services.catalog_payload())


def _conditional(payload: CatalogPayload) -> Response:
    gzipped = request.accept_encodings["gzip"] > 0
    etag = payload.etag + ("-gz" if gzipped else "")
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, no-cache", "Vary": "Accept-Encoding"}
    known = request.if_none_match
    if known and (known.contains_weak(payload.etag) or known.contains_weak(payload.etag + "-gz")):
        return Response(status=304, headers=headers)
    response = Response(payload.gzipped if gzipped else payload.body, 200, headers=headers,
                        content_type="application/json; charset=utf-8")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    return response


@blp.get("/permits/<slug>")
@auth_required(optional=True)
@blp.response(200, PermitSchema)
@blp.doc(description="Public. Retired permits answer 404 except to permit admins.")
def detail(slug):
    return services.get_permit(current_actor(), slug)


@blp.post("/permits")
@auth_required(*ADMINS)
@blp.arguments(CreatePermitSchema)
@blp.response(201, PermitSchema)
def create(data):
    return services.create_permit(current_actor(), data)


@blp.put("/permits/<slug>")
@auth_required(*ADMINS)
@blp.arguments(UpdatePermitSchema)
@blp.response(200, PermitSchema)
def update(data, slug):
    return services.update_permit(current_actor(), slug, data)


@blp.delete("/permits/<slug>")
@auth_required(*ADMINS)
@blp.response(204)
@blp.doc(description="Retires the permit: gone from search and the catalogue, its history kept.")
def retire(slug):
    services.retire_permit(current_actor(), slug)


@blp.post("/permits/<slug>/restore")
@auth_required(*ADMINS)
@blp.response(200, PermitSchema)
def restore(slug):
    return services.restore_permit(current_actor(), slug)


@blp.get("/permits/<slug>/history")
@auth_required(*ADMINS)
@blp.arguments(HistoryArgs, location="query")
@blp.response(200, page_schema(PermitVersionSchema, "PermitVersionPageSchema"))
def history(args, slug):
    return services.permit_history(current_actor(), slug, args["page"], args["per_page"])
