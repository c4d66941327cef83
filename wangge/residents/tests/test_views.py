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
