"""The baseline for the load benchmark: a bare Flask endpoint returning constant JSON."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    return jsonify({"status": "ok", "service": "bare"})
