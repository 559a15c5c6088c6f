from qr.urls import entry_url


def test_entry_url_is_the_public_base_url_then_q_and_the_code():
    assert entry_url("https://ghzx.example.cn", "Ab-_9xYz0123") == "https://ghzx.example.cn/q/Ab-_9xYz0123"


def test_a_trailing_slash_on_the_base_url_does_not_double():
    assert entry_url("https://ghzx.example.cn/", "Ab12") == "https://ghzx.example.cn/q/Ab12"
