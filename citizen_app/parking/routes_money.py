
from citizen_app.common.idempotency import idempotent
from citizen_app.common.schemas import PageArgsSchema
from citizen_app.identity.permissions import auth_required, current_actor
from citizen_app.parking import payments, wallet
from citizen_app.parking.blueprint import blp
from citizen_app.parking.models import Payment
from citizen_app.parking.schemas import (
    CreatePaymentSchema,
    ParkingPaymentSchema,
    ProviderNotificationSchema,
    TopupSchema,
    WalletSchema,
    WebhookResultSchema,
)


@blp.post("/parking/sessions/<int:session_id>/payments")
@auth_required("resident", "parking_attendant")
@idempotent(resource=Payment, render=payments.visible_payment)
@blp.arguments(CreatePaymentSchema)
@blp.response(201, ParkingPaymentSchema)
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}])
def pay(data, session_id):
    return payments.pay_session(current_actor(), session_id, data["method"])


@blp.get("/parking/payments/<int:payment_id>")
@auth_required()
@blp.response(200, ParkingPaymentSchema)
def get_payment(payment_id):
    return payments.visible_payment(current_actor(), payment_id)


@blp.post("/parking/webhooks/<provider>")
@blp.arguments(ProviderNotificationSchema)
@blp.response(200, WebhookResultSchema)
@blp.doc(description="Payment provider notification (Midtrans format); checked by its signature_key.")
def webhook(body, provider):
    return payments.handle_notification(provider, body)


@blp.post("/parking/simulator/pay/<reference>")
@blp.response(200, WebhookResultSchema)
@blp.doc(description="Development and tests only: the simulator pays, and notifies the webhook as Midtrans would.")
def simulator_pay(reference):
    return payments.simulate(reference)


@blp.get("/wallet")
@auth_required("resident")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, WalletSchema)
def get_wallet(args):
    return wallet.wallet(current_actor(), args["page"], args["per_page"])


@blp.post("/wallet/topups")
@auth_required("resident")
@idempotent(resource=Payment, render=payments.visible_payment)
@blp.arguments(TopupSchema)
@blp.response(201, ParkingPaymentSchema)
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}])
def topup(data):
    return wallet.start_topup(current_actor(), data["amount"])
