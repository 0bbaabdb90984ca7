"""kombu's Redis transport, made to outlive a broker that goes away while tasks are in hand.

When Redis drops the connection, Celery 5.7's consumer first collects the connection
(which detaches the transport from it) and then closes it. If the first close of the
channel failed half way (the pending BRPOP read raised), the second one goes on to put
the unacknowledged tasks back, asks for a new Redis client, and kombu reads the host
from a transport that no longer has a connection: AttributeError('NoneType' object has
no attribute 'hostname'), which Celery treats as unrecoverable, and the worker exits.
(The same read of a detached transport is behind celery/kombu#970 and #582.)

Here that late close fails as the connection error it is, which Celery expects while
reconnecting. Nothing is lost by not restoring those tasks: the broker only carries
reminder ids, and the sweep hands out again any claim not sent within
STALE_AFTER_SECONDS.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection.client is None:  # the connection was already taken down
            raise RedisConnectionError("the broker connection is closed")
        return super()._connparams(asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel


PATH = f"{__name__}:Transport"  # Celery's broker_transport for a redis:// URL
