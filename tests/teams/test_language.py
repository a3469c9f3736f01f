"""A user's language: remembered from the language menu, used for the emails they receive."""
import pytest
from django.core import mail
from django.test import override_settings

from teams.models import User
from teams.services import email_user, user_language, user_set_language

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_language_menu_remembers_a_signed_in_users_choice(client):
    user = UserFactory(role=User.Role.REP)
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/leads/"})
    assert response.status_code == 302 and response["Location"] == "/leads/"
    assert User.objects.get(pk=user.pk).language == "zh-hans"
    assert client.cookies["django_language"].value == "zh-hans"


def test_an_unknown_language_changes_nothing(client):
    user = UserFactory(role=User.Role.REP, language="en")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "en"
    assert user_set_language(user=user, language="xx") is False


def test_an_anonymous_visitor_only_gets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302 and client.cookies["django_language"].value == "zh-hans"


@override_settings(LANGUAGE_CODE="en")
def test_emails_are_written_in_the_recipients_language(django_capture_on_commit_callbacks):
    chinese = UserFactory(role=User.Role.REP, email="li@example.com", language="zh-hans")
    english = UserFactory(role=User.Role.REP, email="al@example.com")
    assert (user_language(chinese), user_language(english)) == ("zh-hans", "en")
    with django_capture_on_commit_callbacks(execute=True):
        email_user(recipient=chinese, subject="Activity logged.", body="Activity logged.")
        email_user(recipient=english, subject="Activity logged.", body="Activity logged.")
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert bodies == {"li@example.com": "已记录活动。", "al@example.com": "Activity logged."}


def test_the_review_pack_reads_the_language_stored_on_the_user():
    manager = UserFactory(role=User.Role.MANAGER, language="zh-hans")
    from dashboards.review.services import recipient_language
    assert recipient_language(User.objects.get(pk=manager.pk)) == "zh-hans"
