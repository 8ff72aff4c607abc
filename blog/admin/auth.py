"""Admin login throttling: django-axes locks a username + address out after repeated failures."""

from axes.backends import AxesStandaloneBackend


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for logins made through a request (the login form).

    ``authenticate()`` without a request (the test client's ``login()``, a shell) is not
    reachable from the network, so there is nothing to throttle; axes itself would raise.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
