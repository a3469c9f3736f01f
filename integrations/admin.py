"""Integrations in the admin: subscriptions and keys are written through integrations.services; the
delivery log and the change feed are read-only, with a redeliver action on deliveries."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from salesops.admin import ReadOnlyAdminMixin, ServiceWritesAdminMixin

from . import events, keys, services
from .targets import check_target
from .models import ChangeEvent, Delivery, DeliveryAttempt, IntegrationKey, Subscription


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(label=_("event types"), choices=events.choices,
                                            widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Subscription
        fields = ["name", "url", "event_types", "is_active", "max_attempts"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_target(url)  # the service checks again; here the error lands on the field
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None
        return url


@admin.register(Subscription)
class SubscriptionAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "is_active", "created_at"]
    readonly_fields = ["secret"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data["event_types"] = list(data["event_types"])
        if change:
            saved = services.subscription_update(subscription=obj, by=request.user, **data)
        else:
            saved = services.subscription_create(by=request.user, **data)
        obj.pk, obj.secret = saved.pk, saved.secret

    def delete_objects(self, request, objs) -> None:
        for obj in objs:
            services.subscription_delete(subscription=obj, by=request.user)

    def delete_model(self, request, obj):
        self.delete_objects(request, [obj])

    def delete_queryset(self, request, queryset):
        self.delete_objects(request, list(queryset))


class DeliveryAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = ["number", "status_code", "duration_ms", "response_excerpt", "error", "at"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "subscription", "event", "status", "attempts", "status_code", "duration_ms", "created_at"]
    list_filter = ["status", "subscription"]
    list_select_related = ["subscription", "event"]
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    @admin.action(description=_("Redeliver the selected deliveries"))
    def redeliver(self, request, queryset):
        count = 0
        for delivery in queryset[:100]:
            services.delivery_redeliver(delivery=delivery, by=request.user)
            count += 1
        self.message_user(request, _("%(n)s deliveries queued again.") % {"n": count}, messages.SUCCESS)


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "event_type", "object_type", "object_id", "owner", "created_at"]
    list_filter = ["event_type"]


class IntegrationKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=[(s, s) for s in keys.SCOPES],
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = IntegrationKey
        fields = ["name", "user", "scopes", "rate_limit_per_minute", "expires_at"]


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(admin.ModelAdmin):
    """Keys are created here (the key is shown once, in a message), rotated and revoked by actions."""

    form = IntegrationKeyForm
    list_display = ["name", "prefix", "user", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "revoked_at", "last_used_at", "created_at"]
    actions = ["rotate", "revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # no edits: rotate or revoke

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data["scopes"] = list(data["scopes"])
        row, key = services.key_create(by=request.user, **data)
        obj.pk = row.pk
        self.message_user(request, _("The new key (copy it now, it is not shown again): %(key)s") % {"key": key},
                          messages.WARNING)

    def log_addition(self, request, obj, message):
        return None

    @admin.action(description=_("Rotate the selected keys (the old ones work 24 more hours)"))
    def rotate(self, request, queryset):
        for key in queryset[:20]:
            try:
                row, full = services.key_rotate(key=key, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{key}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
                continue
            self.message_user(request, _("New key for %(name)s (copy it now, it is not shown again): %(key)s")
                              % {"name": row.name, "key": full}, messages.WARNING)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset[:100]:
            services.key_revoke(key=key, by=request.user)
        self.message_user(request, _("Keys revoked."), messages.SUCCESS)
