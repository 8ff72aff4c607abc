"""/contact/ and its thank-you page (included by site_config/urls.py under contact/)."""

from django.urls import path

from blog.public import contact

app_name = "contact"

urlpatterns = [
    path("", contact.ContactView.as_view(), name="form"),
    path("merci/", contact.ThanksView.as_view(), name="thanks"),
    path("thanks/", contact.OldThanksView.as_view(), name="old-thanks"),
]
