"""Default stages, checklist items, gate criteria, SPIN questions and loss reasons (editable in the admin)."""
from django.db import migrations

STAGES = [
    # code, name, name_zh_hans, order, probability, is_won, is_lost
    ("lead_identified", "Lead identified", "线索识别", 10, 10, False, False),
    ("needs_confirmed", "Needs confirmed", "需求确认", 20, 25, False, False),
    ("solution_demo", "Solution demo", "方案演示", 30, 50, False, False),
    ("negotiation", "Negotiation", "商务谈判", 40, 75, False, False),
    ("closed_won", "Closed won", "成交", 50, 100, True, False),
    ("closed_lost", "Closed lost", "输单", 60, 0, False, True),
]

CHECKLIST = [
    # stage, code, name, name_zh_hans, order
    ("needs_confirmed", "budget_confirmed", "Budget confirmed", "预算已确认", 10),
    ("needs_confirmed", "decision_makers_identified", "Decision makers identified", "决策人已明确", 20),
    ("solution_demo", "solution_accepted", "Customer accepted the solution", "客户认可方案", 10),
    ("negotiation", "contract_reviewed", "Contract terms reviewed", "合同条款已审阅", 10),
]

CRITERIA = [
    # stage, applies_on, kind, field / checklist item code / record / approval
    ("needs_confirmed", "exit", "required_field", "confirmed_needs"),
    ("solution_demo", "exit", "checklist_item", "solution_accepted"),
    ("solution_demo", "exit", "related_record", "meeting"),
    ("negotiation", "entry", "manager_approval", "discount"),
    ("closed_won", "entry", "required_field", "amount"),
    ("closed_won", "entry", "required_field", "expected_close_date"),
    ("closed_lost", "entry", "required_field", "loss_reason"),
    ("closed_lost", "entry", "required_field", "loss_competitor"),
]

SPIN = [
    ("lead_identified", "situation", "What systems and processes does the customer use today?", "客户目前使用哪些系统和流程？"),
    ("lead_identified", "situation", "Who is involved in buying decisions like this one?", "此类采购决策由哪些人参与？"),
    ("needs_confirmed", "problem", "What difficulties do they have with the current way of working?", "现有工作方式给他们带来了哪些困难？"),
    ("needs_confirmed", "problem", "Where do they lose time, money or customers today?", "他们目前在哪些环节损失时间、金钱或客户？"),
    ("solution_demo", "implication", "What happens to their targets if the problem stays unsolved?", "如果问题得不到解决，对他们的目标有何影响？"),
    ("solution_demo", "implication", "Which other teams feel the consequences of this problem?", "还有哪些团队受到这个问题的影响？"),
    ("negotiation", "need_payoff", "How would solving this help them reach their goals?", "解决这个问题将如何帮助他们实现目标？"),
    ("negotiation", "need_payoff", "What would a measurable improvement be worth to them?", "可衡量的改进对他们价值多少？"),
]

LOSS_REASONS = [
    ("price", "Price too high", "价格过高", False, 10),
    ("competitor", "Lost to a competitor", "输给竞争对手", True, 20),
    ("no_budget", "No budget", "没有预算", False, 30),
    ("no_decision", "No decision / project stopped", "未决策 / 项目终止", False, 40),
    ("product_fit", "Product does not fit", "产品不匹配", False, 50),
    ("timing", "Bad timing", "时机不对", False, 60),
    ("other", "Other", "其他", False, 70),
]


def create_defaults(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    ChecklistItem = apps.get_model("pipeline", "ChecklistItem")
    GateCriterion = apps.get_model("pipeline", "GateCriterion")
    SpinQuestion = apps.get_model("pipeline", "SpinQuestion")
    LossReason = apps.get_model("pipeline", "LossReason")
    stages = {}
    for code, name, zh, order, probability, won, lost in STAGES:
        stages[code], _ = Stage.objects.get_or_create(code=code, defaults=dict(
            name=name, name_zh_hans=zh, order=order, probability=probability, is_won=won, is_lost=lost))
    items = {}
    for stage, code, name, zh, order in CHECKLIST:
        items[code], _ = ChecklistItem.objects.get_or_create(code=code, defaults=dict(
            stage=stages[stage], name=name, name_zh_hans=zh, order=order))
    for stage, applies_on, kind, target in CRITERIA:
        values = {"field": "", "checklist_item": None, "record": "", "approval": ""}
        key = {"required_field": "field", "checklist_item": "checklist_item", "related_record": "record",
               "manager_approval": "approval"}[kind]
        values[key] = items[target] if kind == "checklist_item" else target
        GateCriterion.objects.get_or_create(stage=stages[stage], applies_on=applies_on, kind=kind, **values)
    for order, (stage, kind, text, zh) in enumerate(SPIN):
        SpinQuestion.objects.get_or_create(stage=stages[stage], kind=kind, text=text,
                                           defaults=dict(text_zh_hans=zh, order=order))
    for code, name, zh, requires_competitor, order in LOSS_REASONS:
        LossReason.objects.get_or_create(code=code, defaults=dict(
            name=name, name_zh_hans=zh, requires_competitor=requires_competitor, order=order))


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
