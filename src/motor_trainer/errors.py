"""The one exception type whose message is shown to the user as it is."""


class UserFacingError(Exception):
    """Bad input or a missing resource: the message is one line that names the file and the cause.

    The CLI prints it and exits with code 2; the GUI shows it in a status line.
    Never raise it for a programming error.
    """
