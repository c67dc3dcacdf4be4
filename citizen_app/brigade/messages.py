from citizen_app.i18n import register_messages

register_messages({
    "This position is {distance} km from the city; the brigade serves places within {max} km.":
        "Lokasi ini berjarak {distance} km dari kota; brigade melayani lokasi dalam radius {max} km.",
    "Give both latitude and longitude.": "Isi lintang dan bujur sekaligus.",
    "Use all, active, or statuses separated by commas.":
        "Gunakan all, active, atau daftar status dipisahkan koma.",
    "Only the dispatcher can do this.": "Hanya petugas dispatcher yang dapat melakukan ini.",
    "Only the dispatcher or a medic of the assigned team can do this.":
        "Hanya dispatcher atau petugas medis dari tim yang ditugaskan yang dapat melakukan ini.",
    "The call is {state}; {action} is not possible now.":
        "Status panggilan {state}; tindakan {action} tidak dapat dilakukan sekarang.",
    "You can cancel your call only before a team is dispatched.":
        "Anda hanya dapat membatalkan panggilan sebelum tim diberangkatkan.",
    "Required for this action.": "Wajib diisi untuk tindakan ini.",
    "Unknown team.": "Tim tidak dikenal.",
    "Unknown call.": "Panggilan tidak dikenal.",
    "The team is {state}, not available.": "Tim sedang {state}, tidak tersedia.",
    "The team is already on call {call_id}.": "Tim sedang menangani panggilan {call_id}.",
    "A call cannot be merged into itself.": "Panggilan tidak dapat digabung dengan dirinya sendiri.",
    "The other call was cancelled; merge into an open call.":
        "Panggilan lain telah dibatalkan; gabungkan ke panggilan yang masih berjalan.",
    "This call is not flagged as a possible duplicate.": "Panggilan ini tidak ditandai sebagai kemungkinan duplikat.",
    "The call or team was changed at the same time by someone else; reload and try again.":
        "Panggilan atau tim diubah pada saat yang sama oleh orang lain; muat ulang dan coba lagi.",
    "A team with this name already exists.": "Tim dengan nama ini sudah ada.",
    "The team is on call {call_id}; its status follows the call's actions.":
        "Tim sedang menangani panggilan {call_id}; statusnya mengikuti tindakan pada panggilan.",
    "Without a call a team can only be available or off_duty.":
        "Tanpa panggilan, tim hanya dapat berstatus available atau off_duty.",
    "Duplicate of call {call_id}.": "Duplikat dari panggilan {call_id}.",
    "from must not be after to.": "Tanggal from tidak boleh setelah to.",
})
