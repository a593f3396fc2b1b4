from flask import Flask

app = Flask(__name__)

PAGE = """<!doctype html>
<html><head><title>{title}</title><link rel="stylesheet" href="/static/style.css"></head>
<body><h1>{title}</h1><p>{body}</p><p><a href="/">Home</a> | <a href="/about">About</a></p></body></html>
"""


@app.route("/")
def index():
    return PAGE.format(title="Droplet One", body="Small projects and notes.")


@app.route("/about")
def about():
    return PAGE.format(title="About", body="A hobby site served from a tiny droplet.")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
