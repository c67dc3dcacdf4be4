from flask_smorest import Blueprint

blp = Blueprint("stats", __name__, description="stats")
