from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import Article
from teams.models.knowledge import TAG_MAX, TAGS_PER_ARTICLE

from .services import clean_tag_names


class ArticleForm(forms.ModelForm):
    """Validation only; the view saves through teams.knowledge.services."""

    tags = forms.CharField(label=_("Tags"), required=False, max_length=(TAG_MAX + 2) * TAGS_PER_ARTICLE,
                           help_text=_("Separated by commas, e.g. pricing, 预算"))

    class Meta:
        model = Article
        fields = ["kind", "title", "language", "body", "is_published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(tag.name for tag in self.instance.tags.all())

    def clean_tags(self):
        from django.core.exceptions import ValidationError

        try:
            return clean_tag_names(self.cleaned_data.get("tags") or "")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("tags", exc.messages)) from exc
