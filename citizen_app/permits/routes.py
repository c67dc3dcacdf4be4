from flask_smorest import Blueprint

blp = Blueprint("permits", __name__, description="permits")
