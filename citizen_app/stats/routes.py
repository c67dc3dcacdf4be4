from citizen_app.api import Blueprint
from citizen_app.stats import documents, permits
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
