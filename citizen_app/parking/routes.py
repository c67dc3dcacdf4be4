from flask_smorest import Blueprint

blp = Blueprint("parking", __name__, description="parking")
