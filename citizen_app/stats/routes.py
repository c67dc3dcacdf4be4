"""Every open-data route. The brigade and parking figures keep their own query arguments, shapes and OpenAPI
tags (their domain's), as before they moved here."""

from flask import Response

from citizen_app.api import Blueprint
from citizen_app.brigade.schemas import BrigadeStatsArgs, BrigadeStatsSchema
from citizen_app.parking.schemas import ParkingStatsSchema, RangeArgs
from citizen_app.stats import brigade, documents, parking, permits
from citizen_app.stats.common import StatsArgs, cached, envelope, to_csv
from citizen_app.stats.rollup import period_rows
from citizen_app.stats.schemas import DocumentStatsRow, PermitStatsRow, stats_envelope

blp = Blueprint("stats", __name__, description="Open data: public statistics, no personal data")

CSV = {"text/csv": {"schema": {"type": "string"}}}


def _respond(name: str, args: dict, module, compute, columns: list[str]):
    rows = cached(name, args.get("from_"), args.get("to"), module.data_version(), compute)
    if args["format"] == "csv":
        return to_csv(rows, columns, f"{name}.csv")
    return envelope(rows, args)


@blp.get("/stats/documents")
@blp.arguments(StatsArgs, location="query")
@blp.response(200, stats_envelope(DocumentStatsRow, "DocumentStatsSchema"))
@blp.alt_response(200, success=True, content_type="text/csv", description="?format=csv")
def document_stats(args):
    return _respond("documents", args, documents,
                    lambda: period_rows(documents.DATASET, args.get("from_"), args.get("to")), documents.COLUMNS)


@blp.get("/stats/permits")
@blp.arguments(StatsArgs, location="query")
@blp.response(200, stats_envelope(PermitStatsRow, "PermitStatsSchema"))
@blp.alt_response(200, success=True, content_type="text/csv", description="?format=csv")
def permit_stats(args):
    return _respond("permits", args, permits, permits.permit_stats, permits.COLUMNS)


@blp.get("/stats/brigade", tags=["brigade"])
@blp.arguments(BrigadeStatsArgs, location="query")
@blp.response(200, BrigadeStatsSchema)
@blp.doc(description="Per month (city time): calls by category, priority and outcome; median and 90th percentile "
                     "minutes call→dispatch, dispatch→on scene, call→on scene. Counts of 1-4 read \"<5\". "
                     "?format=csv for CSV.",
         responses={"200": {"description": "OK", "content": {"application/json": {"schema": BrigadeStatsSchema},
                                                              "text/csv": {"schema": {"type": "string"}}}}})
def brigade_stats(args):
    report = brigade.cached_report(args.get("date_from"), args.get("date_to"))
    if args["format"] == "csv":
        return Response(brigade.stats_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="brigade-stats.csv"'})
    return report


@blp.get("/stats/parking", tags=["parking"])
@blp.arguments(RangeArgs, location="query")
@blp.response(200, ParkingStatsSchema)
def parking_stats(args):
    figures = parking.cached_stats(args.get("date_from"), args.get("date_to"))
    if args["format"] == "csv":
        return Response(parking.stats_csv(figures), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="parking-stats.csv"'})
    return figures
