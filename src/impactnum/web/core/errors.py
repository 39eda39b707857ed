"""Domain errors raised by services: a clear message, and the field it concerns if any."""


class DomainError(Exception):
    """A refused change. Views show `message`; the API returns it as problem details."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The person's roles do not allow this on this organisation."""

    status = 403


class NotFound(DomainError):
    status = 404
