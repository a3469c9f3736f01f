"""The column guess and the mapping checks of the import mapping screen (pure functions)."""
from leads.import_mapping import choices_from_columns, columns_from_choices, fold, guess_targets


def test_headers_are_guessed_in_english_and_chinese():
    header = ["Full Name", "E-mail", "公司名称", "行业", "Employees", "地区", "Lead Source", "手机号", "Notes"]
    assert guess_targets(header) == {
        "Full Name": "name", "E-mail": "email", "公司名称": "company", "行业": "industry",
        "Employees": "company_size", "地区": "region", "Lead Source": "source", "手机号": "phone", "Notes": ""}


def test_case_spaces_and_separators_do_not_matter():
    assert fold(" Job_Title ") == fold("job-title") == fold("JOB TITLE") == "jobtitle"
    assert guess_targets(["JOB_TITLE", "e_mail"]) == {"JOB_TITLE": "job_title", "e_mail": "email"}


def test_a_field_is_guessed_for_one_column_only():
    assert guess_targets(["Email", "E-mail", "姓名"]) == {"Email": "email", "E-mail": "", "姓名": "name"}


def test_choices_become_columns_and_problems():
    columns, problems = columns_from_choices({"Full Name": "name", "Mail": "email", "Other": ""})
    assert (columns, problems) == ({"name": "Full Name", "email": "Mail"}, [])
    columns, problems = columns_from_choices({"A": "email", "B": "email", "C": ""})
    assert columns == {"email": "A"}
    assert problems == [("duplicate", "email", ["A", "B"]), ("missing", "name", [])]


def test_a_saved_mapping_fills_the_screen_without_its_templates():
    saved = {"name": "Full Name", "email": "E-mail", "external_ref": "Lead {Lead Number}"}
    assert choices_from_columns(["Full Name", "E-mail", "Lead Number"], saved) == {
        "Full Name": "name", "E-mail": "email", "Lead Number": ""}
