"""The links between the pages of a long list: the first and last pages, the pages either
side of this one, and a gap ("…") wherever pages are left out."""

from tracker.pagination import page_links


def test_a_long_list_links_its_ends_and_the_pages_beside_this_one_with_gaps_between():
    assert page_links(5, 40) == [1, None, 4, 5, 6, None, 40]
    assert page_links(1, 40) == [1, 2, None, 40]
    assert page_links(40, 40) == [1, None, 39, 40]
    assert page_links(3, 40) == [1, 2, 3, 4, None, 40]


def test_a_short_list_links_every_page_without_a_gap():
    assert page_links(1, 2) == [1, 2]
    assert page_links(2, 3) == [1, 2, 3]
    assert page_links(3, 5) == [1, 2, 3, 4, 5]
    assert page_links(1, 1) == [1]
