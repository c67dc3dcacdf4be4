from citizen_app.api import Blueprint
from citizen_app.common.idempotency import idempotent
from citizen_app.identity.permissions import auth_required, current_actor
from citizen_app.notifications import broadcasts, services, vapid
from citizen_app.notifications.models import Broadcast
from citizen_app.notifications.schemas import (
    BroadcastPageSchema,
    BroadcastSchema,
    CreateBroadcastSchema,
    InboxArgsSchema,
    InboxPageSchema,
    NotificationPreferencesSchema,
    PageArgsSchema,
    PushSubscribeSchema,
    PushSubscriptionSchema,
    PushUnsubscribeSchema,
    UpdateNotificationPreferencesSchema,
    VapidKeySchema,
)

blp = Blueprint("notifications", __name__, description="Web Push devices, the inbox, preferences and broadcasts")


@blp.get("/push/vapid-public-key")
@blp.response(200, VapidKeySchema)
def vapid_public_key():
    return {"public_key": vapid.public_key()}


@blp.post("/push/subscriptions")
@auth_required()
@blp.arguments(PushSubscribeSchema)
@blp.response(201, PushSubscriptionSchema)
@blp.doc(description="Send PushSubscription.toJSON(). The same endpoint again updates it (and moves it to you).")
def subscribe(data):
    return services.subscribe(current_actor(), data)


@blp.delete("/push/subscriptions")
@auth_required()
@blp.arguments(PushUnsubscribeSchema)
@blp.response(204)
@blp.doc(description="Removes your device; an endpoint that is not yours is left alone (still 204).")
def unsubscribe(data):
    services.unsubscribe(current_actor(), data["endpoint"])


@blp.get("/notifications")
@auth_required()
@blp.arguments(InboxArgsSchema, location="query")
@blp.response(200, InboxPageSchema)
@blp.doc(description="Newest first. Every notification lands here, also when muted or when push is impossible.")
def inbox(args):
    return services.inbox(current_actor(), args)


@blp.post("/notifications/<int:notification_id>/read")
@auth_required()
@blp.response(204)
def mark_read(notification_id):
    services.mark_read(current_actor(), notification_id)


@blp.post("/notifications/read-all")
@auth_required()
@blp.response(204)
def mark_all_read():
    services.mark_all_read(current_actor())


@blp.get("/notifications/preferences")
@auth_required()
@blp.response(200, NotificationPreferencesSchema)
def get_preferences():
    return services.get_preferences(current_actor())


@blp.put("/notifications/preferences")
@auth_required()
@blp.arguments(UpdateNotificationPreferencesSchema)
@blp.response(200, NotificationPreferencesSchema)
@blp.doc(description="Muting stops the push only; the inbox keeps everything. Fields left out stay as they are.")
def update_preferences(data):
    return services.update_preferences(current_actor(), data)


@blp.post("/broadcasts")
@auth_required("city_admin")
@idempotent(resource=Broadcast, render=broadcasts.get_broadcast)
@blp.arguments(CreateBroadcastSchema)
@blp.response(201, BroadcastSchema)
@blp.doc(description="Targets residents by home kelurahan: the listed kelurahan and kecamatan, or the whole city.")
def create_broadcast(data):
    return broadcasts.create_broadcast(current_actor(), data)


@blp.get("/broadcasts")
@auth_required("city_admin")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, BroadcastPageSchema)
def list_broadcasts(args):
    return broadcasts.list_broadcasts(current_actor(), args)


@blp.get("/broadcasts/<int:broadcast_id>")
@auth_required("city_admin")
@blp.response(200, BroadcastSchema)
def get_broadcast(broadcast_id):
    return broadcasts.get_broadcast(current_actor(), broadcast_id)
