"""Training and certification: courses, exams (questions as data), attempts, certifications
required per role, who holds them until when, and the expiry reminders already sent."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _



def _roles_help():
    return _("Role codes this is for (e.g. rep, manager); empty: everyone.")


class Course(models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        PROCESS = "process", _("Sales process")
        METHOD = "method", _("Selling method")
        COMPLIANCE = "compliance", _("Compliance")

    title = models.CharField(_("title"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRODUCT)
    roles = models.JSONField(_("roles"), default=list, blank=True, help_text=_roles_help())
    material_url = models.URLField(_("material link"), blank=True, max_length=500)
    material_text = models.TextField(_("material"), blank=True, max_length=20000)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title

    def is_for(self, role: str) -> bool:
        return not self.roles or role in self.roles


class Exam(models.Model):
    """An exam of a course. `questions` follow teams.exams (single or multiple choice, as data)."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="exams")
    title = models.CharField(_("title"), max_length=200)
    questions = models.JSONField(_("questions"), default=list)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80,
                                                 validators=[MinValueValidator(1), MaxValueValidator(100)])
    max_attempts = models.PositiveSmallIntegerField(_("most attempts"), default=3,
                                                    validators=[MaxValueValidator(100)],
                                                    help_text=_("0: unlimited."))
    cooldown_hours = models.PositiveSmallIntegerField(_("wait between attempts (hours)"), default=24,
                                                      validators=[MaxValueValidator(24 * 90)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["course__title", "title"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__gte=1, pass_mark__lte=100),
                                   name="exam_pass_mark_percent"),
        ]

    def __str__(self):
        return f"{self.course}: {self.title}"


class ExamAttempt(models.Model):
    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="exam_attempts")
    answers = models.JSONField(_("answers"), default=list)
    correct = models.PositiveSmallIntegerField(_("correct answers"), default=0)
    score = models.DecimalField(_("score (%)"), max_digits=4, decimal_places=1)
    passed = models.BooleanField(_("passed"), default=False)
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        indexes = [models.Index(fields=["user", "exam", "taken_at"], name="attempt_user_exam")]

    def __str__(self):
        return f"{self.user} {self.exam} {self.score}%"


class Certification(models.Model):
    """A certification, granted by passing its course's exam, valid for `validity_months`."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="certifications")
    required_for_roles = models.JSONField(_("required for roles"), default=list, blank=True,
                                          help_text=_("Role codes that must hold it (e.g. rep)."))
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=12,
                                                       validators=[MaxValueValidator(120)],
                                                       help_text=_("0: never expires."))
    reminder_days = models.JSONField(_("reminders (days before expiry)"), default=list, blank=True,
                                     help_text=_("E.g. [30, 7]."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self):
        return self.name

    @property
    def warn_days(self) -> int:
        return max([d for d in self.reminder_days if isinstance(d, int)] or [30])

    def is_required_for(self, role: str) -> bool:
        return role in (self.required_for_roles or [])


class CertificationGrant(models.Model):
    """One person's certification: granted on a date, valid until `expires_on` (None: no expiry).
    Passing again renews the same row."""

    certification = models.ForeignKey(Certification, verbose_name=_("certification"), on_delete=models.CASCADE,
                                      related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="certification_grants")
    granted_on = models.DateField(_("granted on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    attempt = models.ForeignKey(ExamAttempt, verbose_name=_("exam attempt"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [models.UniqueConstraint(fields=["certification", "user"], name="grant_one_per_user")]
        indexes = [models.Index(fields=["expires_on"], name="grant_expires_on")]

    def __str__(self):
        return f"{self.user}: {self.certification}"


class CertificationReminder(models.Model):
    """An expiry reminder recorded (before it is sent): at most one per grant, expiry and threshold."""

    grant = models.ForeignKey(CertificationGrant, verbose_name=_("certificate"), on_delete=models.CASCADE,
                              related_name="reminders")
    expires_on = models.DateField(_("expires on"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("certification reminder")
        verbose_name_plural = _("certification reminders")
        constraints = [models.UniqueConstraint(fields=["grant", "expires_on", "days_before"],
                                               name="reminder_once_per_threshold")]


