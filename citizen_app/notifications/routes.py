from flask_smorest import Blueprint

blp = Blueprint("notifications", __name__, description="notifications")
