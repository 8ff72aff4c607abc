"""The third-party apps' configurations, for the admin to name them in the editor's language.

Apart from ``blog.apps``: Django takes an app module's only AppConfig as the app's own, and
would no longer find ``BlogConfig`` among several.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.apps import TaggitAppConfig


class TaggitConfig(TaggitAppConfig):
    """django-taggit, named in the admin by what it holds (« Étiquettes », not « Taggit »)."""

    verbose_name = _("Tags")


class AxesConfig(AxesAppConfig):
    """django-axes, named in the admin by what it does, its rows in the editor's language.

    axes' models name themselves in English f-strings (« Access Log for root @ 2026-… »),
    shown as the title, breadcrumbs and history of their admin pages: given translatable
    names here, once its models are loaded.
    """

    verbose_name = _("Login security")

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = _attempt_name
        AccessFailureLog.__str__ = _failure_name
        AccessLog.__str__ = _login_name


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def _attempt_name(attempt) -> str:
    return gettext("Failed logins of %(username)s from %(address)s") % {
        "username": attempt.username,
        "address": attempt.ip_address,
    }


def _failure_name(failure) -> str:
    return gettext("Failed login of %(username)s on %(time)s from %(address)s") % {
        "username": failure.username,
        "time": _when(failure.attempt_time),
        "address": failure.ip_address,
    }


def _login_name(login) -> str:
    return gettext("Login of %(username)s on %(time)s") % {
        "username": login.username,
        "time": _when(login.attempt_time),
    }
