from flask import Flask, abort

app = Flask(__name__)


@app.route("/")
def index():
    return "hello\n"


@app.route("/boom")
def boom():
    raise ValueError("boom: a deliberate error for the traceback sample")


@app.route("/fail")
def fail():
    abort(503)
