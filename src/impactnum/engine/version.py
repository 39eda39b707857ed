"""The engine's version, recorded with every stored result so that it can be replayed."""

ENGINE_VERSION = "0.1.0"
