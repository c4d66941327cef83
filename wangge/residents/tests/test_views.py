import re

from django.conf import settings

from tests.factories import make_resident


def test_area_page_lists_residents_masked(client, tree, alice):
    resident = make_resident(tree["grid_a"], "钱七")
    client.force_login(alice)
    response = client.get(f"/areas/{tree['grid_a'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "钱七" in body
    assert resident.id_number_masked in body
    assert resident.reveal_id_number() not in body


def test_out_of_scope_pages_are_404(client, tree, charlie):
    resident = make_resident(tree["grid_a"])
    client.force_login(charlie)
    for url in [
        f"/areas/{tree['grid_a'].pk}/",
        f"/residents/{resident.pk}/",
        f"/residents/households/{resident.household_id}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/residents/{resident.pk}/reveal/id_number/").status_code == 404


def test_grid_member_cannot_reveal(client, tree, bob):
    resident = make_resident(tree["grid_a"])
    client.force_login(bob)
    assert client.get(f"/residents/{resident.pk}/").status_code == 200
    assert client.post(f"/residents/{resident.pk}/reveal/id_number/").status_code == 404


def test_reveal_shows_the_number(client, tree, alice):
    resident = make_resident(tree["grid_a"])
    client.force_login(alice)
    response = client.post(f"/residents/{resident.pk}/reveal/phone/")
    assert response.status_code == 200
    assert resident.reveal_phone() in response.content.decode()


def test_search_pages_keep_the_query_whole(client, tree, alice):
    for number in range(55):
        make_resident(tree["grid_a"], f"王&五#{number:02d}")
    client.force_login(alice)
    body = client.get("/residents/", {"q": "王&五#"}).content.decode()
    assert "55" in body
    # The next page's link carries the query encoded, so "&" and "#" survive the click.
    assert "?q=%E7%8E%8B%26%E4%BA%94%23&amp;page=2" in body
    second = client.get("/residents/", {"q": "王&五#", "page": "2"}).content.decode()
    assert "王&amp;五#54" in second


def test_resident_lists_keep_each_name_on_one_line(client, tree, alice):
    # A phone's narrow screen broke names one character per line beside the long masked
    # number: the list scrolls sideways instead.
    make_resident(tree["grid_a"], "欧阳娜娜")
    client.force_login(alice)
    for url in (f"/areas/{tree['grid_a'].pk}/", "/residents/?q=欧阳"):
        body = client.get(url).content.decode()
        assert '<table class="nowrap">' in body.split("欧阳娜娜")[0].rsplit("table-wrap", 1)[1]
    css = (settings.BASE_DIR / "wangge/static/wangge/app.css").read_text()
    assert re.search(r"table\.nowrap td[^{]*\{ white-space: nowrap; \}", css)
