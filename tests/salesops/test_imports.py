"""salesops.imports (the CSV framework) and teams.predicates.can_import (who may import what)."""
import os
import stat
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from salesops import imports
from salesops.imports import ImportResult, RowError, csv_decode, csv_read
from teams.models import User
from teams.predicates import can_import
from tests.teams.factories import UserFactory


@pytest.fixture
def staging(settings, tmp_path):
    settings.SALESOPS_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.SALESOPS_IMPORT_STAGING_DIR


class TestReading:
    @pytest.mark.parametrize("text", [
        "name,email\nAda,ada@example.com\n",
        "name;email\nAda;ada@example.com\n",
        "name\temail\nAda\tada@example.com\n",
    ])
    def test_the_delimiter_is_sniffed(self, text):
        table = csv_read(text)
        assert table.header == ["name", "email"] and table.rows == [(2, ["Ada", "ada@example.com"])]

    def test_quotes_and_commas_inside_a_semicolon_file_survive(self):
        table = csv_read('name;company\n"Lin; Hui";"Shanghai Trading, Ltd"\nO\'Brien;Acme\n')
        assert [cells for _n, cells in table.rows] == [["Lin; Hui", "Shanghai Trading, Ltd"], ["O'Brien", "Acme"]]

    def test_a_one_column_file_is_read_whole(self):
        rows = csv_read("name\nAda; Countess\nGrace; Admiral\n").rows
        assert rows == [(2, ["Ada; Countess"]), (3, ["Grace; Admiral"])]

    def test_records_skip_blank_lines_and_pad_short_rows(self):
        table = csv_read("a,b,c,\n1,2\n\n,,\n3,4,5\n")
        assert table.header == ["a", "b", "c"]
        assert list(table.records()) == [(2, {"a": "1", "b": "2", "c": ""}), (5, {"a": "3", "b": "4", "c": "5"})]

    @pytest.mark.parametrize("data, message", [
        (b"\xff\xfeN\x00", "not UTF-8"),
        (b"a,b\n1,\x002\n", "not a CSV file"),
    ])
    def test_unreadable_bytes_are_refused_with_a_message(self, data, message):
        with pytest.raises(ValidationError) as info:
            csv_decode(data, field_name="pipeline")
        assert message in info.value.message_dict["pipeline"][0]

    def test_the_bom_is_dropped(self):
        assert csv_read(csv_decode("\ufeffname\nAda\n".encode())).header == ["name"]

    def test_an_empty_file_is_refused(self):
        with pytest.raises(ValidationError, match="empty"):
            csv_read("")


class TestSizeLimit:
    def test_one_setting_limits_uploads_and_bytes_with_a_message(self, settings):
        assert settings.SALESOPS_IMPORT_MAX_BYTES == 20 * 2**20
        settings.SALESOPS_IMPORT_MAX_BYTES = 2048
        expected = {"file": ["The file is larger than 2.0\xa0KB."]}
        with pytest.raises(ValidationError) as info:
            imports.upload_read(upload=SimpleUploadedFile("x.csv", b"x" * 2049))
        assert info.value.message_dict == expected
        with pytest.raises(ValidationError) as info:
            csv_decode(b"x" * 2049)
        assert info.value.message_dict == expected
        assert imports.upload_read(upload=SimpleUploadedFile("x.csv", b"x" * 2048)) == b"x" * 2048


class TestStaging:
    def test_a_staged_file_is_private_and_not_in_the_system_temp_dir(self, staging):
        name = imports.stage(data=b"name\nAda\n")
        path = Path(staging) / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(Path(staging).stat().st_mode) == 0o700
        assert imports.staged_read(name=name) == b"name\nAda\n"
        imports.staged_delete(names=[name])
        assert not path.exists()

    def test_the_default_location_is_private_to_the_project(self):
        from django.conf import settings
        assert Path(tempfile.gettempdir()) not in Path(settings.SALESOPS_IMPORT_STAGING_DIR).parents

    def test_an_existing_wide_open_folder_is_closed(self, staging):
        os.makedirs(staging, mode=0o777)
        os.chmod(staging, 0o777)
        imports.stage(data=b"x")
        assert stat.S_IMODE(Path(staging).stat().st_mode) == 0o700

    @pytest.mark.parametrize("name", ["../settings.py", "0" * 32 + ".py", "missing", "0" * 32 + ".csv"])
    def test_only_staged_names_are_read(self, staging, name):
        with pytest.raises(ValidationError, match="no longer available"):
            imports.staged_read(name=name)

    def test_files_older_than_a_day_are_purged(self, staging):
        old, new = imports.stage(data=b"old"), imports.stage(data=b"new")
        day_ago = (timezone.now() - timedelta(days=2)).timestamp()
        os.utime(Path(staging) / old, (day_ago, day_ago))
        assert imports.staged_purge() == 1
        assert sorted(p.name for p in Path(staging).iterdir()) == [new]


class TestResults:
    def test_a_result_keeps_the_first_errors_and_counts_them_all(self, monkeypatch):
        monkeypatch.setattr(imports, "MAX_ERRORS", 2)
        result = ImportResult()
        result.add_errors([RowError(2, "a"), RowError(3, "b", field="email", column="E-mail")])
        result.add_errors([RowError(4, "c")])
        assert (result.ok, result.error_count, [e.row for e in result.errors]) == (False, 3, [2, 3])

    def test_a_result_round_trips_through_json(self):
        result = ImportResult(total_rows=3, created=2, duplicates=[{"row": 4, "reason": "same as row 2"}],
                              errors=[RowError(5, "bad", field="email", column="E-mail", file="x.csv")],
                              error_count=1, counts={"rescored": 2})
        again = ImportResult.from_dict(result.as_dict())
        assert again == ImportResult.from_dict(again.as_dict())
        assert again.errors[0].as_dict() == {"row": 5, "field": "email", "column": "E-mail", "file": "x.csv",
                                             "message": "bad"}
        assert (again.created, again.counts, again.duplicates) == (2, {"rescored": 2}, result.duplicates)


@pytest.mark.django_db
class TestWhoMayImport:
    @pytest.mark.parametrize("role, leads, opportunities", [
        (User.Role.ADMIN, True, True),
        (User.Role.MARKETING, True, False),
        (User.Role.MANAGER, True, False),
        (User.Role.REP, False, False),
        (User.Role.SUCCESS, False, False),
    ])
    def test_the_default_rule(self, role, leads, opportunities):
        user = UserFactory(username=f"who-{role}", role=role)
        assert (can_import(user, "leads"), can_import(user, "opportunities")) == (leads, opportunities)
        assert can_import(user, "something else") is (role == User.Role.ADMIN)

    def test_the_roles_are_a_setting(self, settings):
        settings.SALESOPS_IMPORT_ROLES = {"leads": ["success"], "opportunities": ["manager"]}
        assert can_import(UserFactory(username="cs", role=User.Role.SUCCESS), "leads")
        assert not can_import(UserFactory(username="mk", role=User.Role.MARKETING), "leads")
        assert can_import(UserFactory(username="mg", role=User.Role.MANAGER), "opportunities")

    def test_inactive_and_anonymous_users_may_not(self):
        from django.contrib.auth.models import AnonymousUser
        assert not can_import(AnonymousUser(), "leads")
        assert not can_import(UserFactory(username="gone", role=User.Role.ADMIN, is_active=False), "leads")
        assert not can_import(None, "leads")
