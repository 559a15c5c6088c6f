"""Our wechatpy client: every URL (the access token's too) built from WECHAT_API_BASE_URL.

wechatpy 2.0.0a26 hard-codes https://api.weixin.qq.com in fetch_access_token and in WeChatWxa, and
its token fetch passes no timeout; tests point the base URL at a local fake WeChat server.
"""

import logging

import requests
from redis import RedisError
from wechatpy import WeChatClient
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger(__name__)


class SharedTokenStorage(RedisStorage):
    """The access token shared by every process through Redis, kept in this process while Redis is away.

    wechatpy reads the token before every call, code2session included: without the fallback a Redis
    outage would stop every WeChat login.
    """

    def __init__(self, redis_client, prefix: str = "wechat"):
        super().__init__(redis_client, prefix=prefix)
        self.local = MemoryStorage()

    def get(self, key, default=None):
        try:
            return super().get(key, default)
        except RedisError:
            return self.local.get(key, default)

    def set(self, key, value, ttl=None):
        self.local.set(key, value, ttl)
        try:
            super().set(key, value, ttl)
        except RedisError as exc:
            log.warning("WeChat token kept in this process only: Redis unavailable (%s)", exc)

    def delete(self, key):
        self.local.delete(key)
        try:
            super().delete(key)
        except RedisError as exc:
            log.warning("WeChat token not deleted from Redis: unavailable (%s)", exc)


class TimeoutSession(requests.Session):
    """A requests session that never waits forever, whatever wechatpy forgets to pass."""

    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class UnionWeChatClient(WeChatClient):
    def __init__(self, appid: str, secret: str, base_url: str, timeout: float, session=None):
        # auto_retry=False: a retry inside a worker's request would double its latency on a bad day.
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.base_url = base_url.rstrip("/")
        self._http = TimeoutSession(timeout)
        self.API_BASE_URL = f"{self.base_url}/cgi-bin/"
        self.wxa.API_BASE_URL = f"{self.base_url}/"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.base_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
