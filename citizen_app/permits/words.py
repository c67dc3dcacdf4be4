"""The words the permit search knows: stopwords, other spellings, everyday synonyms (all normalised)."""

STOPWORDS = frozenset("""
izin ijin surat permohonan pengurusan perizinan untuk buka membuka bikin membikin urus mengurus buat membuat cara
syarat persyaratan prosedur mau ingin saya kami aku di ke dari dan atau yang apa bagaimana gimana gmn mendapatkan
dapat dapatkan punya mengajukan ajukan pengajuan tentang berapa biaya lama baru perpanjang perpanjangan tolong
info informasi the of for
""".split())

# Same word, other spellings: applied to entries and queries alike.
SPELLING = {
    "ijin": "izin", "praktek": "praktik", "apotik": "apotek", "apotiker": "apoteker", "cafe": "kafe",
    "caffe": "kafe", "cafes": "kafe", "resto": "restoran", "restaurant": "restoran", "optic": "optik",
    "bilboard": "billboard", "baleho": "baliho", "sertipikat": "sertifikat", "survey": "survei",
    "research": "riset", "doctor": "dokter", "dr": "dokter", "klinic": "klinik", "clinic": "klinik",
    "hotels": "hotel", "bis": "bus", "shop": "toko", "taxi": "taksi",
}

# Everyday words -> words the catalogue uses (only for words the catalogue lacks, or a word would be pulled away
# from the permits that do use it). Query side only (variant 2). Keys and values are normalised.
SYNONYMS = {
    # building (PBG, formerly IMB)
    "rumah": "bangun rumah", "bangun": "bangun rumah", "membangun rumah": "bangun rumah", "ruko": "bangun rumah",
    "renovasi": "renovasi rumah", "rehab rumah": "renovasi rumah", "bedah rumah": "renovasi rumah",
    "mendirikan rumah": "mendirikan bangunan", "tambah lantai": "renovasi rumah",
    "layak fungsi": "laik fungsi", "sertifikat layak": "laik fungsi",
    # business (NIB, formerly SIUP/TDP/HO)
    "toko": "izin usaha", "kios": "izin usaha", "warung": "izin usaha", "dagang": "usaha perdagangan",
    "berdagang": "usaha perdagangan", "jualan": "usaha perdagangan", "berjualan": "usaha perdagangan",
    "jual": "usaha perdagangan", "umkm": "usaha mikro", "ukm": "usaha mikro", "umk": "usaha mikro",
    "usaha kecil": "usaha mikro", "ho": "izin usaha", "gangguan": "izin usaha", "olshop": "izin usaha",
    "online": "izin usaha", "bengkel": "izin usaha", "laundry": "izin usaha", "salon": "izin usaha",
    "perusahaan": "tanda daftar perusahaan", "cv": "tanda daftar perusahaan", "pt": "tanda daftar perusahaan",
    "nomor induk": "nib",
    # tourism (TDUP)
    "warung makan": "rumah makan", "restoran": "rumah makan", "rm": "rumah makan", "kedai": "kafe",
    "warkop": "kafe", "kedai kopi": "kafe", "penginapan": "homestay", "losmen": "homestay", "wisma": "homestay",
    "villa": "homestay", "home stay": "homestay", "guest house": "homestay", "wisata": "usaha pariwisata",
    "karaoke": "usaha pariwisata", "biro perjalanan": "usaha pariwisata",
    # advertising
    "iklan": "reklame", "papan iklan": "reklame", "neon box": "reklame", "neonbox": "reklame",
    "videotron": "reklame", "banner": "spanduk", "umbul umbul": "spanduk", "poster": "spanduk",
    # health
    "obat": "toko obat", "toko obat": "toko obat", "farmasi": "apotek", "kaca mata": "optik", "kacamata": "optik",
    "drg": "dokter gigi", "dokter umum": "praktik dokter", "mantri": "perawat", "suster": "perawat",
    "bersalin": "bidan", "praktik bersama": "klinik", "pengobatan": "balai pengobatan",
    # transport
    "mikrolet": "angkot", "oplet": "angkot", "bus": "angkutan umum", "travel": "angkutan umum",
    # events
    "nikahan": "pesta", "kawinan": "pesta", "pernikahan": "pesta", "konser": "keramaian", "pentas": "keramaian",
    "festival": "keramaian", "pawai": "keramaian", "syukuran": "hajatan",
    # research
    "tesis": "penelitian", "disertasi": "penelitian", "kkn": "penelitian", "kuesioner": "survei",
    # fisheries
    "perahu": "kapal", "tambak": "budidaya ikan", "keramba": "budidaya ikan", "rumput laut": "budidaya ikan",
    # spatial
    "lokasi usaha": "izin lokasi", "zonasi": "tata ruang", "peruntukan lahan": "tata ruang",
    "peruntukan tanah": "tata ruang",
}
