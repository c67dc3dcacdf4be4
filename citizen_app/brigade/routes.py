from flask_smorest import Blueprint

blp = Blueprint("brigade", __name__, description="brigade")
