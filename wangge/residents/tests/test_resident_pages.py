import datetime as dt

from django.urls import reverse

from tests.factories import id_number, make_resident
from wangge.audit.models import AuditEntry
from wangge.residents.choices import ResidentStatus, Tag
from wangge.residents.models import Household, Resident


def test_add_a_resident_to_a_household(client, tree, alice):
    home = make_resident(tree["grid_a"], "户主").household
    number = id_number(sex="F", birth=dt.date(1990, 2, 3))
    client.force_login(alice)
    url = reverse("residents:create", args=[home.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "李娜",
            "id_type": "resident_card",
            "id_number": number.lower(),
            "phone": "139-0000-2222",
            "status": "present",
            "tags": [int(Tag.PREGNANT)],
        },
    )
    resident = Resident.objects.get(name="李娜")
    assert response.status_code == 302
    assert (resident.sex, resident.birth_year) == ("F", 1990)
    assert resident.household == home and resident.tags == Tag.PREGNANT
    assert resident.reveal_phone() == "13900002222"
    entry = AuditEntry.objects.get(action="resident.create", object_id=str(resident.pk))
    assert entry.actor == alice


def test_a_bad_number_is_shown_on_the_form_and_nothing_is_added(client, tree, alice):
    home = make_resident(tree["grid_a"], "户主").household
    client.force_login(alice)
    good = id_number()
    response = client.post(
        reverse("residents:create", args=[home.pk]),
        {
            "name": "王五",
            "id_type": "resident_card",
            "id_number": good[:17] + "Y",
            "status": "present",
        },
    )
    assert response.status_code == 200
    assert "form" in response.content.decode()
    assert response.context["form"].errors["id_number"]
    assert not Resident.objects.filter(name="王五").exists()


def test_an_already_registered_person_is_refused(client, tree, alice):
    existing = make_resident(tree["grid_b"], "张三")
    home = make_resident(tree["grid_a"], "户主").household
    client.force_login(alice)
    response = client.post(
        reverse("residents:create", args=[home.pk]),
        {
            "name": "张三",
            "id_type": "resident_card",
            "id_number": existing.reveal_id_number(),
            "status": "present",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]
    assert Resident.objects.filter(name="张三").count() == 1


def test_edit_a_resident_and_change_their_status(client, tree, alice):
    resident = make_resident(tree["grid_a"], "张三", phone="13900001234")
    number = resident.reveal_id_number()
    client.force_login(alice)
    url = reverse("residents:edit", args=[resident.pk])
    page = client.get(url).content.decode()
    assert number not in page and "13900001234" not in page  # never put back into a page
    assert resident.id_number_masked in page
    response = client.post(
        url,
        {
            "name": "张三",
            "id_type": "resident_card",
            "id_number": "",
            "phone": "",
            "status": "hospitalised",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.HOSPITALISED
    assert resident.reveal_id_number() == number  # a blank number keeps the stored one
    assert resident.reveal_phone() == "13900001234"
    entry = AuditEntry.objects.filter(action="resident.update").latest("id")
    assert entry.details["changed"] == ["status"]
    assert entry.details["after"]["status"] == "hospitalised"
    tree["grid_a"].refresh_from_db()
    assert tree["grid_a"].resident_count == 1


def test_a_birth_date_typed_without_a_card_is_kept_as_its_year_and_an_edit_keeps_it(
    client, tree, alice
):
    home = make_resident(tree["grid_a"], "户主").household
    client.force_login(alice)
    baby = {"name": "宝宝", "id_type": "none", "birth_date": "2021-06-01", "status": "present"}
    assert client.post(reverse("residents:create", args=[home.pk]), baby).status_code == 302
    resident = Resident.objects.get(name="宝宝")
    assert resident.birth_year == 2021
    url = reverse("residents:edit", args=[resident.pk])
    page = client.get(url).content.decode()
    assert "2021-06-01" not in page and "2021" in page  # the year is said, no date put back
    edited = {**baby, "birth_date": "", "status": "away"}
    assert client.post(url, edited).status_code == 302
    resident.refresh_from_db()
    assert (resident.birth_year, resident.status) == (2021, ResidentStatus.AWAY)


def test_create_a_household_in_a_grid(client, tree, alice):
    client.force_login(alice)
    url = reverse("residents:household_create", args=[tree["grid_a"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"building": "3号楼", "unit": "1单元", "room": "502"})
    home = Household.objects.get()
    assert response.status_code == 302
    assert (home.grid, home.building, home.unit, home.room) == (tree["grid_a"], "3", "1", "502")
    assert AuditEntry.objects.filter(action="household.create", object_id=str(home.pk)).exists()
    again = client.post(url, {"building": "3", "unit": "1", "room": "502"})
    assert again.status_code == 200
    assert Household.objects.count() == 1


def test_registry_edits_out_of_scope_or_without_permission_are_404(client, tree, bob, charlie):
    resident = make_resident(tree["grid_a"])
    urls = [
        reverse("residents:create", args=[resident.household_id]),
        reverse("residents:edit", args=[resident.pk]),
        reverse("residents:household_create", args=[tree["grid_a"].pk]),
    ]
    for user in (charlie, bob):  # bob is a grid member: he may look, not edit
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"name": "x", "room": "1"}).status_code == 404, (user, url)
    resident.refresh_from_db()
    assert resident.name == "张三"
    assert Household.objects.count() == 1


def test_edit_buttons_only_for_those_who_may_edit(client, tree, alice, bob):
    resident = make_resident(tree["grid_a"])
    edit_url = reverse("residents:edit", args=[resident.pk])
    add_url = reverse("residents:create", args=[resident.household_id])
    client.force_login(alice)
    assert edit_url in client.get(reverse("residents:detail", args=[resident.pk])).content.decode()
    assert (
        add_url
        in client.get(reverse("residents:household", args=[resident.household_id])).content.decode()
    )
    client.force_login(bob)
    assert (
        edit_url not in client.get(reverse("residents:detail", args=[resident.pk])).content.decode()
    )
    assert (
        add_url
        not in client.get(
            reverse("residents:household", args=[resident.household_id])
        ).content.decode()
    )


def test_household_page_queries_do_not_grow(client, tree, alice, django_assert_max_num_queries):
    home = make_resident(tree["grid_a"], room="1").household
    for index in range(10):
        make_resident(tree["grid_a"], f"成员{index}", room="1")
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("residents:household", args=[home.pk])).status_code == 200


def test_a_residents_age_is_in_chinese_brackets(client, tree, alice):
    resident = make_resident(tree["grid_a"], "钱七")
    client.force_login(alice)
    page = client.get(reverse("residents:detail", args=[resident.pk])).content.decode()
    assert f"{resident.birth_year} （{resident.age()} 岁）" in page
