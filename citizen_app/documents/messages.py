from citizen_app.i18n import register_messages

register_messages({
    "Unknown letter type.": "Jenis surat tidak dikenal.",
    "This letter can only be requested at your home kelurahan.":
        "Surat ini hanya dapat diminta di kelurahan tempat tinggal Anda.",
    "Action {action} is not allowed while the request is {current}.":
        "Aksi {action} tidak diizinkan saat permohonan berstatus {current}.",
    "A note is required for this action.": "Catatan wajib diisi untuk aksi ini.",
    "Only a resubmission can change the fields or the purpose.":
        "Isian dan keperluan hanya dapat diubah saat mengajukan ulang.",
    "The letter is not signed yet.": "Surat belum ditandatangani.",
    "A file is required.": "Berkas wajib dilampirkan.",
    "Only JPEG, PNG or PDF files are accepted.": "Hanya berkas JPEG, PNG, atau PDF yang diterima.",
    "The file is larger than {limit} MB.": "Berkas lebih besar dari {limit} MB.",
    "Attachments can only be added while the request is open.":
        "Lampiran hanya dapat ditambahkan selama permohonan masih diproses.",
    "Too many attachments (at most {limit}).": "Terlalu banyak lampiran (paling banyak {limit}).",
    "The letter could not get a unique number; please try again.":
        "Surat belum mendapat nomor unik; silakan coba lagi.",
})
