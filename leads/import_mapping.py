"""Column mapping of a lead CSV file, as pure functions (no Django): guess each column's lead field
from its header (English and Chinese names), and turn the choices made on the mapping screen into
a mapping's `columns` (lead field -> CSV column), with the problems that stop it.
"""
import re
from collections.abc import Iterable, Mapping

REQUIRED_TARGETS = ("name",)

# lead field -> header names meaning it (compared folded: case, spaces, -, _ and . ignored)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "lead name", "contact", "contact name", "person", "姓名", "名字", "联系人",
             "线索名称", "客户姓名"),
    "email": ("email", "e-mail", "email address", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件地址"),
    "phone": ("phone", "telephone", "tel", "mobile", "phone number", "电话", "手机", "手机号", "联系电话"),
    "company": ("company", "company name", "organisation", "organization", "account", "公司", "公司名称",
                "企业", "单位"),
    "industry": ("industry", "sector", "行业", "所属行业"),
    "company_size": ("company size", "size", "employees", "headcount", "number of employees", "公司规模",
                     "员工数", "人数", "规模"),
    "region": ("region", "area", "territory", "地区", "区域", "大区"),
    "job_title": ("job title", "title", "position", "role", "职位", "职务", "头衔"),
    "source": ("source", "lead source", "channel", "来源", "线索来源", "渠道"),
    "consent": ("consent", "marketing consent", "opt in", "同意", "营销同意"),
    "do_not_email": ("do not email", "no email", "unsubscribed", "opt out", "email opt out", "勿发邮件", "退订"),
    "owner": ("owner", "lead owner", "assigned to", "rep", "sales rep", "负责人", "所有者", "销售", "跟进人"),
    "status": ("status", "lead status", "状态", "线索状态"),
    "origin": ("origin", "lead origin", "起源"),
    "last_activity": ("last activity", "最近活动", "最后活动"),
    "total_visits": ("total visits", "visits", "site visits", "totalvisits", "访问次数", "总访问次数"),
    "time_on_site": ("time on site", "total time spent on website", "time spent", "停留时间", "网站停留时间"),
    "external_ref": ("external ref", "external id", "id", "lead id", "lead number", "reference", "外部编号",
                     "编号", "线索编号"),
    "outcome": ("outcome", "converted", "won", "结果", "已转化", "赢单"),
}
_SEPARATORS = re.compile(r"[\s\-_.:/()（）：]+")


def fold(header: str) -> str:
    return _SEPARATORS.sub("", str(header).casefold())


_LOOKUP = {fold(name): target for target, names in SYNONYMS.items() for name in names}


def guess_targets(header: Iterable[str]) -> dict[str, str]:
    """Column -> the lead field it most likely holds ("" when none); a field goes to one column
    only (the first that names it)."""
    taken: set[str] = set()
    guesses: dict[str, str] = {}
    for column in header:
        target = _LOOKUP.get(fold(column), "")
        if target and target in taken:
            target = ""
        if target:
            taken.add(target)
        guesses[column] = target
    return guesses


def columns_from_choices(choices: Mapping[str, str], *, required: Iterable[str] = REQUIRED_TARGETS):
    """(mapping columns {field: column}, problems) from the screen's {column: field or ""}.
    Problems: ("duplicate", field, [columns]) when two columns chose one field, ("missing", field,
    []) for a required field no column chose."""
    by_target: dict[str, list[str]] = {}
    for column, target in choices.items():
        if target:
            by_target.setdefault(target, []).append(column)
    problems = [("duplicate", target, columns) for target, columns in by_target.items() if len(columns) > 1]
    problems += [("missing", target, []) for target in required if target not in by_target]
    return {target: columns[0] for target, columns in by_target.items()}, problems


def choices_from_columns(header: Iterable[str], columns: Mapping[str, str]) -> dict[str, str]:
    """The screen's {column: field} for a saved mapping's {field: column} (template specs such as
    "Lead {Lead Number}" are not a single column and are left out)."""
    by_column = {column: target for target, column in columns.items()}
    return {column: by_column.get(column, "") for column in header}
