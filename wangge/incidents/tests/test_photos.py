"""A photo must be a real, not too large image; it is re-encoded without its metadata and
served only to people who may see its incident."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wangge.incidents.photos import clean_photo
from wangge.incidents.tests.factories import report

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(64, 48), *, gps=False, fmt="JPEG"):
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (36.0, 3.0, 0.0)}  # GPS info
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_jpeg_is_re_encoded_without_its_metadata():
    cleaned = clean_photo(upload(jpeg_bytes(gps=True)))
    data = cleaned.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif()


def test_png_and_webp_are_accepted_and_a_huge_picture_is_shrunk():
    for fmt in ("PNG", "WEBP"):
        clean_photo(upload(jpeg_bytes(fmt=fmt), name="p." + fmt.lower()))
    with Image.open(clean_photo(upload(jpeg_bytes(size=(4000, 1000))))) as image:
        assert max(image.size) == 2048


@pytest.mark.parametrize(
    "data",
    [b"not an image at all", b"GIF89a" + b"\0" * 20, b"%PDF-1.4 fake", jpeg_bytes()[:40]],
    ids=["text", "gif", "pdf", "truncated"],
)
def test_anything_but_a_readable_jpeg_png_or_webp_is_refused(data):
    with pytest.raises(ValidationError):
        clean_photo(upload(data))


def test_a_gif_is_refused_even_when_it_is_a_real_image():
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload(jpeg_bytes(fmt="GIF"), name="x.gif"))
    assert caught.value.code == "format"


def test_a_photo_larger_than_the_limit_is_refused(settings):
    settings.WANGGE_INCIDENT_PHOTO_MAX_MB = 1
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload(b"\xff\xd8" + b"0" * (1024 * 1024 + 1)))
    assert caught.value.code == "too_large"


@pytest.fixture
def with_photo(tree, chain, bob, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return report(tree["grid_a"], at=clock.now, by=bob, photo=clean_photo(upload(jpeg_bytes())))


def test_the_photo_is_served_to_those_who_see_the_incident_only(
    client, with_photo, bob, alice, charlie, chain
):
    url = f"/incidents/{with_photo.pk}/photo/"
    for user in (bob, alice, chain["cadre_a"].user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_photo_has_no_public_url(with_photo):
    with pytest.raises(ValueError):
        with_photo.photo.url  # noqa: B018
