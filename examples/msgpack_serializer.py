"""RQ serializer for rqcpp jobs (docs/redis-layout.md 4.1): msgpack, str not bin."""
import msgpack


class MsgpackSerializer:
    @staticmethod
    def dumps(obj):
        return msgpack.packb(obj, use_bin_type=True)

    @staticmethod
    def loads(data):
        return msgpack.unpackb(data, raw=False)
