from citizen_app.i18n import register_messages

register_messages({
    "Unknown parking zone.": "Zona parkir tidak dikenal.",
    "This parking zone is closed.": "Zona parkir ini ditutup.",
    "Not a valid Indonesian plate number (e.g. DH 1234 AB).":
        "Nomor polisi tidak sah (contoh: DH 1234 AB).",
    "Unknown vehicle class.": "Jenis kendaraan tidak dikenal.",
    "This vehicle already has an active session in this zone.":
        "Kendaraan ini sudah memiliki sesi parkir aktif di zona ini.",
    "This session is already paid.": "Sesi ini sudah dibayar.",
    "This session was cancelled.": "Sesi ini sudah dibatalkan.",
    "Only an active session can be cancelled.": "Hanya sesi aktif yang dapat dibatalkan.",
    "Too late to cancel; stop the session instead.": "Terlambat untuk membatalkan; akhiri sesi saja.",
    "Cash is recorded by the zone's attendant.": "Pembayaran tunai dicatat oleh juru parkir zona.",
    "Only the session's driver can pay from a wallet.": "Hanya pengemudi sesi ini yang dapat membayar dari dompet.",
    "Not enough wallet balance: {balance} rupiah available.":
        "Saldo dompet tidak cukup: tersedia Rp{balance}.",
    "Nothing to pay for this session.": "Tidak ada yang perlu dibayar untuk sesi ini.",
    "The payment provider is unavailable; try again later.":
        "Penyedia pembayaran sedang tidak tersedia; coba lagi nanti.",
    "Unknown payment provider.": "Penyedia pembayaran tidak dikenal.",
    "The notification signature is not valid.": "Tanda tangan notifikasi tidak sah.",
    "The notified amount does not match the payment.": "Nominal notifikasi tidak sesuai dengan pembayaran.",
    "Unknown payment.": "Pembayaran tidak dikenal.",
    "Top-up must be between {min} and {max} rupiah.": "Isi ulang harus antara Rp{min} dan Rp{max}.",
    "Give either qr, or plate_number and zone_code.": "Isi qr, atau plate_number dan zone_code.",
    "This receipt code is not valid.": "Kode struk ini tidak sah.",
    "No receipt before the session is paid.": "Belum ada struk sebelum sesi dibayar.",
    "This deposit is already confirmed.": "Setoran ini sudah dikonfirmasi.",
    "'from' must not be after 'to'.": "'from' tidak boleh setelah 'to'.",
    "The date range may span at most {days} days.": "Rentang tanggal paling lama {days} hari.",
})
