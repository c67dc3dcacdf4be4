from flask import Response

from citizen_app.common.pagination import paginate
from citizen_app.identity.permissions import auth_required, current_actor
from citizen_app.parking import deposits, receipts, reports
from citizen_app.parking.blueprint import blp
from citizen_app.parking.schemas import (
    AttendantTodaySchema,
    DepositListArgs,
    DepositPageSchema,
    ParkingDepositSchema,
    ParkingRevenueSchema,
    RecordDepositSchema,
    RevenueArgs,
    VerifyResultSchema,
    VerifySchema,
)


def _csv(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.post("/parking/verify")
@auth_required("parking_attendant", "city_admin")
@blp.arguments(VerifySchema)
@blp.response(200, VerifyResultSchema)
def verify(data):
    return receipts.verify(current_actor(), data)


@blp.get("/parking/attendant/today")
@auth_required("parking_attendant")
@blp.response(200, AttendantTodaySchema)
def attendant_today():
    return reports.attendant_today(current_actor())


@blp.get("/parking/reports/revenue")
@auth_required("city_admin")
@blp.arguments(RevenueArgs, location="query")
@blp.response(200, ParkingRevenueSchema)
def revenue(args):
    report = reports.revenue(args)
    return _csv(reports.revenue_csv(report), "parking-revenue.csv") if args["format"] == "csv" else report


@blp.post("/parking/deposits")
@auth_required("parking_attendant")
@blp.arguments(RecordDepositSchema)
@blp.response(201, ParkingDepositSchema)
def record_deposit(data):
    return deposits.record_deposit(current_actor(), data)


@blp.get("/parking/deposits")
@auth_required("parking_attendant", "city_admin")
@blp.arguments(DepositListArgs, location="query")
@blp.response(200, DepositPageSchema)
def list_deposits(args):
    return paginate(deposits.deposits_query(current_actor(), args), args["page"], args["per_page"])


@blp.post("/parking/deposits/<int:deposit_id>/confirm")
@auth_required("city_admin")
@blp.response(200, ParkingDepositSchema)
def confirm_deposit(deposit_id):
    return deposits.confirm_deposit(current_actor(), deposit_id)
