"""The words registers use for sex, status, document types and categories of people.

Sheets and forms give 男 / 女, 在住 / 外出, 居民身份证 / 护照, 卧床 / 孕妇 …; these maps
turn them into the registry's codes. Unknown words return None so the validator can say
so. Age categories (80岁以上, 婴幼儿) are not stored: they derive from the birth date.
"""

import re
import unicodedata
from functools import lru_cache

from wangge.lib.idnumbers import IdType
from wangge.residents.choices import ResidentStatus, Sex, Tag


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


SEX_WORDS: dict[str, str] = {
    "": Sex.UNKNOWN,
    "u": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
    "未知": Sex.UNKNOWN,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "男": Sex.MALE,
    "男性": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "女": Sex.FEMALE,
    "女性": Sex.FEMALE,
}

STATUS_WORDS: dict[str, str] = {
    "": ResidentStatus.PRESENT,
    "present": ResidentStatus.PRESENT,
    "在住": ResidentStatus.PRESENT,
    "常住": ResidentStatus.PRESENT,
    "居住": ResidentStatus.PRESENT,
    "现住": ResidentStatus.PRESENT,
    "在家": ResidentStatus.PRESENT,
    "正常": ResidentStatus.PRESENT,
    "away": ResidentStatus.AWAY,
    "外出": ResidentStatus.AWAY,
    "在外": ResidentStatus.AWAY,
    "不在": ResidentStatus.AWAY,
    "外地": ResidentStatus.AWAY,
    "hospitalised": ResidentStatus.HOSPITALISED,
    "hospitalized": ResidentStatus.HOSPITALISED,
    "inhospital": ResidentStatus.HOSPITALISED,
    "住院": ResidentStatus.HOSPITALISED,
    "住院治疗": ResidentStatus.HOSPITALISED,
    "moved_out": ResidentStatus.MOVED_OUT,
    "movedout": ResidentStatus.MOVED_OUT,
    "迁出": ResidentStatus.MOVED_OUT,
    "已迁出": ResidentStatus.MOVED_OUT,
    "搬离": ResidentStatus.MOVED_OUT,
    "已搬离": ResidentStatus.MOVED_OUT,
    "deceased": ResidentStatus.DECEASED,
    "死亡": ResidentStatus.DECEASED,
    "已死亡": ResidentStatus.DECEASED,
    "已故": ResidentStatus.DECEASED,
    "去世": ResidentStatus.DECEASED,
    "已去世": ResidentStatus.DECEASED,
    "亡故": ResidentStatus.DECEASED,
}
# 外出务工, 外出上学 … : a status word followed by its reason.
_STATUS_STEMS = (
    ("外出", ResidentStatus.AWAY),
    ("住院", ResidentStatus.HOSPITALISED),
    ("迁出", ResidentStatus.MOVED_OUT),
)

ID_TYPE_WORDS: dict[str, str] = {
    "": "",
    "居民身份证": IdType.RESIDENT_CARD,
    "身份证": IdType.RESIDENT_CARD,
    "二代身份证": IdType.RESIDENT_CARD,
    "第二代居民身份证": IdType.RESIDENT_CARD,
    "港澳台居民居住证": IdType.RESIDENT_CARD,
    "idcard": IdType.RESIDENT_CARD,
    "residentidcard": IdType.RESIDENT_CARD,
    "港澳居民来往内地通行证": IdType.HK_MACAU_PERMIT,
    "港澳通行证": IdType.HK_MACAU_PERMIT,
    "港澳居民通行证": IdType.HK_MACAU_PERMIT,
    "回乡证": IdType.HK_MACAU_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "台胞证": IdType.TAIWAN_PERMIT,
    "台湾通行证": IdType.TAIWAN_PERMIT,
    "护照": IdType.PASSPORT,
    "外国护照": IdType.PASSPORT,
    "中国护照": IdType.PASSPORT,
    "passport": IdType.PASSPORT,
    "无": IdType.NONE,
    "无证件": IdType.NONE,
    "暂无": IdType.NONE,
    "未办理": IdType.NONE,
    "新生儿": IdType.NONE,
    "none": IdType.NONE,
}
ID_TYPE_WORDS.update({str(value): str(value) for value in IdType})

# Words of a 人员类别 or 备注 cell that set a stored tag (matched anywhere in the text).
TAG_WORDS: tuple[tuple[str, Tag], ...] = (
    ("卧床", Tag.BEDRIDDEN),
    ("瘫痪", Tag.BEDRIDDEN),
    ("bedridden", Tag.BEDRIDDEN),
    ("行动不便", Tag.LIMITED_MOBILITY),
    ("失能", Tag.LIMITED_MOBILITY),
    ("limitedmobility", Tag.LIMITED_MOBILITY),
    ("流动人口", Tag.FLOATING),
    ("外来人口", Tag.FLOATING),
    ("暂住", Tag.FLOATING),
    ("floating", Tag.FLOATING),
    ("孕妇", Tag.PREGNANT),
    ("孕产妇", Tag.PREGNANT),
    ("怀孕", Tag.PREGNANT),
    ("pregnant", Tag.PREGNANT),
    ("残疾", Tag.DISABLED),
    ("disabled", Tag.DISABLED),
    ("治疗中", Tag.UNDER_TREATMENT),
    ("在治", Tag.UNDER_TREATMENT),
    ("透析", Tag.UNDER_TREATMENT),
    ("undertreatment", Tag.UNDER_TREATMENT),
)


# A register repeats a handful of words thousands of times: the lookups are cached.
@lru_cache(maxsize=1024)
def sex_code(text: str) -> str | None:
    return SEX_WORDS.get(_key(text))


@lru_cache(maxsize=1024)
def status_code(text: str) -> str | None:
    key = _key(text)
    code = STATUS_WORDS.get(key)
    if code is not None:
        return code
    for stem, status in _STATUS_STEMS:
        if key.startswith(stem):
            return status
    return None


@lru_cache(maxsize=1024)
def id_type_code(text: str) -> str | None:
    """The ID type a sheet names; "" when the cell is blank, None when unknown."""
    return ID_TYPE_WORDS.get(_key(text))


def tags_from_text(*texts: str) -> int:
    """The stored tags that words in these cells name (卧床 → bedridden …)."""
    found = 0
    for text in texts:
        if text:
            found |= _tags_in(text)
    return found


@lru_cache(maxsize=4096)
def _tags_in(text: str) -> int:
    key = _key(text)
    found = 0
    for word, tag in TAG_WORDS:
        if word in key:
            found |= tag
    return found
