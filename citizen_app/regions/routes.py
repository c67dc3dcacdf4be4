from citizen_app.api import Blueprint
from citizen_app.cities.services import current_city_code, current_city_profile
from citizen_app.common.pagination import paginate
from citizen_app.common.schemas import page_schema
from citizen_app.regions import services
from citizen_app.regions.schemas import CitySchema, KecamatanSchema, KelurahanArgs, KelurahanSchema

blp = Blueprint("regions", __name__, description="The city and its kecamatan and kelurahan")


@blp.get("/city")
@blp.response(200, CitySchema)
def city():
    profile = current_city_profile()
    counts = services.region_counts(current_city_code())
    return {
        **profile,
        "kecamatan_count": counts["kecamatan"],
        "kelurahan_count": counts["kelurahan"],
        "branding": {
            "name": profile["name"],
            "letterhead": profile.get("letterhead", []),
            "mayor_title": profile.get("mayor_title"),
            "color": profile.get("color", "#0b5d8c"),
        },
    }


@blp.get("/regions/kecamatan")
@blp.response(200, page_schema(KecamatanSchema, "KecamatanPageSchema"))
def kecamatan():
    return paginate(services.kecamatan_query(current_city_code()), 1, 100)


@blp.get("/regions/kelurahan")
@blp.arguments(KelurahanArgs, location="query")
@blp.response(200, page_schema(KelurahanSchema, "KelurahanPageSchema"))
def kelurahan(args):
    query = services.kelurahan_query(current_city_code(), args.get("kecamatan"), args.get("q"))
    return paginate(query, args["page"], args["per_page"])
