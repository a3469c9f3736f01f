"""salesops.links.id_link: one reverse() for a page that links many records, the same URLs."""
import pytest
from django.urls import reverse

from salesops.links import id_link


@pytest.mark.parametrize("name", ["pipeline:detail", "pipeline:board-move", "pipeline:transition",
                                  "customers:account-detail", "leads:detail"])
def test_it_gives_what_reverse_gives(name):
    link = id_link(name)
    for pk in (1, 7, 42, 987654321, 10**15):
        assert link(pk) == reverse(name, args=[pk])


def test_a_view_without_one_integer_argument_is_refused():
    with pytest.raises(ValueError):
        id_link("pipeline:board")
    with pytest.raises(ValueError):
        id_link("pipeline:list")


def test_the_pk_is_an_integer_not_text():
    with pytest.raises(ValueError):
        id_link("pipeline:detail")("1/../../admin")
