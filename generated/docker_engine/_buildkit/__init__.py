"""BuildKit's messages, compiled from spec/proto by `python -m generator protos`; do not edit."""
