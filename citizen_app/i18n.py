"""Server-side messages. Code writes English; Bahasa Indonesia is the default language of responses."""

import re

from flask import has_request_context, request

# English source text -> Bahasa Indonesia. Templates use str.format names.
ID = {
    # generic error titles, by code
    "Request body is not valid JSON.": "Isi permintaan bukan JSON yang sah.",
    "Some fields are invalid.": "Beberapa isian tidak sah.",
    "Authentication is required.": "Perlu masuk (login) terlebih dahulu.",
    "Your session has expired. Please sign in again.": "Sesi Anda telah berakhir. Silakan masuk kembali.",
    "The token is invalid.": "Token tidak sah.",
    "The token has been revoked.": "Token telah dicabut.",
    "You are not allowed to do this.": "Anda tidak berwenang melakukan ini.",
    "Not found.": "Tidak ditemukan.",
    "Method not allowed.": "Metode tidak diizinkan.",
    "Conflict with the current state.": "Bertentangan dengan keadaan saat ini.",
    "The request is too large.": "Permintaan terlalu besar.",
    "Unsupported media type; send application/json.": "Jenis media tidak didukung; kirim application/json.",
    "Too many requests. Try again in {retry_after} seconds.":
        "Terlalu banyak permintaan. Coba lagi dalam {retry_after} detik.",
    "Something went wrong on our side. Reference: {request_id}.":
        "Terjadi kesalahan di sisi kami. Rujukan: {request_id}.",
    "Bad request.": "Permintaan tidak sah.",
    "The service is temporarily unavailable.": "Layanan sedang tidak tersedia.",
    # marshmallow defaults
    "Missing data for required field.": "Wajib diisi.",
    "Unknown field.": "Isian tidak dikenal.",
    "Field may not be null.": "Tidak boleh kosong.",
    "Not a valid string.": "Harus berupa teks.",
    "Not a valid integer.": "Harus berupa bilangan bulat.",
    "Not a valid number.": "Harus berupa angka.",
    "Not a valid boolean.": "Harus berupa ya/tidak.",
    "Not a valid date.": "Tanggal tidak sah (format YYYY-MM-DD).",
    "Not a valid datetime.": "Waktu tidak sah (ISO 8601).",
    "Not a valid email address.": "Alamat email tidak sah.",
    "Not a valid URL.": "URL tidak sah.",
    "Not a valid list.": "Harus berupa daftar.",
    "Not a valid mapping type.": "Harus berupa objek.",
    "Invalid input type.": "Jenis masukan tidak sah.",
    "Invalid value.": "Nilai tidak sah.",
    "Shorter than minimum length {min}.": "Lebih pendek dari {min} karakter.",
    "Longer than maximum length {max}.": "Lebih panjang dari {max} karakter.",
    "Length must be between {min} and {max}.": "Panjang harus antara {min} dan {max}.",
    "Must be greater than or equal to {min}.": "Harus lebih besar atau sama dengan {min}.",
    "Must be less than or equal to {max}.": "Harus lebih kecil atau sama dengan {max}.",
    "Must be greater than or equal to {min} and less than or equal to {max}.":
        "Harus antara {min} dan {max}.",
    "Must be one of: {choices}.": "Harus salah satu dari: {choices}.",
    "String does not match expected pattern.": "Format tidak sesuai.",
    "Invalid JSON body.": "Isi JSON tidak sah.",
    # identity
    "NIK must be exactly 16 digits.": "NIK harus terdiri dari 16 angka.",
    "NIK province code {code} does not exist.": "Kode provinsi NIK {code} tidak dikenal.",
    "NIK birth date is not a valid date.": "Tanggal lahir dalam NIK tidak sah.",
    "NIK serial number cannot be 0000.": "Nomor urut NIK tidak boleh 0000.",
    "NIK birth date does not match birth_date.": "Tanggal lahir dalam NIK tidak cocok dengan tanggal lahir.",
    "NIK does not match gender (women add 40 to the day).":
        "NIK tidak cocok dengan jenis kelamin (perempuan: tanggal ditambah 40).",
    "Not a valid Indonesian mobile number.": "Nomor ponsel Indonesia tidak sah.",
    "Password must be at least 8 characters.": "Kata sandi minimal 8 karakter.",
    "Unknown kelurahan.": "Kelurahan tidak dikenal.",
    "Unknown kecamatan.": "Kecamatan tidak dikenal.",
    "This NIK is already registered.": "NIK ini sudah terdaftar.",
    "This phone number is already registered.": "Nomor ponsel ini sudah terdaftar.",
    "This username is already taken.": "Nama pengguna ini sudah dipakai.",
    "Wrong username or password.": "Nama pengguna atau kata sandi salah.",
    "This account is disabled.": "Akun ini dinonaktifkan.",
    "Birth date cannot be in the future.": "Tanggal lahir tidak boleh di masa depan.",
    "This role needs a kelurahan.": "Peran ini memerlukan kelurahan.",
    "Unknown role.": "Peran tidak dikenal.",
    "Staff accounts need a username.": "Akun petugas memerlukan nama pengguna.",
    "Refresh token required.": "Diperlukan refresh token.",
    "Idempotency-Key was already used with a different request.":
        "Idempotency-Key sudah dipakai untuk permintaan lain.",
    "A request with this Idempotency-Key is still being processed.":
        "Permintaan dengan Idempotency-Key ini masih diproses.",
    "Idempotency-Key must be 1 to 100 printable characters.":
        "Idempotency-Key harus 1 sampai 100 karakter yang dapat dicetak.",
}

_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")


def _compile(template: str) -> re.Pattern:
    pattern = _PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(template))
    return re.compile(f"^{pattern}$")


_PATTERNS: list[tuple[re.Pattern, str]] = []


def register_messages(messages: dict[str, str]) -> None:
    """Domains add their own English -> Bahasa Indonesia messages (call at import of the domain's module)."""
    ID.update(messages)
    _PATTERNS[:] = [(_compile(k), v) for k, v in ID.items() if "{" in k]


register_messages({})


def current_language() -> str:
    if not has_request_context():
        return "id"
    header = request.headers.get("Accept-Language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("id") or tag.startswith("in"):
            return "id"
    return "id"


def translate(text: str, lang: str | None = None, **params) -> str:
    """Translate an English message (a template with params, or an already formatted string)."""
    lang = lang or current_language()
    if lang == "en":
        return text.format(**params) if params else text
    if text in ID:
        return ID[text].format(**params) if params else ID[text]
    for pattern, target in _PATTERNS:
        match = pattern.match(text)
        if match:
            return target.format(**match.groupdict())
    return text.format(**params) if params else text


def translate_tree(messages, lang: str | None = None):
    """Translate every string in a marshmallow-style error tree."""
    lang = lang or current_language()
    if isinstance(messages, dict):
        return {str(k): translate_tree(v, lang) for k, v in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate_tree(m, lang) for m in messages]
    return translate(str(messages), lang)
