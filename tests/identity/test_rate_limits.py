def test_login_is_limited_per_account_with_retry_after(app, client, make_resident):
    resident = make_resident()
    limit = int(app.config["RATELIMIT_LOGIN_ACCOUNT"].split()[0])
    for _ in range(limit):
        res = client.post("/api/v1/auth/login", json={"username": resident.nik_plain, "password": "wrong-pass"})
        assert res.status_code == 401
    blocked = client.post("/api/v1/auth/login", json={"username": resident.nik_plain, "password": "wrong-pass"})
    assert blocked.status_code == 429
    assert blocked.json["code"] == "rate_limited" and blocked.json["status"] == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # Another account behind the same address (CGNAT) is not blocked.
    other = client.post("/api/v1/auth/login", json={"username": "someone-else", "password": "wrong-pass"})
    assert other.status_code == 401


def test_sign_up_is_limited_per_nik(app, client):
    limit = int(app.config["RATELIMIT_REGISTER_ACCOUNT"].split()[0])
    body = {"nik": "5371054608920003", "full_name": "X", "birth_date": "1992-08-06", "gender": "female",
            "phone": "081339001234", "password": "kata-sandi-aman", "kelurahan_code": "53.71.99.0000",
            "address": "x"}
    codes = [client.post("/api/v1/auth/register", json=body).status_code for _ in range(limit + 1)]
    assert codes[:limit] == [422] * limit and codes[-1] == 429
