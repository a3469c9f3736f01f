"""Default event types and the published rule set that reproduces the playbook's example exactly:
industry in {technology, finance} +15; company size > 1000 +10; whitepaper download +10;
webinar attended +20; pricing-page visit +20; score >= 50 MQL, >= 30 SQL, else Lead."""
from django.db import migrations

EVENT_TYPES = [
    ("whitepaper_download", "Whitepaper download", "下载白皮书"),
    ("webinar_attended", "Webinar attended", "参加网络研讨会"),
    ("pricing_page_visit", "Pricing page visit", "访问定价页"),
    ("site_visit", "Site visit", "访问网站"),
    ("email_click", "Email click", "点击邮件"),
    ("demo_request", "Demo request", "申请演示"),
]


def install(apps, schema_editor):
    from django.utils import timezone

    EventType = apps.get_model("leads", "EventType")
    RuleSet = apps.get_model("leads", "RuleSet")
    types = {}
    for code, name, name_zh in EVENT_TYPES:
        types[code], _ = EventType.objects.get_or_create(code=code, defaults={"name": name, "name_zh_hans": name_zh})
    if RuleSet.objects.exists():
        return
    rule_set = RuleSet.objects.create(name="Default (playbook example)", version=1, status="published",
                                      published_at=timezone.now(),
                                      notes="Installed by migration; reproduces the sales playbook's example.")
    rule_set.attribute_rules.create(field="industry", operator="in", value=["technology", "finance"], points=15,
                                    label="Industry is Technology or Finance")
    rule_set.attribute_rules.create(field="company_size", operator="gt", value=1000, points=10,
                                    label="Company size over 1,000")
    rule_set.behaviour_rules.create(event_type=types["whitepaper_download"], points=10, max_count=1,
                                    label="Downloaded the whitepaper")
    rule_set.behaviour_rules.create(event_type=types["webinar_attended"], points=20, max_count=1,
                                    label="Attended a webinar")
    rule_set.behaviour_rules.create(event_type=types["pricing_page_visit"], points=20, max_count=1,
                                    label="Visited the pricing page")
    rule_set.grades.create(name="MQL", lower_bound=50)
    rule_set.grades.create(name="SQL", lower_bound=30)
    rule_set.grades.create(name="Lead", lower_bound=None)


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
