from flask_jwt_extended import get_jwt, jwt_required

from citizen_app.api import Blueprint
from citizen_app.common.pagination import paginate
from citizen_app.common.ratelimits import account_key, config_limit
from citizen_app.common.schemas import page_schema
from citizen_app.extensions import limiter
from citizen_app.identity import services
from citizen_app.identity.permissions import BEARER, auth_required, current_actor
from citizen_app.identity.schemas import (
    CreateUserSchema,
    LoginSchema,
    LogoutSchema,
    MeSchema,
    RefreshSchema,
    RegisterSchema,
    TokenPairSchema,
    UpdateProfileSchema,
    UserListArgs,
    UserSchema,
)

blp = Blueprint("identity", __name__, description="Sign-up, sign-in, tokens and staff accounts")


@blp.post("/auth/register")
@limiter.limit(config_limit("RATELIMIT_REGISTER_ACCOUNT"), key_func=account_key("nik", "phone"))
@limiter.limit(config_limit("RATELIMIT_REGISTER_IP"))
@blp.arguments(RegisterSchema)
@blp.response(201, MeSchema)
def register(data):
    return services.register_resident(data)


@blp.post("/auth/login")
@limiter.limit(config_limit("RATELIMIT_LOGIN_ACCOUNT"), key_func=account_key("username"))
@limiter.limit(config_limit("RATELIMIT_LOGIN_IP"))
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
def login(data):
    return services.issue_tokens(services.authenticate(data["username"], data["password"]))


@blp.post("/auth/refresh")
@jwt_required(refresh=True)
@blp.arguments(RefreshSchema)
@blp.response(200, TokenPairSchema)
@blp.doc(security=BEARER, description="Send the refresh token as the bearer token; it is spent and a new pair issued.")
def refresh(_data):
    return services.rotate_refresh(current_actor(), get_jwt())


@blp.post("/auth/logout")
@auth_required()
@blp.arguments(LogoutSchema)
@blp.response(204)
def logout(data):
    services.logout(current_actor(), get_jwt(), data.get("refresh_token"))


@blp.get("/me")
@auth_required()
@blp.response(200, MeSchema)
def me():
    return current_actor()


@blp.patch("/me")
@auth_required()
@blp.arguments(UpdateProfileSchema)
@blp.response(200, MeSchema)
def update_me(data):
    return services.update_profile(current_actor(), data)


@blp.post("/admin/users")
@auth_required("city_admin")
@blp.arguments(CreateUserSchema)
@blp.response(201, UserSchema)
def create_user(data):
    return services.create_staff(current_actor().id, data)


@blp.get("/admin/users")
@auth_required("city_admin")
@blp.arguments(UserListArgs, location="query")
@blp.response(200, page_schema(UserSchema, "UserPageSchema"))
def list_users(args):
    return paginate(services.list_users(args.get("role")), args["page"], args["per_page"])
