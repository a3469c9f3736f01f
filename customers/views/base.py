"""What the customers form pages share: saving through a service, its refusal shown on the form."""
from django.contrib import messages
from django.core.exceptions import ValidationError


class ServiceFormMixin:
    """`save(fields)` calls the service; a ValidationError it raises goes back on the form (nothing
    saved); on success the `saved_message` is flashed and `saved_redirect()` answered."""

    saved_message = ""

    def form_valid(self, form):
        try:
            self.object = self.save(form.service_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.saved_message)
        return self.saved_redirect()
