"""Signal receivers of teams: API tokens end with the session and with the password."""
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from .services import tokens_revoke


@receiver(user_logged_out, dispatch_uid="teams-revoke-tokens-on-logout")
def revoke_tokens_on_logout(sender, request, user, **kwargs):
    if user is not None and settings.TOKEN_REVOKE_ON_LOGOUT:
        tokens_revoke(user=user)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="teams-revoke-tokens-on-password-change")
def revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    # AbstractBaseUser.set_password() keeps the new raw password in `_password` until the save that
    # stores it (every door: the password page, the admin, `manage.py changepassword`); hash
    # upgrades at login clear it first, so they revoke nothing.
    if not created and getattr(instance, "_password", None) is not None:
        tokens_revoke(user=instance)
