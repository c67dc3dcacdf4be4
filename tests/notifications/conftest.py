import pytest

from tests.notifications.pushkit import FakeDevice, PushReceiver


@pytest.fixture
def receiver():
    push_service = PushReceiver()
    yield push_service
    push_service.close()


@pytest.fixture
def subscribe(client, auth_headers, receiver):
    """Subscribe a fake browser of `user` through the API; returns the device (it can decrypt its pushes)."""

    def add(user, name: str | None = None, endpoint: str | None = None) -> FakeDevice:
        device = FakeDevice(endpoint or receiver.endpoint(name or f"device-{user.id}"))
        res = client.post("/api/v1/push/subscriptions", json=device.subscription(), headers=auth_headers(user))
        assert res.status_code == 201, res.json
        return device

    return add
