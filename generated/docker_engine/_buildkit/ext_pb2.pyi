from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor
MEMPOOL_FIELD_NUMBER: _ClassVar[int]
mempool: _descriptor.FieldDescriptor
IGNORE_UNKNOWN_FIELDS_FIELD_NUMBER: _ClassVar[int]
ignore_unknown_fields: _descriptor.FieldDescriptor
OPTIONS_FIELD_NUMBER: _ClassVar[int]
options: _descriptor.FieldDescriptor

class Opts(_message.Message):
    __slots__ = ("unique",)
    UNIQUE_FIELD_NUMBER: _ClassVar[int]
    unique: bool
    def __init__(self, unique: _Optional[bool] = ...) -> None: ...
