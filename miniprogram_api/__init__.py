"""The /mp/v1 JSON API the WeChat mini-program and the H5 page call: thin transport over app.services."""
