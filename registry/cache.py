"""The shared cache (Redis), failing open.

The cache holds counters (the API's anonymous throttle, the corrections limit) and
things worth keeping, never the only copy of data. So when Redis is unreachable the site
goes on without it: reads miss, writes are dropped, throttling and the corrections limit
let requests through. Each outage is logged once when it starts and once when Redis is
back; meanwhile Redis is not asked again for ``RETRY_SECONDS``, so that requests do not
each wait for a connection timeout.

``/readyz`` reports the cache as failing then: it reads back what it wrote.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("registry.cache")

T = TypeVar("T")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache backend; with Redis unreachable, a cache that holds nothing."""

    RETRY_SECONDS = 2.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down = False

    def _call(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if self._down and time.monotonic() < self._down_until:
            return fallback
        try:
            result = call()
        except UNREACHABLE as exc:
            with self._lock:
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                if not self._down:
                    self._down = True
                    logger.error(
                        "Redis unreachable (%s: %s): the cache fails open, so the API throttle and "
                        "the corrections limit are not enforced until it is back",
                        operation,
                        exc,
                    )
            return fallback
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    logger.warning("Redis reachable again: the cache, throttle and limits are back")
        return result

    # Django's cache API, each call through _call.

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call(
            "add", lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._call("set", lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call(
            "touch", lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call("delete", lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._call("get_many", lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call("has_key", lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # Unreachable: as if the key had just been created (callers counting from a fresh
        # window go on).
        return self._call("incr", lambda: super(FailOpenRedisCache, self).incr(key, delta, version), delta)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        failed = list(data)
        return self._call(
            "set_many", lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), failed
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._call("clear", lambda: super(FailOpenRedisCache, self).clear(), None)

    def ping(self) -> None:
        """Raises when Redis cannot be reached (for /readyz: never fails open)."""
        self._cache.get_client(write=True).ping()  # type: ignore[attr-defined]
